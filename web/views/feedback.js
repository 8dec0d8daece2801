// Voice of the customer (issue 13 item 2, M11): feedback from the portal, kiosks and
// counters, newest first, filtered by status, category, channel, outlet and received
// dates, with CSV/XLSX downloads; an item's page changes its status (new -> in
// progress -> closed, reopen), category, outlet and note, checked by version; the
// counter form takes new feedback. Hash routes: #/feedback, #/feedback/<code>
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors, useStyle } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

const STATUSES = ['new', 'in_progress', 'closed'];
const CATEGORIES = ['praise', 'suggestion', 'complaint', 'product', 'service', 'other'];
const CHANNELS = ['portal', 'kiosk', 'counter'];
const OUTLET_ROLES = ['outlet_manager', 'technician'];
// where an item may go from each status (the server checks the same)
const NEXT = { new: ['in_progress'], in_progress: ['closed'], closed: ['in_progress'] };

registerMessages(byLang({
  'voc.title': ['客户之声', 'Voice of the customer'],
  'voc.code': ['编号', 'No.'],
  'voc.received': ['收到时间', 'Received'],
  'voc.status': ['状态', 'Status'],
  'voc.category': ['类别', 'Category'],
  'voc.channel': ['来源', 'Source'],
  'voc.outlet': ['服务网点', 'Outlet'],
  'voc.customer': ['客户', 'Customer'],
  'voc.anonymous': ['匿名', 'Anonymous'],
  'voc.contact': ['联系方式', 'Contact'],
  'voc.text': ['内容', 'Feedback'],
  'voc.note': ['处理备注', 'Note'],
  'voc.from': ['起始日期', 'From'],
  'voc.to': ['截止日期', 'To'],
  'voc.all': ['全部', 'All'],
  'voc.back': ['返回客户之声', 'Back to the voice of the customer'],
  'voc.save': ['保存', 'Save'],
  'voc.saved': ['已保存', 'Saved'],
  'voc.move': ['改为：{to}', 'Mark {to}'],
  'voc.taken_by': ['受理人', 'Taken by'],
  'voc.updated': ['最近处理', 'Last change'],
  'voc.new': ['柜台登记反馈', 'Take feedback at the counter'],
  'voc.created': ['反馈 {code} 已登记', 'Feedback {code} taken'],
  'voc.customer_code': ['客户编号（可选）', 'Customer code (optional)'],
  'voc.contact_opt': ['电话或邮箱（可选）', 'Phone or email (optional)'],
  'voc.stale': ['该反馈已被他人修改，已重新载入', 'Someone else changed this feedback; it has been reloaded'],
  'voc.st.new': ['新反馈', 'New'],
  'voc.st.in_progress': ['处理中', 'In progress'],
  'voc.st.closed': ['已关闭', 'Closed'],
  'voc.c.praise': ['表扬', 'Praise'],
  'voc.c.suggestion': ['建议', 'Suggestion'],
  'voc.c.complaint': ['投诉', 'Complaint'],
  'voc.c.product': ['产品', 'Product'],
  'voc.c.service': ['服务', 'Service'],
  'voc.c.other': ['其他', 'Other'],
  'voc.ch.portal': ['网站', 'Portal'],
  'voc.ch.kiosk': ['自助终端', 'Kiosk'],
  'voc.ch.counter': ['门店柜台', 'Counter'],
}));

const CSS = `
.voc-filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 0 16px; }
.voc-card { border: 1px solid #d0d5dd; border-radius: 8px; padding: 16px; margin-bottom: 16px; }
.voc-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.voc-dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
.voc-actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
`;

const opts = (values, prefix) => [{ value: '', label: t('voc.all') }, ...values.map((v) => ({ value: v, label: t(prefix + v) }))];

