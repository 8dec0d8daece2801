// The customer portal and lobby kiosk (M13, M14): FAQ and information search, news and
// promotions (./kb.js), repair status lookup by code and phone tail, warranty
// registration with the immediate answer, and (./shop.js) orders, the battery check and
// feedback. No login, no framework: one small module that works on a phone, a desktop
// and a kiosk (?kiosk=1: large type and touch targets, back home with every field
// cleared after ?idle= seconds, default 60).
import { byLang } from '../lib/bilingual.js';
import { KB_MESSAGES, searchPanel, listPanel, idleReset } from './kb.js';
import { shopTabs, orderPanel, batteryPanel, feedbackPanel } from './shop.js';

const M = byLang({
  title: ['售后服务', 'After-Sales Service'],
  tab_status: ['维修进度查询', 'Repair status'],
  tab_warranty: ['保修登记', 'Warranty registration'],
  code: ['维修单号', 'Repair code'],
  code_hint: ['例如 R2611240001', 'e.g. R2611240001'],
  tail: ['手机号后四位', 'Last 4 digits of your phone'],
  look: ['查询', 'Look up'],
  not_found: ['没有找到这个维修单，请核对单号和手机号后四位。', 'No repair found; check the code and the last four digits of your phone.'],
  too_many: ['查询失败次数过多，请稍后再试。', 'Too many failed lookups; please try again later.'],
  network: ['无法连接服务器，请检查网络。', 'Cannot reach the server; check your network.'],
  status_now: ['当前状态', 'Current status'],
  outlet: ['维修网点', 'Service outlet'],
  phone: ['电话', 'Phone'],
  customer: ['客户', 'Customer'],
  name: ['姓名', 'Name'],
  mobile: ['手机号', 'Mobile phone'],
  email: ['邮箱（可选）', 'Email (optional)'],
  model: ['产品型号', 'Model'],
  choose: ['请选择型号', 'Choose your model'],
  serial: ['序列号', 'Serial number'],
  serial_hint: ['4-32 位字母、数字或短横线，见机身铭牌', '4-32 letters, digits or dashes, on the product label'],
  purchase: ['购买日期', 'Purchase date'],
  dealer: ['购买商店（可选）', 'Shop (optional)'],
  register: ['登记保修', 'Register warranty'],
  registered: ['登记成功！您的产品保修至 {date}。', 'Registered! Your product is covered until {date}.'],
  already: ['此产品已经登记在您名下，保修至 {date}。', 'This product is already registered to you; covered until {date}.'],
  refused: ['未能登记：', 'Not registered: '],
  required: ['必填', 'required'],
  in_warranty: ['保修内', 'In warranty'],
  paid: ['付费维修', 'Paid repair'],
  quote: ['报价', 'Quote'],
  'e.unknown_model': ['型号不存在。', 'Unknown model.'],
  'e.invalid_serial': ['序列号格式不对（4-32 位字母、数字或短横线）。', 'Malformed serial number (4-32 letters, digits or dashes).'],
  'e.serial_taken': ['这个序列号已经由其他人登记。', 'This serial number is already registered to someone else.'],
  'e.invalid_purchase_date': ['购买日期不对：', 'Invalid purchase date: '],
  'e.validation_failed': ['请检查标红的项目。', 'Please check the fields marked in red.'],
  'e.rate_limited': ['操作太频繁，请稍后再试。', 'Too many requests; please wait a moment.'],
  'r.in the future': ['购买日期不能晚于今天。', 'the purchase date is in the future.'],
  'r.before launch': ['购买日期早于该型号上市日期。', 'the purchase date is before the model was launched.'],
  'rs.registered': ['已登记', 'Registered'],
  'rs.received': ['网点已收件', 'Received at the outlet'],
  'rs.diagnosing': ['检测中', 'Diagnosing'],
  'rs.quoted': ['已报价，待您确认', 'Quoted, waiting for your approval'],
  'rs.approved': ['您已确认报价', 'Quote approved'],
  'rs.waiting_parts': ['等待零件', 'Waiting for parts'],
  'rs.repairing': ['维修中', 'Repairing'],
  'rs.repaired': ['已修好，可取件', 'Repaired, ready for pick-up'],
  'rs.delivered': ['已交付', 'Handed back'],
  'rs.cancelled': ['已取消', 'Cancelled'],
  // the server's reasons for a field (error.fields), as the customer reads them
  'r.the name is missing, too long or not valid text': ['请填写姓名（不超过 100 字）', 'Enter your name (at most 100 characters)'],
  'r.the phone is not a valid Chinese mobile or landline number': ['请填写有效的手机号或座机号码', 'Enter a valid Chinese mobile or landline number'],
  'r.the email address is not valid': ['邮箱地址格式不对', 'This email address is not valid'],
  'r.a phone or an email is required': ['请填写手机号或邮箱', 'Enter a mobile phone or an email'],
  'r.4 to 32 letters, digits or dashes': ['4-32 位字母、数字或短横线', '4-32 letters, digits or dashes'],
  'r.unknown model': ['型号不存在', 'Unknown model'],
});

