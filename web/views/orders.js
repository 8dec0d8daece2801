// Order handling (M13) at outlets and in the center: the order list with filters and
// CSV/XLSX downloads, taking an order (outlet staff at their own outlet), and one
// order's detail with its lines, the next state's buttons, changing the lines while
// it has not shipped, and payment. Feedback (M14) is listed in the voice-of-the-customer
// screen (views/feedback.js); #/orders/feedback, where it used to be, goes there.
// Hash routes: #/orders, #/orders/<code>
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

registerMessages(byLang({
  'or.title': ['订单', 'Orders'],
  'or.new': ['新建订单', 'New order'],
  'or.code': ['订单号', 'Order'],
  'or.status': ['状态', 'Status'],
  'or.all': ['全部', 'All'],
  'or.channel': ['渠道', 'Channel'],
  'or.ch.online': ['网上', 'Online'],
  'or.ch.outlet': ['网点', 'Outlet'],
  'or.outlet': ['网点', 'Outlet'],
  'or.outlet_hint': ['网点代码；留空为网上订单（中心仓发货）', 'Outlet code; empty for an online order (central warehouse)'],
  'or.customer': ['客户', 'Customer'],
  'or.customer_code': ['客户编号（或填写姓名和电话）', 'Customer code (or give name and phone)'],
  'or.name': ['姓名', 'Name'],
  'or.phone': ['电话', 'Phone'],
  'or.address': ['地址', 'Address'],
  'or.note': ['备注', 'Note'],
  'or.total': ['金额（元）', 'Total (yuan)'],
  'or.paid': ['付款', 'Payment'],
  'or.paid_yes': ['已付', 'Paid'],
  'or.paid_no': ['未付', 'Unpaid'],
  'or.placed_at': ['下单时间', 'Placed'],
  'or.lines': ['商品', 'Items'],
  'or.part': ['零件号', 'Part'],
  'or.qty': ['数量', 'Qty'],
  'or.price': ['单价（元）', 'Price (yuan)'],
  'or.add_line': ['添加一行', 'Add a line'],
  'or.create': ['提交订单', 'Place order'],
  'or.created': ['已创建订单 {code}', 'Order {code} created'],
  'or.save_lines': ['保存商品', 'Save items'],
  'or.lines_saved': ['商品已修改', 'Items changed'],
  'or.locked': ['订单已发货或已结束，不能再修改。', 'The order has shipped or is closed; its items can no longer change.'],
  'or.to': ['转为：{s}', 'Mark {s}'],
  'or.method': ['付款方式', 'Method'],
  'or.reference': ['付款流水号', 'Reference'],
  'or.record_paid': ['记录已付款', 'Record as paid'],
  'or.record_unpaid': ['改为未付款', 'Mark unpaid'],
  'or.events': ['经过', 'History'],
  'or.back': ['返回订单列表', 'Back to orders'],
  'or.warehouse': ['发货仓库', 'Warehouse'],
  'or.feedback': ['客户反馈', 'Customer feedback'],
  'os.placed': ['已下单', 'Placed'], 'os.confirmed': ['已确认', 'Confirmed'], 'os.picked': ['已备货', 'Picked'],
  'os.shipped': ['已发货', 'Shipped'], 'os.delivered': ['已签收', 'Delivered'], 'os.cancelled': ['已取消', 'Cancelled'],
  'os.returned': ['已退货', 'Returned'], 'os.modified': ['已修改', 'Changed'],
  'pm.cash': ['现金', 'Cash'], 'pm.card': ['银行卡', 'Card'], 'pm.wechat': ['微信支付', 'WeChat Pay'],
  'pm.alipay': ['支付宝', 'Alipay'], 'pm.transfer': ['转账', 'Transfer'], 'pm.other': ['其他', 'Other'],
  'error.out_of_stock': ['库存不足。', 'Not enough stock.'],
  'error.not_modifiable': ['订单已发货，不能再修改。', 'The order has shipped and can no longer be changed.'],
  'error.invalid_transition': ['订单不能转到这个状态。', 'The order cannot move to this status.'],
  'error.unknown_part': ['零件号不存在。', 'No part with this number.'],
}));

