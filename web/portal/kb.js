// The portal's information pages (M14): FAQ and information search, company news and
// promotions from the information base, one article's page, and the kiosk's idle reset
// (?kiosk=1: after ?idle= seconds without a touch, default 60, back home, every field
// cleared). Plain DOM like portal.js; the article bodies come sanitised from the server.
import { byLang } from '../lib/bilingual.js';

export const KB_MESSAGES = byLang({
  tab_search: ['常见问题', 'FAQ & search'],
  tab_news: ['公司新闻', 'News'],
  tab_promotions: ['优惠活动', 'Promotions'],
  kb_q: ['输入问题或型号', 'Type a question or a model'],
  kb_hint: ['例如：遥控器、没有声音、KD-55X85K', 'e.g. remote, no sound, KD-55X85K'],
  kb_search: ['搜索', 'Search'],
  kb_none: ['没有找到相关内容，请换个说法或致电服务热线。', 'Nothing found; try other words or call the hotline.'],
  kb_in_en: ['中文暂无结果，以下为英文内容：', 'No Chinese results; these are in English:'],
  kb_faq: ['常见问题', 'Frequently asked questions'],
  kb_back: ['返回', 'Back'],
  kb_empty: ['暂无内容。', 'Nothing here yet.'],
  kb_bad: ['请输入要查找的文字。', 'Type something to look for.'],
  'kind.faq': ['常见问题', 'FAQ'],
  'kind.news': ['新闻', 'News'],
  'kind.promotion': ['优惠', 'Promotion'],
  'kind.product_info': ['产品信息', 'Product information'],
  'kind.tech_qa': ['技术问答', 'Technical Q&A'],
});

// ctx: {t, esc, call, lang, fmt}
function items(ctx, list, open) {
  const { t, esc } = ctx;
  if (!list.length) return `<p class="muted">${esc(t('kb_empty'))}</p>`;
  return `<ul class="kb-list">${list.map((i) => `<li><button type="button" class="kb-item" data-code="${esc(i.code)}">
    <span class="kb-title">${esc(i.title)}</span>
    <span class="kb-meta">${esc(t('kind.' + i.kind))}${i.published_at ? ' · ' + esc(ctx.fmt(i.published_at).slice(0, 10)) : ''}</span>
    <span class="kb-snippet">${esc(i.snippet)}</span></button></li>`).join('')}</ul>`;
}

function bindOpen(root, open) {
  for (const b of root.querySelectorAll('.kb-item')) b.onclick = () => open(b.dataset.code);
}

export async function articlePanel(panel, ctx, code, back) {
  const { t, esc, call } = ctx;
  const r = await call('GET', `/api/v1/public/kb/articles/${encodeURIComponent(code)}`).catch(() => null);
  if (!r || r.status !== 200) {
    panel.innerHTML = `<section class="card"><div class="answer bad" role="alert">${esc(t('kb_none'))}</div></section>`;
    return;
  }
  const a = r.json;
  panel.innerHTML = `<section class="card kb-article" data-article="${esc(a.code)}" lang="${esc(a.lang)}">
    <button type="button" class="kb-back">← ${esc(t('kb_back'))}</button>
    <h2>${esc(a.title)}</h2>
    <div class="kb-body">${a.body}</div>
    ${a.twin ? `<button type="button" class="kb-twin" lang="${a.lang === 'zh-CN' ? 'en' : 'zh-CN'}" data-code="${esc(a.twin)}">${a.lang === 'zh-CN' ? 'English version' : '中文版'}</button>` : ''}
  </section>`;
  panel.querySelector('.kb-back').onclick = back;
  const twin = panel.querySelector('.kb-twin');
  if (twin) twin.onclick = () => articlePanel(panel, ctx, twin.dataset.code, back);
}

export async function listPanel(panel, ctx, kind, title) {
  const { t, esc, call, lang } = ctx;
  panel.innerHTML = `<section class="card"><h2>${esc(title)}</h2><div id="kb-items"></div></section>`;
  const r = await call('GET', `/api/v1/public/kb/articles?kind=${kind}&lang=${lang}`).catch(() => null);
  const box = panel.querySelector('#kb-items');
  if (!box) return;
  box.innerHTML = r?.status === 200 ? items(ctx, r.json.items) : `<div class="answer bad">${esc(t('network'))}</div>`;
  bindOpen(box, (c) => articlePanel(panel, ctx, c, () => listPanel(panel, ctx, kind, title)));
}

export function searchPanel(panel, ctx) {
  const { t, esc, call, lang } = ctx;
  panel.innerHTML = `<section class="card">
      <h2>${esc(t('tab_search'))}</h2>
      <form id="kb-form" class="kb-form" role="search" novalidate>
        <label for="kb-q">${esc(t('kb_q'))}</label>
        <div class="kb-row"><input id="kb-q" name="q" type="search" enterkeyhint="search" autocomplete="off" maxlength="200" placeholder="${esc(t('kb_hint'))}">
        <button class="primary kb-go" type="submit">${esc(t('kb_search'))}</button></div>
      </form>
      <div id="kb-answer"></div>
    </section>`;
  const form = panel.querySelector('#kb-form');
  const out = panel.querySelector('#kb-answer');
  const reopen = () => searchPanel(panel, ctx);
  const showFaq = async () => {
    const r = await call('GET', `/api/v1/public/kb/articles?kind=faq&lang=${lang}`).catch(() => null);
    if (r?.status === 200 && !form.q.value) {
      out.innerHTML = `<h3>${esc(t('kb_faq'))}</h3>${items(ctx, r.json.items)}`;
      bindOpen(out, (c) => articlePanel(panel, ctx, c, reopen));
    }
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    const q = form.q.value.trim();
    if (!q) { out.innerHTML = `<div class="answer bad" role="alert">${esc(t('kb_bad'))}</div>`; return; }
    let r;
    try { r = await call('GET', `/api/v1/public/kb/search?q=${encodeURIComponent(q)}&lang=${lang}`); } catch {
      out.innerHTML = `<div class="answer bad" role="alert">${esc(t('network'))}</div>`; return;
    }
    if (r.status !== 200) {
      out.innerHTML = `<div class="answer bad" role="alert">${esc(r.status === 429 ? t('e.rate_limited') : t('kb_bad'))}</div>`;
      return;
    }
    const found = r.json.items;
    out.innerHTML = !found.length ? `<div class="answer bad" role="status" data-results="0">${esc(t('kb_none'))}</div>`
      : `<div data-results="${found.length}">${r.json.lang !== lang ? `<p class="muted">${esc(t('kb_in_en'))}</p>` : ''}${items(ctx, found)}</div>`;
    bindOpen(out, (c) => articlePanel(panel, ctx, c, reopen));
  };
  showFaq();
}

// The kiosk's idle reset: `reset` runs after `seconds` without a touch, key or scroll.
export function idleReset(seconds, reset) {
  let timer = null;
  const arm = () => { clearTimeout(timer); timer = setTimeout(() => { reset(); arm(); }, seconds * 1000); };
  for (const ev of ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart']) {
    document.addEventListener(ev, arm, { passive: true, capture: true });
  }
  arm();
}