for (const l of ['zh-CN', 'en']) Object.assign(M[l], KB_MESSAGES[l]);
const params = new URLSearchParams(location.search);
const kiosk = params.get('kiosk') === '1' || location.pathname.replace(/\/+$/, '') === '/kiosk';
if (kiosk) { document.body.classList.add('kiosk'); document.documentElement.classList.add('kiosk'); }
const TABS = ['search', 'news', 'promotions', 'status', 'warranty'];
const HOME_TAB = kiosk ? 'search' : 'status';
let lang = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
try { const s = localStorage.getItem('aftersales.lang'); if (s === 'en' || s === 'zh-CN') lang = s; } catch { /* private mode */ }
let tab = [...TABS, 'order', 'battery', 'feedback'].includes(params.get('tab')) ? params.get('tab') : HOME_TAB;
let models = null;
const app = document.getElementById('app');

const t = (k, p = {}) => (M[lang][k] ?? M.en[k] ?? k).replace(/\{(\w+)\}/g, (_, x) => p[x] ?? '');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (iso) => new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  let json = null;
  try { json = await res.json(); } catch { /* empty */ }
  return { status: res.status, json };
}

function setLang(l) {
  lang = l;
  try { localStorage.setItem('aftersales.lang', l); } catch { /* private mode */ }
  render();
}

function render() {
  document.documentElement.lang = lang;
  document.title = t('title');
  document.querySelector('[data-i18n="title"]').textContent = t('title');
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  app.innerHTML = `
    <nav class="tabs" role="tablist">
      ${TABS.map((k) => `<button type="button" role="tab" id="tab-${k}" aria-selected="${tab === k}">${esc(t('tab_' + k))}</button>`).join('')}
      ${shopTabs(lang).map(([id, label]) => `<button type="button" role="tab" id="tab-${id}" data-tab="${id}" aria-selected="${tab === id}">${esc(label)}</button>`).join('')}
    </nav>
    <div id="panel"></div>`;
  for (const k of TABS) app.querySelector('#tab-' + k).onclick = () => { tab = k; render(); };
  for (const b of app.querySelectorAll('[data-tab]')) b.onclick = () => { tab = b.dataset.tab; render(); };
  const ctx = { t, esc, call, lang, fmt };
  const panel = app.querySelector('#panel');
  if (tab === 'status') statusPanel();
  else if (tab === 'warranty') warrantyPanel();
  else if (tab === 'search') searchPanel(panel, ctx);
  else if (tab === 'order') orderPanel(panel, lang);
  else if (tab === 'battery') batteryPanel(panel, lang);
  else if (tab === 'feedback') feedbackPanel(panel, lang, kiosk ? 'kiosk' : 'portal');
  else listPanel(panel, ctx, tab === 'news' ? 'news' : 'promotion', t('tab_' + tab));
}

function statusPanel() {
  const panel = app.querySelector('#panel');
  panel.innerHTML = `
    <section class="card">
      <h2>${esc(t('tab_status'))}</h2>
      <form id="status-form" novalidate>
        <label for="code">${esc(t('code'))}</label>
        <input id="code" name="code" autocomplete="off" autocapitalize="characters" placeholder="${esc(t('code_hint'))}" required>
        <label for="tail">${esc(t('tail'))}</label>
        <input id="tail" name="phone_tail" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" required>
        <button class="primary" type="submit">${esc(t('look'))}</button>
      </form>
      <div id="status-answer"></div>
    </section>`;
  const form = panel.querySelector('#status-form');
  if (params.get('code')) form.code.value = params.get('code');
  if (params.get('lang') === 'en' || params.get('lang') === 'zh-CN') lang = params.get('lang');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const out = panel.querySelector('#status-answer');
    const code = form.code.value.trim().toUpperCase();
    const tail = form.phone_tail.value.trim();
    let ok = true;
    for (const [input, good] of [[form.code, !!code], [form.phone_tail, /^\d{4}$/.test(tail)]]) {
      input.setAttribute('aria-invalid', String(!good));
      ok = ok && good;
    }
    if (!ok) return;
    let r;
    try { r = await call('GET', `/api/v1/public/repairs/${encodeURIComponent(code)}?phone_tail=${encodeURIComponent(tail)}`); } catch {
      out.innerHTML = `<div class="answer bad" role="alert">${esc(t('network'))}</div>`; return;
    }
    if (r.status === 200) {
      const j = r.json;
      out.innerHTML = `<div class="answer ok" data-repair="${esc(j.code)}">
        <div class="muted">${esc(t('status_now'))}</div>
        <div class="status" data-status="${esc(j.status)}">${esc(t('rs.' + j.status))}</div>
        <div>${esc(j.code)} · ${esc(j.product?.model || '')} · ${esc(t('customer'))} ${esc(j.customer.surname)}</div>
        ${j.in_warranty === null ? '' : `<div>${esc(j.in_warranty ? t('in_warranty') : t('paid'))}</div>`}
        ${j.quote_fen ? `<div>${esc(t('quote'))}: ¥${(j.quote_fen / 100).toFixed(2)}</div>` : ''}
        ${j.outlet ? `<div>${esc(t('outlet'))}: ${esc(j.outlet.name)}${j.outlet.phone ? ` · ${esc(t('phone'))} <a href="tel:${esc(j.outlet.phone)}">${esc(j.outlet.phone)}</a>` : ''}</div>` : ''}
        <ol class="timeline">${j.timeline.map((e) => `<li data-status="${esc(e.status)}">${esc(t('rs.' + e.status))} <span class="muted">${esc(fmt(e.at))}</span></li>`).join('')}</ol>
      </div>`;
    } else {
      out.innerHTML = `<div class="answer bad" role="alert">${esc(r.status === 429 ? t('too_many') : t('not_found'))}</div>`;
    }
  };
}

