// The portal's order, battery-check and feedback pages (M13, M14): place an order of
// accessories, look it up by order code and the phone's last four digits, change or
// cancel it until it ships; check a battery's serial; leave feedback. Plain DOM, sized
// for a phone first. portal.js mounts each panel into its tab.
import { byLang } from '../lib/bilingual.js';

const M = byLang({
  tab_order: ['配件与产品订购', 'Order accessories and products'],
  tab_battery: ['电池验真', 'Battery check'],
  tab_feedback: ['意见反馈', 'Feedback'],
  shop: ['订购原装配件和产品', 'Order genuine accessories and products'],
  qty: ['数量', 'Qty'],
  name: ['姓名', 'Name'],
  mobile: ['手机号', 'Mobile phone'],
  address: ['收货地址', 'Delivery address'],
  place: ['提交订单', 'Place order'],
  placed: ['订单已提交，订单号 {code}。确认短信将发送到您的手机。', 'Order placed: {code}. A confirmation will be sent to your phone.'],
  none: ['请至少选择一件商品。', 'Choose at least one item.'],
  mine: ['查询 / 修改我的订单', 'Look up or change my order'],
  code: ['订单号', 'Order code'],
  tail: ['手机号后四位', 'Last 4 digits of your phone'],
  look: ['查询', 'Look up'],
  not_found: ['没有找到这个订单，请核对订单号和手机号后四位。', 'No order found; check the code and the last four digits of your phone.'],
  too_many: ['查询失败次数过多，请稍后再试。', 'Too many failed lookups; please try again later.'],
  network: ['无法连接服务器，请检查网络。', 'Cannot reach the server; check your network.'],
  total: ['合计', 'Total'],
  paid: ['已付款', 'Paid'],
  unpaid: ['未付款', 'Not paid'],
  save: ['保存修改', 'Save changes'],
  saved: ['订单已修改。', 'Your order was changed.'],
  cancel: ['取消订单', 'Cancel order'],
  cancelled: ['订单已取消。', 'Your order was cancelled.'],
  locked: ['订单已发货或已结束，不能再修改。', 'The order has shipped or is closed; it can no longer be changed.'],
  'e.out_of_stock': ['库存不足：', 'Not enough stock: '],
  'e.not_modifiable': ['订单已发货，不能再修改。', 'The order has shipped and can no longer be changed.'],
  'e.invalid_transition': ['订单已发货，不能取消。', 'The order has shipped and can no longer be cancelled.'],
  'e.validation_failed': ['请检查填写的内容。', 'Please check what you entered.'],
  'e.unknown_part': ['商品不存在：', 'No such item: '],
  'e.rate_limited': ['操作太频繁，请稍后再试。', 'Too many requests; please wait a moment.'],
  'os.placed': ['已下单', 'Placed'],
  'os.confirmed': ['已确认', 'Confirmed'],
  'os.picked': ['已备货', 'Picked'],
  'os.shipped': ['已发货', 'Shipped'],
  'os.delivered': ['已签收', 'Delivered'],
  'os.cancelled': ['已取消', 'Cancelled'],
  'os.returned': ['已退货', 'Returned'],
  'os.modified': ['已修改', 'Changed'],
  battery: ['原装电池验真', 'Is my battery genuine?'],
  serial: ['电池序列号', 'Battery serial number'],
  check: ['验证', 'Check'],
  genuine: ['这是索尼原装电池。', 'This is a genuine battery.'],
  unknown: ['没有找到这个序列号，它可能不是原装电池。如有疑问请联系服务网点。', 'This serial is unknown: the battery may not be genuine. Ask a service outlet if in doubt.'],
  bad_serial: ['序列号为 4-40 位字母、数字或短横线。', 'A serial number is 4 to 40 letters, digits or dashes.'],
  fb: ['意见反馈', 'Tell us what you think'],
  category: ['类别', 'Category'],
  text: ['内容', 'Your feedback'],
  contact: ['联系方式（可选，手机号或邮箱）', 'Contact (optional: phone or email)'],
  outlet: ['网点代码（可选）', 'Outlet code (optional)'],
  send: ['提交', 'Send'],
  thanks: ['感谢您的反馈！编号 {code}。', 'Thank you for your feedback! Reference {code}.'],
  'c.praise': ['表扬', 'Praise'], 'c.suggestion': ['建议', 'Suggestion'], 'c.complaint': ['投诉', 'Complaint'],
  'c.product': ['产品', 'Product'], 'c.service': ['服务', 'Service'], 'c.other': ['其他', 'Other'],
});

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  let json = null;
  try { json = await res.json(); } catch { /* empty */ }
  return { status: res.status, json };
}

