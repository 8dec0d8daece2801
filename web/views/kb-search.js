// The information base search panel of the agent desk (M2): published articles, internal
// ones included, found while the customer waits; a result opens the article inline.
// Used by the KB screen (#/kb) and any desk screen that embeds <KbSearchPanel />.
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang } from '../i18n.js';
import { html, Button, ErrorBanner } from '../ui.js';

registerMessages(byLang({
  'kbs.title': ['知识库搜索', 'Search the information base'],
  'kbs.q': ['问题、关键词或型号', 'Question, words or a model'],
  'kbs.go': ['搜索', 'Search'],
  'kbs.none': ['没有找到相关文章。', 'No article found.'],
  'kbs.in_en': ['中文无结果，以下为英文文章', 'Nothing in Chinese; English articles below'],
  'kbs.close': ['收起', 'Close'],
  'kbk.faq': ['常见问题', 'FAQ'], 'kbk.news': ['新闻', 'News'], 'kbk.promotion': ['优惠', 'Promotion'],
  'kbk.product_info': ['产品信息', 'Product information'], 'kbk.tech_qa': ['技术问答', 'Technical Q&A'],
}));

export function KbSearchPanel() {
  const [q, setQ] = useState('');
  const [answer, setAnswer] = useState(null);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setError(null); setOpen(null);
    if (!q.trim()) return;
    setBusy(true);
    try { setAnswer(await api.get('/kb/search', { query: { q: q.trim(), lang: getLang() } })); } catch (err) { setError(err); }
    setBusy(false);
  }
  async function show(code) {
    try { setOpen(await api.get(`/kb/articles/${code}`)); } catch (err) { setError(err); }
  }
  return html`<section class="card kb-search" aria-label=${t('kbs.title')} data-testid="kb-search" style="background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px">
    <h2>${t('kbs.title')}</h2>
    <form role="search" onSubmit=${submit} style="display:flex;gap:8px;align-items:flex-end">
      <label style="flex:1"><span class="field-label">${t('kbs.q')}</span>
        <input class="input" name="kb_q" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} maxlength="200" /></label>
      <${Button} type="submit" busy=${busy}>${t('kbs.go')}</${Button}>
    </form>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${answer && !answer.items.length ? html`<p class="muted" data-results="0">${t('kbs.none')}</p>` : null}
    ${answer && answer.items.length ? html`<div data-results=${answer.items.length}>
      ${answer.lang !== getLang() ? html`<p class="muted">${t('kbs.in_en')}</p>` : null}
      <ul style="list-style:none;padding:0">${answer.items.map((i) => html`<li key=${i.code} style="padding:6px 0;border-bottom:1px solid #eef1f5">
        <button type="button" class="btn btn-ghost" data-kb=${i.code} onClick=${() => show(i.code)}><strong>${i.title}</strong></button>
        <span class="muted"> ${t('kbk.' + i.kind)} · ${i.code}</span><div class="muted">${i.snippet}</div></li>`)}</ul></div>` : null}
    ${open ? html`<article data-article=${open.code} lang=${open.lang} style="border-top:2px solid #0b5cad;margin-top:8px;padding-top:8px">
      <h3>${open.title}</h3><div dangerouslySetInnerHTML=${{ __html: open.body }}></div>
      <${Button} variant="secondary" onClick=${() => setOpen(null)}>${t('kbs.close')}</${Button}></article>` : null}
  </section>`;
}