async function warrantyPanel() {
  const panel = app.querySelector('#panel');
  if (!models) {
    const r = await call('GET', '/api/v1/public/models').catch(() => null);
    models = r?.status === 200 ? r.json.items : [];
  }
  const groups = {};
  for (const m of models) (groups[m.product_line.code] ??= { line: m.product_line, items: [] }).items.push(m);
  panel.innerHTML = `
    <section class="card">
      <h2>${esc(t('tab_warranty'))}</h2>
      <form id="warranty-form" novalidate>
        <label for="w-name">${esc(t('name'))}</label><input id="w-name" name="name" autocomplete="name" required><div class="err" id="e-name"></div>
        <label for="w-phone">${esc(t('mobile'))}</label><input id="w-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required><div class="err" id="e-phone"></div>
        <label for="w-email">${esc(t('email'))}</label><input id="w-email" name="email" type="email" autocomplete="email"><div class="err" id="e-email"></div>
        <label for="w-model">${esc(t('model'))}</label>
        <select id="w-model" name="model" required><option value="">${esc(t('choose'))}</option>
          ${Object.values(groups).map((g) => `<optgroup label="${esc(lang === 'en' && g.line.name_en ? g.line.name_en : g.line.name)}">
            ${g.items.map((m) => `<option value="${esc(m.code)}">${esc(m.name)} (${esc(m.code)})</option>`).join('')}</optgroup>`).join('')}
        </select><div class="err" id="e-model"></div>
        <label for="w-serial">${esc(t('serial'))}</label><input id="w-serial" name="serial" autocapitalize="characters" required>
        <div class="hint">${esc(t('serial_hint'))}</div><div class="err" id="e-serial"></div>
        <label for="w-date">${esc(t('purchase'))}</label><input id="w-date" name="purchase_date" type="date" max="${today()}" required><div class="err" id="e-purchase_date"></div>
        <label for="w-dealer">${esc(t('dealer'))}</label><input id="w-dealer" name="dealer">
        <button class="primary" type="submit">${esc(t('register'))}</button>
      </form>
      <div id="warranty-answer"></div>
    </section>`;
  const form = panel.querySelector('#warranty-form');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const out = panel.querySelector('#warranty-answer');
    const body = {};
    for (const k of ['name', 'phone', 'email', 'model', 'serial', 'purchase_date', 'dealer']) {
      const v = form.elements[k].value.trim();
      if (v) body[k] = v;
      form.elements[k].removeAttribute('aria-invalid');
      const el = panel.querySelector('#e-' + k);
      if (el) el.textContent = '';
    }
    const button = form.querySelector('button');
    button.disabled = true;
    let r;
    try { r = await call('POST', '/api/v1/public/warranty-registrations', body); } catch {
      out.innerHTML = `<div class="answer bad" role="alert">${esc(t('network'))}</div>`; button.disabled = false; return;
    } finally { button.disabled = false; }
    if (r.status === 201 || r.status === 200) {
      out.innerHTML = `<div class="answer ok" role="status" data-until="${esc(r.json.warranty_until)}">${esc(t(r.status === 201 ? 'registered' : 'already', { date: r.json.warranty_until }))}</div>`;
      return;
    }
    const err = r.json?.error || {};
    let msg = t('e.' + err.code);
    if (err.code === 'invalid_purchase_date') msg += /future/.test(err.message) ? t('r.in the future') : /launch/.test(err.message) ? t('r.before launch') : '';
    for (const [f, reason] of Object.entries(err.fields || {})) {
      const input = form.elements[f];
      if (input) input.setAttribute('aria-invalid', 'true');
      const el = panel.querySelector('#e-' + f);
      if (el) el.textContent = reason === 'required' ? t('required') : t('r.' + reason) === 'r.' + reason ? reason : t('r.' + reason);
    }
    out.innerHTML = `<div class="answer bad" role="alert" data-error="${esc(err.code || '')}">${esc(t('refused'))}${esc(msg)}</div>`;
  };
}

for (const b of document.querySelectorAll('[data-lang]')) b.onclick = () => setLang(b.dataset.lang);
render();
if (kiosk) {
  const idle = Number(params.get('idle'));
  // home again for the next visitor: first tab, nothing typed, nothing shown
  idleReset(idle > 0 ? idle : 60, () => { tab = HOME_TAB; if (document.activeElement) document.activeElement.blur(); render(); });
}