/** The tabs this file adds: [id, label] in the language. */
export function shopTabs(lang) {
  return [['order', M[lang].tab_order], ['battery', M[lang].tab_battery], ['feedback', M[lang].tab_feedback]];
}

function tr(lang) { return (k, p = {}) => (M[lang][k] ?? M.en[k] ?? k).replace(/\{(\w+)\}/g, (_, x) => p[x] ?? ''); }

let accessories = null;

function errorText(t, r) {
  if (r.status === 404) return t('not_found');
  if (r.status === 429) return t('too_many');
  const e = r.json?.error || {};
  const f = Object.values(e.fields || {})[0];
  return (t('e.' + e.code) === 'e.' + e.code ? e.message || '' : t('e.' + e.code)) + (['out_of_stock', 'unknown_part'].includes(e.code) && f ? f : '');
}

function orderHtml(t, lang, o) {
  const desc = (l) => (lang === 'en' && l.description_en ? l.description_en : l.description);
  return `<div class="answer ok" data-order="${esc(o.code)}">
    <div class="status" data-status="${esc(o.status)}">${esc(o.code)} · ${esc(t('os.' + o.status))}</div>
    <form id="o-edit" novalidate>
      ${o.lines.map((l) => `<label for="ol-${esc(l.part)}">${esc(desc(l))} · ${esc(yuan(l.price_fen))}</label>
        <input id="ol-${esc(l.part)}" data-line="${esc(l.part)}" type="number" min="0" max="99" inputmode="numeric" value="${l.qty}" ${o.modifiable ? '' : 'disabled'}>`).join('')}
      <div style="margin-top:10px"><b>${esc(t('total'))}: <span data-total="${o.total_fen}">${esc(yuan(o.total_fen))}</span></b> · ${esc(o.payment.paid ? t('paid') : t('unpaid'))}</div>
      ${o.modifiable ? `<button class="primary" type="submit" id="o-save">${esc(t('save'))}</button>
        <button class="primary" type="button" id="o-cancel" style="background:var(--bad)">${esc(t('cancel'))}</button>` : `<div class="hint" id="o-locked">${esc(t('locked'))}</div>`}
    </form>
    <ol class="timeline">${o.events.map((e) => `<li data-status="${esc(e.status)}">${esc(t('os.' + e.status))}</li>`).join('')}</ol>
  </div>`;
}

