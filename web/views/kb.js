// The information base screens (M2): for editors the article list, the review queue,
// the articles expiring soon (each downloadable as CSV/XLSX) and the article editor with
// a sandboxed preview, the lifecycle buttons and the version history; for everyone the
// search panel (kb-search.js). Hash routes: #/kb, #/kb/new, #/kb/K000001
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { RichText } from '../lib/richtext.js';
import { PagedTable } from '../lib/lists.js';
import { KbSearchPanel } from './kb-search.js';

registerMessages(byLang({
  'kb.title': ['知识库', 'Information base'],
  'kb.tab.articles': ['全部文章', 'All articles'],
  'kb.tab.review': ['待审核', 'Review queue'],
  'kb.tab.expiring': ['即将到期', 'Expiring soon'],
  'kb.tab.search': ['搜索', 'Search'],
  'kb.new': ['新建文章', 'New article'],
  'kb.code': ['编号', 'Code'], 'kb.lang': ['语言', 'Language'], 'kb.kind': ['类别', 'Kind'],
  'kb.audience': ['读者', 'Audience'], 'kb.status': ['状态', 'Status'], 'kb.atitle': ['标题', 'Title'],
  'kb.valid_from': ['生效时间', 'Valid from'], 'kb.valid_to': ['失效时间（可空）', 'Valid to (optional)'],
  'kb.version': ['版本', 'Version'], 'kb.updated': ['更新', 'Updated'], 'kb.body': ['正文', 'Body'],
  'kb.body_hint': ['保存时服务器会去除脚本、事件属性和不安全链接', 'The server removes scripts, event attributes and unsafe links when saving'],
  'kb.models': ['关联型号（逗号分隔）', 'Models (comma-separated)'],
  'kb.lines': ['关联产品线（逗号分隔）', 'Product lines (comma-separated)'],
  'kb.translation_of': ['对应的另一语言文章编号', 'Code of the article in the other language'],
  'kb.twin': ['另一语言版本', 'Other language'],
  'kb.preview': ['预览', 'Preview'], 'kb.save': ['保存', 'Save'], 'kb.saved': ['已保存（版本 {v}）', 'Saved (version {v})'],
  'kb.to.review': ['提交审核', 'Submit for review'], 'kb.to.published': ['审核通过并发布', 'Approve and publish'],
  'kb.to.draft': ['退回草稿', 'Back to draft'], 'kb.to.withdrawn': ['撤下', 'Withdraw'],
  'kb.history': ['版本历史', 'Version history'], 'kb.actor': ['操作人', 'By'], 'kb.at': ['时间', 'At'],
  'kb.back': ['返回列表', 'Back to the list'], 'kb.edit': ['编辑', 'Edit'],
  'kb.all_status': ['全部状态', 'All states'], 'kb.q': ['标题或编号', 'Title or code'],
  'kb.st.draft': ['草稿', 'Draft'], 'kb.st.review': ['待审核', 'In review'], 'kb.st.published': ['已发布', 'Published'],
  'kb.st.withdrawn': ['已撤下', 'Withdrawn'],
  'kb.au.public': ['公开', 'Public'], 'kb.au.internal': ['仅内部', 'Internal only'],
  'kb.expired': ['已过失效时间', 'Past its valid_to'],
}));

