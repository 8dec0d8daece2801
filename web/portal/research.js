// The market research questionnaire a customer reaches from the signed single-use link
// of an email or SMS (/portal/research.html#<token>), without login, sized for a
// phone, in zh-CN or en: single choice as radio buttons, multiple choice as check
// boxes, a scale as a row of numbers, text as a text box; required questions are
// checked before sending (the server checks again: 422). An answered link or a closed
// questionnaire says so (410); a tampered one is "not found" (404).
import { byLang } from '../lib/bilingual.js';

const M = byLang({
  title: ['问卷调查', 'Questionnaire'],
  send: ['提交', 'Send'],
  required: ['请回答所有必答题 (*)。', 'Please answer every question marked *.'],
  invalid: ['有回答无效，请检查后再提交。', 'Some answers are not valid; please check them.'],
  thanks: ['感谢您参与调查！', 'Thank you for taking part!'],
  gone: ['这个问卷链接已经使用过，或调查已结束。', 'This questionnaire link was used already, or the survey is closed.'],
  missing: ['没有找到这个问卷，请检查链接是否完整。', 'No such questionnaire; check that the link is complete.'],
  network: ['无法连接服务器，请检查网络。', 'Cannot reach the server; check your network.'],
});

let lang = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
try { const s = localStorage.getItem('aftersales.lang'); if (s === 'en' || s === 'zh-CN') lang = s; } catch { /* private mode */ }
const t = (k) => M[lang][k] ?? k;
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const token = decodeURIComponent(location.hash.replace(/^#/, ''));
const root = document.getElementById('research');
const url = `/api/v1/public/research/${encodeURIComponent(token)}`;
let form = null; // the GET answer
let state = 'loading'; // loading | form | done | gone | missing | network

function control(q, l) {
  const name = `q${q.no}`;
  if (q.kind === 'single' || q.kind === 'multiple') {
    const type = q.kind === 'single' ? 'radio' : 'checkbox';
    return `<div class="choices">${q.options.map((o) => `<label><input type="${type}" name="${name}" value="${o.no}"><span>${esc(o[l])}</span></label>`).join('')}</div>`;
  }
  if (q.kind === 'scale') {
    const opts = [];
    for (let i = q.min; i <= q.max; i++) opts.push(`<label><input type="radio" name="${name}" value="${i}"><span>${i}</span></label>`);
    return `<div class="scale">${opts.join('')}</div>`;
  }
  return `<textarea name="${name}" maxlength="2000"></textarea>`;
}

function render() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  if (state !== 'form') {
    root.innerHTML = state === 'loading' ? '' : `<div class="msg" data-state="${state}">${esc(t(state === 'done' ? 'thanks' : state))}</div>`;
    return;
  }
  const l = lang === 'en' ? 'en' : 'zh';
  root.innerHTML = `<form novalidate>
    <h2>${esc(form.title[l])}</h2>
    ${form.questions.map((q) => `<fieldset data-q="${q.no}" data-kind="${q.kind}"><legend>${q.no}. ${esc(q.text[l])}${q.required ? ' <span class="req">*</span>' : ''}</legend>${control(q, l)}</fieldset>`).join('')}
    <p class="err" role="alert" hidden></p>
    <button type="submit" class="send">${esc(t('send'))}</button>
  </form>`;
  root.querySelector('form').addEventListener('submit', submit);
}

/* The answers of the form: {"<no>": option | [options] | value | text}. */
function answersOf(f) {
  const out = {};
  for (const q of form.questions) {
    const name = `q${q.no}`;
    if (q.kind === 'multiple') {
      const v = f.getAll(name).map(Number);
      if (v.length) out[q.no] = v;
    } else if (q.kind === 'text') {
      const v = String(f.get(name) || '').trim();
      if (v) out[q.no] = v;
    } else if (f.get(name) !== null) {
      out[q.no] = Number(f.get(name));
    }
  }
  return out;
}

async function submit(e) {
  e.preventDefault();
  const answers = answersOf(new FormData(e.target));
  const err = root.querySelector('.err');
  if (form.questions.some((q) => q.required && answers[q.no] === undefined)) { err.textContent = t('required'); err.hidden = false; return; }
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ answers }) });
    if (r.status === 422) { err.textContent = t('invalid'); err.hidden = false; return; }
    state = r.ok ? 'done' : r.status === 410 ? 'gone' : r.status === 404 ? 'missing' : 'network';
  } catch { state = 'network'; }
  render();
}

async function load() {
  try {
    const r = await fetch(url);
    if (r.ok) { form = await r.json(); state = 'form'; } else state = r.status === 410 ? 'gone' : r.status === 404 ? 'missing' : 'network';
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