const STATUSES = ['placed', 'confirmed', 'picked', 'shipped', 'delivered', 'cancelled', 'returned'];
const NEXT = { placed: ['confirmed', 'cancelled'], confirmed: ['picked', 'cancelled'], picked: ['shipped', 'cancelled'],
  shipped: ['delivered', 'returned'], delivered: ['returned'], cancelled: [], returned: [] };
const METHODS = ['cash', 'card', 'wechat', 'alipay', 'transfer', 'other'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:0 16px';
const yuan = (fen) => (fen / 100).toFixed(2);
const OUTLET_ROLES = ['outlet_manager', 'technician'];

function Lines({ lines, setLines, prefix }) {
  const set = (i, k) => (e) => setLines(lines.map((l, j) => (j === i ? { ...l, [k]: e.currentTarget.value } : l)));
  return html`<div data-testid=${prefix + '-lines'}>
    ${lines.map((l, i) => html`<div key=${i} style="display:flex;gap:8px;align-items:end">
      <${Field} label=${t('or.part')} name=${`${prefix}_part_${i}`} value=${l.part} onInput=${set(i, 'part')} />
      <${Field} label=${t('or.qty')} name=${`${prefix}_qty_${i}`} value=${l.qty} onInput=${set(i, 'qty')} inputmode="numeric" type="number" min="0" max="99" />
    </div>`)}
    <${Button} variant="secondary" onClick=${() => setLines([...lines, { part: '', qty: '1' }])}>${t('or.add_line')}</${Button}>
  </div>`;
}
const cleanLines = (lines) => lines.filter((l) => l.part.trim() && Number(l.qty) > 0)
  .map((l) => ({ part: l.part.trim().toUpperCase(), qty: Number(l.qty) }));

function NewOrder({ user, onCreated }) {
  const [f, setF] = useState({ customer: '', name: '', phone: '', address: '', outlet: '' });
  const [lines, setLines] = useState([{ part: '', qty: '1' }]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const outletStaff = OUTLET_ROLES.includes(user.role);
  async function submit(e) {
    e.preventDefault();
    setError(null); setBusy(true);
    const body = { lines: cleanLines(lines) };
    for (const k of ['customer', 'name', 'phone', 'address']) if (f[k].trim()) body[k] = f[k].trim();
    if (!outletStaff && f.outlet.trim()) body.outlet = f.outlet.trim().toUpperCase();
    try { const r = await api.post('/orders', body); onCreated(r); } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  return html`<form style=${CARD} onSubmit=${submit} data-testid="order-form" novalidate>
    <h2>${t('or.new')}</h2>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    <div style=${grid}>
      <${Field} label=${t('or.customer_code')} name="customer" value=${f.customer} onInput=${set('customer')} error=${fe.customer} />
      <${Field} label=${t('or.name')} name="name" value=${f.name} onInput=${set('name')} error=${fe.name} />
      <${Field} label=${t('or.phone')} name="phone" value=${f.phone} onInput=${set('phone')} type="tel" error=${fe.phone} />
      <${Field} label=${t('or.address')} name="address" value=${f.address} onInput=${set('address')} />
      ${outletStaff ? null : html`<${Field} label=${t('or.outlet')} name="outlet" value=${f.outlet} onInput=${set('outlet')} hint=${t('or.outlet_hint')} error=${fe.outlet} />`}
    </div>
    <${Lines} lines=${lines} setLines=${setLines} prefix="new" />
    ${fe.lines || Object.keys(fe).find((k) => k.startsWith('lines[')) ? html`<div class="field-error">${fe.lines || Object.values(fe)[0]}</div>` : null}
    <${Button} type="submit" busy=${busy}>${t('or.create')}</${Button}>
  </form>`;
}

function Detail({ code }) {
  const [o, setO] = useState(null);
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const [lines, setLines] = useState([]);
  const [pay, setPay] = useState({ method: 'cash', reference: '' });
  const [busy, setBusy] = useState(false);
  const show = (r, msg = '') => { setO(r); setLines(r.lines.map((l) => ({ part: l.part, qty: String(l.qty) }))); setNote(msg); };
  useEffect(() => { api.get(`/orders/${encodeURIComponent(code)}`).then((r) => show(r), setError); }, [code]);
  async function act(fn, msg) {
    setError(null); setBusy(true);
    try { show(await fn(), msg); } catch (err) { setError(err); }
    setBusy(false);
  }
  if (!o) return error ? html`<${ErrorBanner} error=${error} />` : html`<${Loading} />`;
  const desc = (l) => (getLang() === 'en' && l.description_en ? l.description_en : l.description);
  return html`<div data-order=${o.code} data-status=${o.status}>
    <p><a href="#/orders">${t('or.back')}</a></p>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${note ? html`<${Notice} tone="success"><span data-testid="order-note">${note}</span></${Notice}>` : null}
    <div style=${CARD}>
      <h2>${o.code} · <span data-testid="order-status">${t('os.' + o.status)}</span></h2>
      <div style=${grid}>
        <div>${t('or.customer')}: <a href=${'#/customers/' + o.customer.code}>${o.customer.name}</a> (${o.customer.code})</div>
        <div>${t('or.phone')}: ${o.contact_phone}</div>
        <div>${t('or.channel')}: ${t('or.ch.' + o.channel)}${o.outlet ? ' · ' + o.outlet : ''}</div>
        <div>${t('or.warehouse')}: ${o.warehouse}</div>
        ${o.address ? html`<div>${t('or.address')}: ${o.address}</div>` : null}
        <div>${t('or.total')}: <b data-testid="order-total">${yuan(o.total_fen)}</b></div>
      </div>
      <table class="table" style="margin-top:12px"><thead><tr><th>${t('or.part')}</th><th>${t('or.lines')}</th><th class="num">${t('or.qty')}</th><th class="num">${t('or.price')}</th></tr></thead>
        <tbody>${o.lines.map((l) => html`<tr key=${l.part} data-line=${l.part}><td>${l.part}</td><td>${desc(l)}</td><td class="num">${l.qty}</td><td class="num">${yuan(l.price_fen)}</td></tr>`)}</tbody></table>
      <div style="display:flex;gap:8px;flex-wrap:wrap;margin-top:12px">
        ${NEXT[o.status].map((to) => html`<${Button} key=${to} variant=${to === 'cancelled' || to === 'returned' ? 'danger' : 'primary'} busy=${busy} data-to=${to}
          onClick=${() => act(() => api.post(`/orders/${o.code}/transition`, { to, version: o.version }))}>${t('or.to', { s: t('os.' + to) })}</${Button}>`)}
      </div>
    </div>
    <div style=${CARD}>
      <h3>${t('or.lines')}</h3>
      ${o.modifiable ? html`<${Lines} lines=${lines} setLines=${setLines} prefix="edit" />
        <${Button} busy=${busy} data-testid="save-lines" onClick=${() => act(() => api.patch(`/orders/${o.code}`, { version: o.version, lines: cleanLines(lines) }), t('or.lines_saved'))}>${t('or.save_lines')}</${Button}>`
        : html`<p class="muted">${t('or.locked')}</p>`}
    </div>
    <div style=${CARD}>
      <h3>${t('or.paid')}: <span data-testid="order-paid">${o.payment.paid ? t('or.paid_yes') : t('or.paid_no')}</span>
        ${o.payment.paid ? html` · ${t('pm.' + o.payment.method)} ${o.payment.reference || ''}` : null}</h3>
      ${o.status === 'cancelled' ? null : o.payment.paid
        ? html`<${Button} variant="secondary" busy=${busy} onClick=${() => act(() => api.post(`/orders/${o.code}/payment`, { version: o.version, paid: false }))}>${t('or.record_unpaid')}</${Button}>`
        : html`<div style=${grid}>
          <${Field} label=${t('or.method')} name="method" as="select" value=${pay.method} onChange=${(e) => setPay({ ...pay, method: e.currentTarget.value })}
            options=${METHODS.map((m) => ({ value: m, label: t('pm.' + m) }))} />
          <${Field} label=${t('or.reference')} name="reference" value=${pay.reference} onInput=${(e) => setPay({ ...pay, reference: e.currentTarget.value })} />
        </div>
        <${Button} busy=${busy} data-testid="record-paid" onClick=${() => act(() => api.post(`/orders/${o.code}/payment`,
          { version: o.version, paid: true, method: pay.method, ...(pay.reference.trim() ? { reference: pay.reference.trim() } : {}) }))}>${t('or.record_paid')}</${Button}>`}
    </div>
    <div style=${CARD}>
      <h3>${t('or.events')}</h3>
      <ol>${o.events.map((e, i) => html`<li key=${i} data-event=${e.status}>${t('os.' + e.status)} · ${formatDateTime(e.at)} · ${e.actor}${e.note ? ' · ' + e.note : ''}</li>`)}</ol>
    </div>
  </div>`;
}

export default function OrdersView({ user, params }) {
  const [filter, setFilter] = useState({ status: '', channel: '', outlet: '', paid: '' });
  const [creating, setCreating] = useState(false);
  // the feedback list that was here is the voice-of-the-customer screen now (one list)
  if (params && params[0] === 'feedback') { location.replace('#/feedback'); return null; }
  if (params && params[0]) return html`<${Page} title=${t('or.title')}><${Detail} code=${params[0]} /></${Page}>`;
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.currentTarget.value });
  const q = {};
  for (const k of ['status', 'channel', 'paid']) if (filter[k]) q[k] = filter[k];
  if (filter.outlet.trim().length >= 2) q.outlet = filter.outlet.trim().toUpperCase();
  const columns = [
    { key: 'code', label: t('or.code'), render: (r) => html`<a href=${'#/orders/' + r.code} data-order-link=${r.code}>${r.code}</a>` },
    { key: 'status', label: t('or.status'), render: (r) => html`<span data-status=${r.status}>${t('os.' + r.status)}</span>` },
    { key: 'channel', label: t('or.channel'), render: (r) => t('or.ch.' + r.channel) + (r.outlet ? ' · ' + r.outlet : '') },
    { key: 'customer', label: t('or.customer'), render: (r) => `${r.customer.name} (${r.customer.code})` },
    { key: 'total_fen', label: t('or.total'), align: 'right', render: (r) => yuan(r.total_fen) },
    { key: 'paid', label: t('or.paid'), render: (r) => (r.payment.paid ? t('or.paid_yes') : t('or.paid_no')) },
    { key: 'placed_at', label: t('or.placed_at'), render: (r) => formatDateTime(r.placed_at) },
  ];
  const opt = (values, prefix) => [{ value: '', label: t('or.all') }, ...values.map((v) => ({ value: v, label: t(prefix + v) }))];
  return html`<${Page} title=${t('or.title')} actions=${html`<a class="btn btn-secondary" href="#/feedback" data-testid="feedback-link">${t('or.feedback')}</a>
    <${Button} onClick=${() => setCreating(!creating)} data-testid="new-order">${t('or.new')}</${Button}>`}>
    ${creating ? html`<${NewOrder} user=${user} onCreated=${(r) => { location.hash = '#/orders/' + r.code; }} />` : null}
    <div style=${CARD}>
      <div style=${grid}>
        <${Field} label=${t('or.status')} name="status" as="select" value=${filter.status} onChange=${set('status')} options=${opt(STATUSES, 'os.')} />
        <${Field} label=${t('or.channel')} name="channel" as="select" value=${filter.channel} onChange=${set('channel')} options=${opt(['online', 'outlet'], 'or.ch.')} />
        ${OUTLET_ROLES.includes(user.role) ? null : html`<${Field} label=${t('or.outlet')} name="outlet" value=${filter.outlet} onChange=${set('outlet')} />`}
        <${Field} label=${t('or.paid')} name="paid" as="select" value=${filter.paid} onChange=${set('paid')}
          options=${[{ value: '', label: t('or.all') }, { value: 'true', label: t('or.paid_yes') }, { value: 'false', label: t('or.paid_no') }]} />
      </div>
      <${PagedTable} path="/orders" params=${q} limit=${50} columns=${columns} name="orders" />
    </div>
  </${Page}>`;
}