const WRITERS = ['admin', 'supervisor', 'editor', 'marketer'];
const PUBLISHERS = ['admin', 'supervisor'];
const KINDS = ['faq', 'product_info', 'promotion', 'tech_qa', 'news'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:0 16px';
const go = (h) => { location.hash = h; };
// an RFC 3339 instant as a datetime-local value (the browser's zone), and back
const toLocal = (iso) => { if (!iso) return ''; const d = new Date(iso); return new Date(d - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16); };
const fromLocal = (v) => (v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : undefined);
// The preview's HTML: shown in a sandboxed frame (nothing in it runs), with scripts and
// event attributes taken out first so the browser has nothing to refuse; the server's
// sanitiser decides what is stored.
const previewHtml = (body) => body.replace(/<script[\s\S]*?(<\/script\s*>|$)/gi, '')
  .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
const codes = (s) => s.split(/[,，\s]+/).map((x) => x.trim()).filter(Boolean);

function columns() {
  return [
    { key: 'code', label: t('kb.code'), render: (r) => html`<a href=${'#/kb/' + r.code} data-code=${r.code}>${r.code}</a>` },
    { key: 'title', label: t('kb.atitle') },
    { key: 'lang', label: t('kb.lang') },
    { key: 'kind', label: t('kb.kind'), render: (r) => t('kbk.' + r.kind) },
    { key: 'audience', label: t('kb.audience'), render: (r) => t('kb.au.' + r.audience) },
    { key: 'status', label: t('kb.status'), render: (r) => html`<span data-status=${r.status}>${t('kb.st.' + r.status)}</span>` },
    { key: 'valid_to', label: t('kb.valid_to'), render: (r) => (r.valid_to ? formatDateTime(r.valid_to) : '–') },
    { key: 'version', label: t('kb.version'), align: 'right' },
    { key: 'updated_at', label: t('kb.updated'), render: (r) => html`${formatDateTime(r.updated_at)} <span class="muted">· ${r.updated_by}</span>` },
  ];
}

function Lists() {
  const [tab, setTab] = useState('articles');
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const tabs = ['articles', 'review', 'expiring', 'search'];
  let table = null;
  if (tab === 'articles') {
    const params = {};
    if (status) params.status = status;
    if (q.trim()) params.q = q.trim();
    table = html`<div style=${grid}>
        <${Field} label=${t('kb.status')} name="kb_status" as="select" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}
          options=${[{ value: '', label: t('kb.all_status') }, ...['draft', 'review', 'published', 'withdrawn'].map((s) => ({ value: s, label: t('kb.st.' + s) }))]} />
        <${Field} label=${t('kb.q')} name="kb_filter" defaultValue=${q} onChange=${(e) => setQ(e.currentTarget.value)} />
      </div>
      <${PagedTable} path="/kb/articles" params=${params} limit=${50} columns=${columns()} name="kb-articles" />`;
  } else if (tab === 'review') {
    table = html`<${PagedTable} path="/kb/articles" params=${{ status: 'review' }} limit=${50} columns=${columns()} name="kb-review" />`;
  } else if (tab === 'expiring') {
    table = html`<${PagedTable} path="/kb/expiring" params=${{ days: 14 }} limit=${50} columns=${columns()} name="kb-expiring" />`;
  }
  return html`<${Page} title=${t('kb.title')} actions=${html`<${Button} onClick=${() => go('#/kb/new')} data-testid="kb-new">${t('kb.new')}</${Button}>`}>
    <div class="table-toolbar" role="group" style="gap:6px;justify-content:flex-start;margin-bottom:8px">
      ${tabs.map((k) => html`<button type="button" key=${k} class=${'btn ' + (tab === k ? 'btn-primary' : 'btn-secondary')}
        data-tab=${k} aria-pressed=${tab === k ? 'true' : 'false'} onClick=${() => setTab(k)}>${t('kb.tab.' + k)}</button>`)}
    </div>
    ${tab === 'search' ? html`<${KbSearchPanel} />` : html`<div class="card" style=${CARD}>${table}</div>`}
  </${Page}>`;
}

function Editor({ user, code }) {
  const fresh = code === 'new';
  const [a, setA] = useState(fresh ? { lang: 'zh-CN', kind: 'faq', audience: 'public', title: '', body: '', models: [], product_lines: [] } : null);
  const [f, setF] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [hist, setHist] = useState(0);
  useEffect(() => {
    if (!fresh) api.get(`/kb/articles/${code}`).then(setA, setError);
  }, [code]);
  useEffect(() => {
    if (a) setF({ lang: a.lang, kind: a.kind, audience: a.audience, title: a.title, body: a.body || '',
      valid_from: toLocal(a.valid_from), valid_to: toLocal(a.valid_to), models: (a.models || []).join(', '),
      product_lines: (a.product_lines || []).join(', '), translation_of: '' });
  }, [a]);
  if (!a || !f) return error ? html`<${ErrorBanner} error=${error} />` : html`<${Loading} />`;
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  async function save(e) {
    e.preventDefault();
    setError(null); setDone(''); setBusy(true);
    const body = { kind: f.kind, audience: f.audience, title: f.title.trim(), body: f.body,
      models: codes(f.models), product_lines: codes(f.product_lines) };
    if (f.valid_from) body.valid_from = fromLocal(f.valid_from);
    if (f.valid_to) body.valid_to = fromLocal(f.valid_to);
    try {
      let r;
      if (fresh) {
        body.lang = f.lang;
        if (f.translation_of.trim()) body.translation_of = f.translation_of.trim().toUpperCase();
        r = await api.post('/kb/articles', body);
        go('#/kb/' + r.code); // the editor of the new article takes over
        return;
      } else {
        r = await api.patch(`/kb/articles/${a.code}`, { ...body, version: a.version });
      }
      setA(r); setDone(t('kb.saved', { v: r.version })); setHist(hist + 1);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  async function step(to) {
    setError(null); setDone(''); setBusy(true);
    try { const r = await api.post(`/kb/articles/${a.code}/transitions`, { to }); setA(r); setHist(hist + 1); } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  const steps = { draft: ['review'], review: PUBLISHERS.includes(user.role) ? ['published', 'draft'] : ['draft'],
    published: ['withdrawn'], withdrawn: ['draft'] }[a.status] || [];
  const histCols = [
    { key: 'version', label: t('kb.version'), align: 'right' },
    { key: 'status', label: t('kb.status'), render: (r) => t('kb.st.' + r.status) },
    { key: 'title', label: t('kb.atitle') },
    { key: 'actor', label: t('kb.actor') },
    { key: 'at', label: t('kb.at'), render: (r) => formatDateTime(r.at) },
  ];
  return html`<${Page} title=${fresh ? t('kb.new') : `${a.code} · ${a.title}`}
      actions=${html`<${Button} variant="secondary" onClick=${() => go('#/kb')}>${t('kb.back')}</${Button}>`}>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success"><span data-testid="kb-saved">${done}</span></${Notice}>` : null}
    ${fresh ? null : html`<p>${t('kb.status')}: <strong data-testid="kb-status" data-status=${a.status}>${t('kb.st.' + a.status)}</strong>
      · ${t('kb.version')} ${a.version}${a.expired ? html` · <span class="muted">${t('kb.expired')}</span>` : null}
      ${a.twin ? html` · ${t('kb.twin')}: <a href=${'#/kb/' + a.twin}>${a.twin}</a>` : null}</p>
      <div style="display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px">${steps.map((s) => html`<${Button} key=${s}
        variant=${s === 'published' ? 'primary' : 'secondary'} busy=${busy} data-step=${s} onClick=${() => step(s)}>${t('kb.to.' + s)}</${Button}>`)}</div>`}
    <form class="card" style=${CARD} onSubmit=${save} data-testid="kb-editor" novalidate>
      <div style=${grid}>
        ${fresh ? html`<${Field} label=${t('kb.lang')} name="kb_lang" as="select" value=${f.lang} onChange=${set('lang')}
          options=${[{ value: 'zh-CN', label: '中文 zh-CN' }, { value: 'en', label: 'English' }]} error=${fe.lang} />` : null}
        <${Field} label=${t('kb.kind')} name="kb_kind" as="select" value=${f.kind} onChange=${set('kind')}
          options=${KINDS.map((k) => ({ value: k, label: t('kbk.' + k) }))} error=${fe.kind} />
        <${Field} label=${t('kb.audience')} name="kb_audience" as="select" value=${f.audience} onChange=${set('audience')}
          options=${['public', 'internal'].map((k) => ({ value: k, label: t('kb.au.' + k) }))} />
        <${Field} label=${t('kb.valid_from')} name="kb_valid_from" type="datetime-local" value=${f.valid_from} onInput=${set('valid_from')} error=${fe.valid_from} />
        <${Field} label=${t('kb.valid_to')} name="kb_valid_to" type="datetime-local" value=${f.valid_to} onInput=${set('valid_to')} error=${fe.valid_to} />
      </div>
      <${Field} label=${t('kb.atitle')} name="kb_title" value=${f.title} onInput=${set('title')} required maxlength="200" error=${fe.title} />
      <${RichText} label=${t('kb.body')} name="kb_body" value=${f.body} onChange=${(v) => setF((g) => ({ ...g, body: v }))}
        hint=${t('kb.body_hint')} error=${fe.body} />
      <div style=${grid}>
        <${Field} label=${t('kb.models')} name="kb_models" value=${f.models} onInput=${set('models')} error=${fe.models} />
        <${Field} label=${t('kb.lines')} name="kb_lines" value=${f.product_lines} onInput=${set('product_lines')} error=${fe.product_lines} />
        ${fresh ? html`<${Field} label=${t('kb.translation_of')} name="kb_translation_of" value=${f.translation_of} onInput=${set('translation_of')} error=${fe.translation_of} />` : null}
      </div>
      <h3>${t('kb.preview')}</h3>
      <iframe sandbox="" title=${t('kb.preview')} data-testid="kb-preview" style="width:100%;min-height:160px;border:1px solid #d8dee6;border-radius:6px"
        srcdoc=${`<!doctype html><meta charset="utf-8"><body style="font-family:system-ui,sans-serif"><h2>${f.title.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</h2>${previewHtml(f.body)}</body>`}></iframe>
      <${Button} type="submit" busy=${busy} data-testid="kb-save">${t('kb.save')}</${Button}>
    </form>
    ${fresh ? null : html`<div class="card" style=${CARD}><h2>${t('kb.history')}</h2>
      <${PagedTable} key=${hist} path=${`/kb/articles/${a.code}/versions`} params=${{}} limit=${50} columns=${histCols} name="kb-versions" rowKey="version" /></div>`}
  </${Page}>`;
}

export default function KbView({ user, params }) {
  const [first] = params || [];
  if (!WRITERS.includes(user.role)) {
    return html`<${Page} title=${t('kb.title')}><${KbSearchPanel} /></${Page}>`;
  }
  if (first) return html`<${Editor} key=${first} user=${user} code=${first} />`;
  return html`<${Lists} />`;
}