function mineSection(panel, t, lang, code, tail) {
  const out = panel.querySelector('#o-answer');
  const form = panel.querySelector('#o-look');
  if (code) form.code.value = code;
  if (tail) form.phone_tail.value = tail;
  const show = (o, note) => {
    out.innerHTML = (note ? `<div class="answer ok" role="status" id="o-note">${esc(note)}</div>` : '') + orderHtml(t, lang, o);
    const edit = out.querySelector('#o-edit');
    const path = `/api/v1/public/orders/${encodeURIComponent(o.code)}?phone_tail=${encodeURIComponent(form.phone_tail.value.trim())}`;
    const fail = (r) => { out.insertAdjacentHTML('afterbegin', `<div class="answer bad" role="alert">${esc(errorText(t, r))}</div>`); };
    edit.onsubmit = async (e) => {
      e.preventDefault();
      const lines = [...edit.querySelectorAll('[data-line]')].map((i) => ({ part: i.dataset.line, qty: Number(i.value) })).filter((l) => l.qty > 0);
      const r = await call('PATCH', path, { lines }).catch(() => ({ status: 0 }));
      if (r.status === 200) show(r.json, t('saved')); else fail(r);
    };
    const cancel = out.querySelector('#o-cancel');
    if (cancel) cancel.onclick = async () => {
      const r = await call('POST', path.replace('?', '/cancel?')).catch(() => ({ status: 0 }));
      if (r.status === 200) show(r.json, t('cancelled')); else fail(r);
    };
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    const c = form.code.value.trim().toUpperCase(), tl = form.phone_tail.value.trim();
    form.code.setAttribute('aria-invalid', String(!c));
    form.phone_tail.setAttribute('aria-invalid', String(!/^\d{4}$/.test(tl)));
    if (!c || !/^\d{4}$/.test(tl)) return;
    let r;
    try { r = await call('GET', `/api/v1/public/orders/${encodeURIComponent(c)}?phone_tail=${encodeURIComponent(tl)}`); } catch { out.innerHTML = `<div class="answer bad" role="alert">${esc(t('network'))}</div>`; return; }
    if (r.status === 200) show(r.json); else out.innerHTML = `<div class="answer bad" role="alert">${esc(errorText(t, r))}</div>`;
  };
  if (code && tail) form.requestSubmit();
}

export async function orderPanel(panel, lang) {
  const t = tr(lang);
  if (!accessories) {
    const r = await call('GET', '/api/v1/public/accessories').catch(() => null);
    accessories = r?.status === 200 ? r.json.items : [];
  }
  const desc = (a) => (lang === 'en' && a.description_en ? a.description_en : a.description);
  panel.innerHTML = `
    <section class="card">
      <h2>${esc(t('shop'))}</h2>
      <form id="o-place" novalidate>
        ${accessories.map((a) => `<label for="q-${esc(a.part)}">${esc(desc(a))} · ${esc(yuan(a.price_fen))}</label>
          <input id="q-${esc(a.part)}" data-part="${esc(a.part)}" type="number" min="0" max="99" inputmode="numeric" value="0">`).join('')}
        <label for="o-name">${esc(t('name'))}</label><input id="o-name" name="name" autocomplete="name" required>
        <label for="o-phone">${esc(t('mobile'))}</label><input id="o-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required>
        <label for="o-address">${esc(t('address'))}</label><input id="o-address" name="address" autocomplete="street-address">
        <button class="primary" type="submit">${esc(t('place'))}</button>
      </form>
      <div id="o-placed"></div>
    </section>
    <section class="card">
      <h2>${esc(t('mine'))}</h2>
      <form id="o-look" novalidate>
        <label for="o-code">${esc(t('code'))}</label><input id="o-code" name="code" autocomplete="off" autocapitalize="characters" required>
        <label for="o-tail">${esc(t('tail'))}</label><input id="o-tail" name="phone_tail" inputmode="numeric" maxlength="4" required>
        <button class="primary" type="submit">${esc(t('look'))}</button>
      </form>
      <div id="o-answer"></div>
    </section>`;
  const form = panel.querySelector('#o-place');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const out = panel.querySelector('#o-placed');
    const lines = [...form.querySelectorAll('[data-part]')].map((i) => ({ part: i.dataset.part, qty: Number(i.value) })).filter((l) => l.qty > 0);
    if (!lines.length) { out.innerHTML = `<div class="answer bad" role="alert">${esc(t('none'))}</div>`; return; }
    const body = { name: form.name.value.trim(), phone: form.phone.value.trim(), lines };
    if (form.address.value.trim()) body.address = form.address.value.trim();
    for (const k of ['name', 'phone']) form[k].removeAttribute('aria-invalid');
    const r = await call('POST', '/api/v1/public/orders', body).catch(() => ({ status: 0 }));
    if (r.status === 201) {
      out.innerHTML = `<div class="answer ok" role="status" data-placed="${esc(r.json.code)}">${esc(t('placed', { code: r.json.code }))}</div>`;
      mineSection(panel, t, lang, r.json.code, body.phone.replace(/\D/g, '').slice(-4));
      return;
    }
    for (const f of Object.keys(r.json?.error?.fields || {})) if (form[f]) form[f].setAttribute('aria-invalid', 'true');
    out.innerHTML = `<div class="answer bad" role="alert">${esc(r.status ? errorText(t, r) : t('network'))}</div>`;
  };
  mineSection(panel, t, lang);
}

