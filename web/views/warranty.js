// Warranty (M3) for staff: look up a unit by serial (owner, warranty, repairs) and
// register a warranty for a caller or an existing customer. Hash routes:
//   #/warranty            lookup + register       #/warranty/SERIAL   lookup of one serial
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDate } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, fieldErrors } from '../ui.js';
import './repairs.js'; // its status names (rs.*)

registerMessages(byLang({
  'war.title': ['保修', 'Warranty'],
  'war.lookup': ['按序列号查询', 'Look up by serial'],
  'war.serial': ['序列号', 'Serial'],
  'war.find': ['查询', 'Look up'],
  'war.none': ['没有这个序列号的产品', 'No product with this serial'],
  'war.model': ['型号', 'Model'],
  'war.purchase': ['购买日期', 'Purchased'],
  'war.until': ['保修至', 'Covered until'],
  'war.in': ['在保修期内', 'In warranty'],
  'war.out': ['已过保修期', 'Warranty ended'],
  'war.unregistered': ['未登记保修', 'Not registered'],
  'war.owner': ['客户', 'Customer'],
  'war.dealer': ['经销商', 'Dealer'],
  'war.repairs': ['维修记录', 'Repairs'],
  'war.register': ['登记保修', 'Register a warranty'],
  'war.customer_code': ['已有客户代码', 'Existing customer code'],
  'war.name': ['姓名', 'Name'],
  'war.phone': ['电话', 'Phone'],
  'war.email': ['邮箱', 'Email'],
  'war.submit': ['登记', 'Register'],
  'war.done': ['已登记，保修至 {date}', 'Registered; covered until {date}'],
  'war.new_repair': ['为此产品登记维修', 'Register a repair for this product'],
}));

const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:0 16px';

function Unit({ unit }) {
  const status = !unit.warranty_until ? t('war.unregistered') : unit.in_warranty ? t('war.in') : t('war.out');
  return html`<div class="card" style=${CARD} data-unit=${unit.serial}>
    <dl class="facts" style=${grid}>
      <div><dt class="muted">${t('war.serial')}</dt><dd style="margin:0 0 8px">${unit.serial}</dd></div>
      <div><dt class="muted">${t('war.model')}</dt><dd style="margin:0 0 8px">${unit.model.name} (${unit.model.code})</dd></div>
      <div><dt class="muted">${t('war.purchase')}</dt><dd style="margin:0 0 8px">${unit.purchase_date ? formatDate(unit.purchase_date) : '–'}</dd></div>
      <div><dt class="muted">${t('war.until')}</dt><dd style="margin:0 0 8px" data-until>${unit.warranty_until || '–'} · ${status}</dd></div>
      ${unit.customer ? html`<div><dt class="muted">${t('war.owner')}</dt><dd style="margin:0 0 8px"><a href=${'#/customers/' + unit.customer.code}>${unit.customer.name}</a> (${unit.customer.code})</dd></div>` : null}
      ${unit.dealer ? html`<div><dt class="muted">${t('war.dealer')}</dt><dd style="margin:0 0 8px">${unit.dealer}</dd></div>` : null}
    </dl>
    ${unit.repairs?.length ? html`<h3>${t('war.repairs')}</h3><ul>${unit.repairs.map((r) => html`<li key=${r.code}>
      <a href=${'#/repairs/' + r.code}>${r.code}</a> · ${t('rs.' + r.status)}</li>`)}</ul>` : null}
    ${unit.customer ? html`<a class="btn btn-secondary" href=${`#/repairs/new?customer=${unit.customer.code}&serial=${encodeURIComponent(unit.serial)}`}>${t('war.new_repair')}</a>` : null}
  </div>`;
}

function Register({ customer = '' }) {
  const [f, setF] = useState({ customer, name: '', phone: '', email: '', model: '', serial: '', purchase_date: '', dealer: '' });
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const [models, setModels] = useState([]);
  useEffect(() => { api.get('/models', { query: { limit: 500 } }).then((r) => setModels(r.items), () => {}); }, []);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setBusy(true); setError(null); setDone(null);
    const body = {};
    for (const [k, v] of Object.entries(f)) if (v.trim()) body[k] = v.trim();
    try { setDone(await api.post('/warranty-registrations', body)); } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  return html`<form class="card" style=${CARD} onSubmit=${submit} aria-label=${t('war.register')}>
    <h2>${t('war.register')}</h2>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success">${t('war.done', { date: done.warranty_until })}</${Notice}>` : null}
    <div style=${grid}>
      <${Field} label=${t('war.customer_code')} name="customer" value=${f.customer} onInput=${set('customer')} error=${fe.customer} />
      <${Field} label=${t('war.name')} name="name" value=${f.name} onInput=${set('name')} error=${fe.name} />
      <${Field} label=${t('war.phone')} name="phone" type="tel" value=${f.phone} onInput=${set('phone')} error=${fe.phone} />
      <${Field} label=${t('war.email')} name="email" type="email" value=${f.email} onInput=${set('email')} error=${fe.email} />
      <${Field} label=${t('war.model')} name="model" required value=${f.model} onInput=${set('model')} error=${fe.model}
        list="war-models" autocomplete="off" />
      <datalist id="war-models">${models.map((m) => html`<option key=${m.code} value=${m.code}>${m.name}</option>`)}</datalist>
      <${Field} label=${t('war.serial')} name="serial" required value=${f.serial} onInput=${set('serial')} error=${fe.serial} />
      <${Field} label=${t('war.purchase')} name="purchase_date" type="date" required value=${f.purchase_date} onInput=${set('purchase_date')} error=${fe.purchase_date} />
      <${Field} label=${t('war.dealer')} name="dealer" value=${f.dealer} onInput=${set('dealer')} />
    </div>
    <${Button} type="submit" busy=${busy}>${t('war.submit')}</${Button}>
  </form>`;
}

export default function WarrantyView({ user, params, query }) {
  const [serial, setSerial] = useState(params[0] || '');
  const [unit, setUnit] = useState(null);
  const [error, setError] = useState(null);
  const [none, setNone] = useState(false);
  async function find(e, s = serial) {
    e?.preventDefault();
    setError(null); setNone(false); setUnit(null);
    if (!s.trim()) return;
    try { setUnit(await api.get('/units/' + encodeURIComponent(s.trim()))); } catch (err) {
      if (err.status === 404) setNone(true); else setError(err);
    }
  }
  useEffect(() => { if (params[0]) find(null, params[0]); }, [params[0]]);
  return html`<${Page} title=${t('war.title')}>
    <form class="card" style=${CARD} onSubmit=${find} aria-label=${t('war.lookup')}>
      <h2>${t('war.lookup')}</h2>
      <div class="inline-form">
        <${Field} label=${t('war.serial')} name="lookup_serial" value=${serial} onInput=${(e) => setSerial(e.currentTarget.value)} />
        <${Button} type="submit">${t('war.find')}</${Button}>
      </div>
      <${ErrorBanner} error=${error} />
      ${none ? html`<${Notice} tone="warning">${t('war.none')}</${Notice}>` : null}
    </form>
    ${unit ? html`<${Unit} unit=${unit} />` : null}
    ${user.role !== 'technician' ? html`<${Register} key=${query?.get('customer') || ''} customer=${query?.get('customer') || ''} />` : null}
  </${Page}>`;
}