function NewFeedback({ user, onCreated }) {
  const [f, setF] = useState({ category: 'service', text: '', contact: '', customer: '', outlet: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const errs = fieldErrors(error);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { category: f.category, text: f.text };
    for (const k of ['contact', 'customer', 'outlet']) if (f[k].trim()) body[k] = f[k].trim();
    try { onCreated(await api.post('/feedback', body)); } catch (err) { setError(err); } finally { setBusy(false); }
  }
  return html`<form class="voc-card" onSubmit=${submit} data-testid="voc-new">
    <${ErrorBanner} error=${error && !Object.keys(errs).length ? error : null} />
    <div class="voc-filters">
      <${Field} label=${t('voc.category')} name="new_category" as="select" value=${f.category} onChange=${set('category')}
        options=${CATEGORIES.map((v) => ({ value: v, label: t('voc.c.' + v) }))} error=${errs.category} />
      <${Field} label=${t('voc.customer_code')} name="new_customer" value=${f.customer} onChange=${set('customer')} error=${errs.customer} />
      <${Field} label=${t('voc.contact_opt')} name="new_contact" value=${f.contact} onChange=${set('contact')} error=${errs.contact} />
      ${OUTLET_ROLES.includes(user.role) ? null : html`<${Field} label=${t('voc.outlet')} name="new_outlet" value=${f.outlet} onChange=${set('outlet')} error=${errs.outlet} />`}
    </div>
    <${Field} label=${t('voc.text')} name="new_text" as="textarea" value=${f.text} onChange=${set('text')} error=${errs.text} required />
    <${Button} type="submit" busy=${busy} data-testid="voc-submit">${t('voc.save')}</${Button}>
  </form>`;
}

function Detail({ code, user }) {
  const [item, setItem] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [edit, setEdit] = useState({ category: '', outlet: '', note: '' });
  const [busy, setBusy] = useState(false);
  const show = (j) => { setItem(j); setEdit({ category: j.category, outlet: j.outlet || '', note: j.note || '' }); };
  const load = () => api.get(`/feedback/${code}`).then(show, setError);
  useEffect(() => { setItem(null); setError(null); load(); }, [code]);
  async function change(body) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      show(await api.patch(`/feedback/${code}`, { version: item.version, ...body }));
      setNotice(t('voc.saved'));
    } catch (err) {
      if (err.status === 409) { setNotice(t('voc.stale')); await load(); } else setError(err);
    } finally { setBusy(false); }
  }
  if (error && !item) return html`<${ErrorBanner} error=${error} onRetry=${load} />`;
  if (!item) return html`<${Loading} />`;
  const set = (k) => (e) => setEdit({ ...edit, [k]: e.currentTarget.value });
  const errs = fieldErrors(error);
  function save() {
    const body = {};
    if (edit.category !== item.category) body.category = edit.category;
    if ((edit.note || null) !== (item.note || null)) body.note = edit.note || null;
    if (!OUTLET_ROLES.includes(user.role) && (edit.outlet.trim() || null) !== (item.outlet || null)) body.outlet = edit.outlet.trim() || null;
    if (Object.keys(body).length) change(body);
  }
  return html`<div data-testid="voc-detail" data-status=${item.status}>
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${error && !Object.keys(errs).length ? error : null} />
    <div class="voc-card">
      <dl class="voc-dl">
        <dt>${t('voc.code')}</dt><dd>${item.code}</dd>
        <dt>${t('voc.status')}</dt><dd data-testid="voc-status">${t('voc.st.' + item.status)}</dd>
        <dt>${t('voc.channel')}</dt><dd>${t('voc.ch.' + item.channel)}</dd>
        <dt>${t('voc.received')}</dt><dd>${formatDateTime(item.received_at)}</dd>
        <dt>${t('voc.customer')}</dt><dd>${item.customer ? html`<a href=${'#/customers/' + item.customer}>${item.customer}</a>` : t('voc.anonymous')}</dd>
        <dt>${t('voc.contact')}</dt><dd>${item.contact || ''}</dd>
        ${item.taken_by ? html`<dt>${t('voc.taken_by')}</dt><dd>${item.taken_by}</dd>` : null}
        ${item.updated_at ? html`<dt>${t('voc.updated')}</dt><dd>${formatDateTime(item.updated_at)} · ${item.updated_by}</dd>` : null}
      </dl>
      <p class="voc-text">${item.text}</p>
      <div class="voc-actions">
        ${NEXT[item.status].map((to) => html`<${Button} key=${to} busy=${busy} data-move=${to}
          onClick=${() => change({ status: to })}>${t('voc.move', { to: t('voc.st.' + to) })}</${Button}>`)}
      </div>
    </div>
    <div class="voc-card">
      <div class="voc-filters">
        <${Field} label=${t('voc.category')} name="category" as="select" value=${edit.category} onChange=${set('category')}
          options=${CATEGORIES.map((v) => ({ value: v, label: t('voc.c.' + v) }))} error=${errs.category} />
        ${OUTLET_ROLES.includes(user.role) ? null : html`<${Field} label=${t('voc.outlet')} name="outlet" value=${edit.outlet} onChange=${set('outlet')} error=${errs.outlet} />`}
      </div>
      <${Field} label=${t('voc.note')} name="note" as="textarea" value=${edit.note} onChange=${set('note')} error=${errs.note} />
      <${Button} variant="secondary" busy=${busy} onClick=${save} data-testid="voc-save">${t('voc.save')}</${Button}>
    </div>
  </div>`;
}