export function batteryPanel(panel, lang) {
  const t = tr(lang);
  panel.innerHTML = `<section class="card"><h2>${esc(t('battery'))}</h2>
    <form id="b-form" novalidate><label for="b-serial">${esc(t('serial'))}</label>
      <input id="b-serial" name="serial" autocomplete="off" autocapitalize="characters" required>
      <button class="primary" type="submit">${esc(t('check'))}</button></form><div id="b-answer"></div></section>`;
  const form = panel.querySelector('#b-form');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const out = panel.querySelector('#b-answer');
    const s = form.serial.value.trim();
    if (!/^[A-Za-z0-9-]{4,40}$/.test(s)) { out.innerHTML = `<div class="answer bad" role="alert">${esc(t('bad_serial'))}</div>`; return; }
    const r = await call('GET', `/api/v1/public/battery/${encodeURIComponent(s)}`).catch(() => ({ status: 0 }));
    if (r.status !== 200) { out.innerHTML = `<div class="answer bad" role="alert">${esc(r.status === 429 ? t('too_many') : t('network'))}</div>`; return; }
    const g = r.json.result === 'genuine';
    out.innerHTML = `<div class="answer ${g ? 'ok' : 'bad'}" data-result="${g ? 'genuine' : 'unknown'}">${esc(g ? t('genuine') : t('unknown'))}</div>`;
  };
}

export function feedbackPanel(panel, lang, channel = 'portal') {
  const t = tr(lang);
  const cats = ['praise', 'suggestion', 'complaint', 'product', 'service', 'other'];
  panel.innerHTML = `<section class="card"><h2>${esc(t('fb'))}</h2>
    <form id="f-form" novalidate>
      <label for="f-category">${esc(t('category'))}</label><select id="f-category" name="category">${cats.map((c) => `<option value="${c}">${esc(t('c.' + c))}</option>`).join('')}</select>
      <label for="f-text">${esc(t('text'))}</label><textarea id="f-text" name="text" rows="4" maxlength="2000" required style="width:100%;padding:12px;font:inherit;border:1px solid var(--line);border-radius:8px"></textarea>
      <label for="f-contact">${esc(t('contact'))}</label><input id="f-contact" name="contact" autocomplete="tel">
      <label for="f-outlet">${esc(t('outlet'))}</label><input id="f-outlet" name="outlet" autocapitalize="characters">
      <button class="primary" type="submit">${esc(t('send'))}</button></form><div id="f-answer"></div></section>`;
  const form = panel.querySelector('#f-form');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const out = panel.querySelector('#f-answer');
    const body = { channel, category: form.category.value, text: form.text.value.trim() };
    if (form.contact.value.trim()) body.contact = form.contact.value.trim();
    if (form.outlet.value.trim()) body.outlet = form.outlet.value.trim().toUpperCase();
    form.text.setAttribute('aria-invalid', String(!body.text));
    if (!body.text) return;
    const r = await call('POST', '/api/v1/public/feedback', body).catch(() => ({ status: 0 }));
    if (r.status === 201) { form.reset(); out.innerHTML = `<div class="answer ok" role="status" data-feedback="${esc(r.json.code)}">${esc(t('thanks', { code: r.json.code }))}</div>`; return; }
    for (const f of Object.keys(r.json?.error?.fields || {})) if (form[f]) form[f].setAttribute('aria-invalid', 'true');
    out.innerHTML = `<div class="answer bad" role="alert">${esc(r.status ? errorText(t, r) : t('network'))}</div>`;
  };
}
