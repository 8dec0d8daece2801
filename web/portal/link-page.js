// The frame of the portal pages a signed single-use link opens without login
// (survey.html, research.html): the language (the buttons, the choice kept), the token
// from the hash, the page's states (loading, form, done, gone: 410, missing: 404,
// network) with their messages, and the GET and POST of the page's public route. The
// page draws its form itself (form(page)) when the GET answered.
import { byLang } from '../lib/bilingual.js';

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// messages: {key: [zh, en]} with title, thanks, gone, missing, network; route: the
// public API path before the token; root: the element the states and form go in.
export function linkPage({ messages, route, root, form }) {
  const M = byLang(messages);
  let lang = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
  try { const s = localStorage.getItem('aftersales.lang'); if (s === 'en' || s === 'zh-CN') lang = s; } catch { /* private mode */ }
  const token = decodeURIComponent(location.hash.replace(/^#/, ''));
  const url = `${route}/${encodeURIComponent(token)}`;
  let state = 'loading';
  const stateOf = (status) => (status === 410 ? 'gone' : status === 404 ? 'missing' : 'network');
  const page = {
    data: null, // the GET answer
    root,
    get lang() { return lang; },
    t: (k) => M[lang][k] ?? k,
    // POST body; 422 is left to the page (its state unchanged), anything else ends the form
    async send(body) {
      try {
        const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        if (r.status === 422) return 422;
        state = r.ok ? 'done' : stateOf(r.status);
      } catch { state = 'network'; }
      render();
      return 0;
    },
  };
  function render() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = page.t(el.dataset.i18n);
    for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    if (state === 'form') form(page);
    else root.innerHTML = state === 'loading' ? '' : `<div class="msg" data-state="${state}">${esc(page.t(state === 'done' ? 'thanks' : state))}</div>`;
  }
  async function load() {
    try {
      const r = await fetch(url);
      if (r.ok) { page.data = await r.json(); state = 'form'; } else state = stateOf(r.status);
    } catch { state = 'network'; }
    render();
  }
  for (const b of document.querySelectorAll('[data-lang]'))
    b.addEventListener('click', () => {
      lang = b.dataset.lang;
      try { localStorage.setItem('aftersales.lang', lang); } catch { /* private mode */ }
      render(); // re-rendering the form drops the choices made; the language is picked first
    });
  addEventListener('hashchange', () => location.reload()); // another link pasted in
  if (token) load(); else { state = 'missing'; render(); }
  return page;
}