export default function FeedbackView({ user, params }) {
  useStyle('voc-style', CSS);
  const [f, setF] = useState({ status: '', category: '', channel: '', outlet: '', from: '', to: '' });
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState(null);
  if (params && params[0]) {
    return html`<${Page} title=${t('voc.title')}>
      <p><a href="#/feedback">${t('voc.back')}</a></p>
      <${Detail} code=${params[0]} user=${user} />
    </${Page}>`;
  }
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const q = {};
  for (const k of ['status', 'category', 'channel', 'from', 'to']) if (f[k]) q[k] = f[k];
  if (f.outlet.trim().length >= 2) q.outlet = f.outlet.trim().toUpperCase();
  const columns = [
    { key: 'code', label: t('voc.code'), render: (r) => html`<a href=${'#/feedback/' + r.code} data-feedback-link=${r.code}>${r.code}</a>` },
    { key: 'received_at', label: t('voc.received'), render: (r) => formatDateTime(r.received_at) },
    { key: 'status', label: t('voc.status'), render: (r) => html`<span data-status=${r.status}>${t('voc.st.' + r.status)}</span>` },
    { key: 'category', label: t('voc.category'), render: (r) => t('voc.c.' + r.category) },
    { key: 'channel', label: t('voc.channel'), render: (r) => t('voc.ch.' + r.channel) },
    { key: 'outlet', label: t('voc.outlet'), render: (r) => r.outlet || '' },
    { key: 'customer', label: t('voc.customer'), render: (r) => r.customer || t('voc.anonymous') },
    { key: 'text', label: t('voc.text') },
  ];
  return html`<${Page} title=${t('voc.title')} actions=${html`<${Button} onClick=${() => setCreating(!creating)} data-testid="voc-new-toggle">${t('voc.new')}</${Button}>`}>
    ${creating ? html`<${NewFeedback} user=${user} onCreated=${(r) => { setCreating(false); setNotice(t('voc.created', { code: r.code })); }} />` : null}
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <div class="voc-filters" data-testid="voc-filters">
      <${Field} label=${t('voc.status')} name="status" as="select" value=${f.status} onChange=${set('status')} options=${opts(STATUSES, 'voc.st.')} />
      <${Field} label=${t('voc.category')} name="category" as="select" value=${f.category} onChange=${set('category')} options=${opts(CATEGORIES, 'voc.c.')} />
      <${Field} label=${t('voc.channel')} name="channel" as="select" value=${f.channel} onChange=${set('channel')} options=${opts(CHANNELS, 'voc.ch.')} />
      ${OUTLET_ROLES.includes(user.role) ? null : html`<${Field} label=${t('voc.outlet')} name="outlet" value=${f.outlet} onChange=${set('outlet')} />`}
      <${Field} label=${t('voc.from')} name="from" type="date" value=${f.from} onChange=${set('from')} />
      <${Field} label=${t('voc.to')} name="to" type="date" value=${f.to} onChange=${set('to')} />
    </div>
    <${PagedTable} key=${notice || ''} path="/feedback" params=${q} limit=${50} columns=${columns} name="voc" />
  </${Page}>`;
}
