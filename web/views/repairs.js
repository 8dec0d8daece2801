// Repairs (M4): the work queue by state and age, registering a repair from a customer
// (found by code or phone, their units offered), and a repair's detail with its
// timeline and the next allowed actions. Hash routes:
//   #/repairs                 queue / list (outlet staff: their outlet's)
//   #/repairs/new[?customer=C00000001]   register a repair
//   #/repairs/R2611240001     one repair
import { useState, useEffect, useCallback } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime, formatMoney } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { PagedTable } from '../lib/lists.js';
import './outlets.js'; // its routing messages (net.route.*, net.dist.*)
import QuotePanel from './repair-quote.js';
import PartsPanel, { PartsReady } from './repair-parts.js';

export const STATUSES = ['registered', 'received', 'diagnosing', 'quoted', 'approved', 'waiting_parts',
  'repairing', 'repaired', 'delivered', 'cancelled'];
const KINDS = ['carry_in', 'on_site', 'mail_in'];
const CHANNELS = ['phone', 'email', 'web', 'walk_in', 'letter', 'fax'];

registerMessages(byLang({
  'rep.title': ['维修', 'Repairs'],
  'rep.queue': ['维修工作队列', 'Repair work queue'],
  'rep.new': ['登记维修', 'Register a repair'],
  'rep.code': ['维修单号', 'Repair code'],
  'rep.status': ['状态', 'Status'],
  'rep.all': ['全部', 'All'],
  'rep.open': ['未完成', 'Open'],
  'rep.show': ['显示', 'Show'],
  'rep.open_only': ['仅未完成', 'Open repairs only'],
  'rep.kind': ['方式', 'Kind'],
  'rep.channel': ['渠道', 'Channel'],
  'rep.customer': ['客户', 'Customer'],
  'rep.model': ['型号', 'Model'],
  'rep.serial': ['序列号', 'Serial'],
  'rep.outlet': ['网点', 'Outlet'],
  'rep.age': ['天数', 'Days'],
  'rep.min_age': ['至少（天）', 'At least (days)'],
  'rep.registered_at': ['登记时间', 'Registered'],
  'rep.fault': ['故障描述', 'Fault'],
  'rep.warranty': ['保修', 'Warranty'],
  'rep.in_warranty': ['保修内', 'In warranty'],
  'rep.paid': ['付费', 'Paid'],
  'rep.undecided': ['收件时判定', 'decided at receipt'],
  'rep.timeline': ['进度', 'Timeline'],
  'rep.next': ['下一步', 'Next step'],
  'rep.none_next': ['没有可执行的操作', 'No action available'],
  'rep.quote_on_panel': ['报价请在上方“报价”面板提交（按价格指南计算工时加零件）。', 'To quote, use the quote panel above (labour from the price guide plus parts).'],
  'rep.reason': ['原因', 'Reason'],
  'rep.note': ['备注', 'Note'],
  'rep.move': ['改为：{s}', 'Mark as {s}'],
  'rep.moved': ['已更新为：{s}', 'Now {s}'],
  'rep.find_customer': ['查找客户', 'Find the customer'],
  'rep.customer_code': ['客户代码', 'Customer code'],
  'rep.phone': ['电话', 'Phone'],
  'rep.find': ['查找', 'Find'],
  'rep.no_match': ['没有找到客户', 'No customer found'],
  'rep.units': ['客户的产品', "Customer's products"],
  'rep.unit_other': ['其他产品（输入序列号或型号）', 'Another product (enter serial or model)'],
  'rep.outlet_hint': ['网点代码；留空则按客户地区和产品线自动派修', "Outlet code; leave empty to route by the customer's region and product line"],
  'rep.outlet_own': ['本网点', 'My outlet'],
  'rep.submit': ['登记', 'Register'],
  'rep.created': ['维修单 {code} 已登记', 'Repair {code} registered'],
  'rep.quote_fen': ['报价', 'Quote'],
  'rep.cancel_reason': ['取消原因', 'Cancelled because'],
  'rep.over14': ['超过 14 天', 'over 14 days'],
  'rep.customer_new': ['新客户', 'New customer'],
  'rep.name': ['姓名', 'Name'],
  'rep.by': ['{actor}', '{actor}'],
  'rep.outlet_hint_new': ['网点代码。新客户还没有地区，无法自动派修；要自动派修，请先建档并填写地区。', 'Outlet code. A new customer has no region yet, so the repair cannot be routed automatically; to have it routed, create the customer with a region first.'],
  'rep.route.title': ['派修网点', 'Outlet'],
  'rep.route.loading': ['正在计算建议网点…', 'Finding the suggested outlet…'],
  'rep.route.suggested': ['建议：{name}（{code}）', 'Suggested: {name} ({code})'],
  'rep.route.tag': ['建议', 'suggested'],
  'rep.route.pick': ['派修到', 'Send to'],
  'rep.route.other': ['其他网点（输入代码）', 'Another outlet (enter its code)'],
  'rep.route.need_region': ['客户没有区县级地区代码，无法自动派修：请输入网点代码，或先在客户卡片上补充地区。', "The customer has no county-level region, so the repair cannot be routed automatically: enter an outlet code, or add the region on the customer's card first."],
  'rep.route.need_model': ['选择产品或输入型号后显示建议网点。', 'Choose a product or enter the model to see the suggested outlet.'],
  'rep.route.none': ['没有网点覆盖该客户地区并获此产品线授权：请输入网点代码。', "No outlet covers the customer's region for this product line: enter an outlet code."],
  'rep.route.option': ['{code} · {name} · 负荷 {open}/{cap} · {dist}', '{code} · {name} · load {open}/{cap} · {dist}'],
  'rep.routed': ['已自动派修到 {outlet}', 'Routed automatically to {outlet}'],
  'rep.change_customer': ['改为新客户', 'New customer instead'],
  'rep.customer_region': ['地区 {region}', 'region {region}'],
  'rs.registered': ['已登记', 'Registered'],
  'rs.received': ['已收件', 'Received'],
  'rs.diagnosing': ['检测中', 'Diagnosing'],
  'rs.quoted': ['已报价', 'Quoted'],
  'rs.approved': ['已确认报价', 'Quote approved'],
  'rs.waiting_parts': ['等待零件', 'Waiting for parts'],
  'rs.repairing': ['维修中', 'Repairing'],
  'rs.repaired': ['已修复', 'Repaired'],
  'rs.delivered': ['已交付', 'Delivered'],
  'rs.cancelled': ['已取消', 'Cancelled'],
  'rk.carry_in': ['送修', 'Carry-in'],
  'rk.on_site': ['上门', 'On-site'],
  'rk.mail_in': ['寄修', 'Mail-in'],
  'rc.phone': ['电话', 'Phone'],
  'rc.email': ['邮件', 'Email'],
  'rc.web': ['网站', 'Web'],
  'rc.walk_in': ['到店', 'Walk-in'],
  'rc.letter': ['信件', 'Letter'],
  'rc.fax': ['传真', 'Fax'],
  'error.illegal_transition': ['当前状态下不能执行这个操作。', 'That step is not possible in the current state.'],
  'error.unknown_model': ['型号不存在。', 'Unknown model.'],
  'error.invalid_serial': ['序列号格式不对（4-32 位字母、数字或短横线）。', 'Malformed serial (4-32 letters, digits or dashes).'],
  'error.serial_taken': ['这个序列号已经被别人登记。', 'This serial is already registered to someone else.'],
  'error.invalid_purchase_date': ['购买日期不对。', 'Invalid purchase date.'],
}));

const OUTLET_STAFF = ['outlet_manager', 'technician'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:0 16px';

function StatusBadge({ status }) {
  return html`<span class=${'badge status-' + status} data-status=${status}>${t('rs.' + status)}</span>`;
}

// ---- queue / list ----

function RepairList({ user, query }) {
  const outletStaff = OUTLET_STAFF.includes(user.role);
  const [filter, setFilter] = useState({
    status: query.get('status') || '', kind: '', outlet: '', age: '', customer: query.get('customer') || '',
    open: outletStaff ? '1' : '',
  });
  const params = {};
  for (const k of ['status', 'kind', 'outlet', 'age', 'customer', 'open']) if (filter[k]) params[k] = filter[k];
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.currentTarget.value });
  const columns = [
    { key: 'code', label: t('rep.code'), render: (r) => html`<a href=${'#/repairs/' + r.code}>${r.code}</a>` },
    { key: 'status', label: t('rep.status'), render: (r) => html`<${StatusBadge} status=${r.status} />${r.status === 'waiting_parts'
      ? html` <${PartsReady} key=${r.code + r.version} code=${r.code} />` : null}` },
    { key: 'age_days', label: t('rep.age'), align: 'right',
      render: (r) => html`<span class=${r.age_days > 14 && !['delivered', 'cancelled'].includes(r.status) ? 'text-danger' : ''}
        title=${r.age_days > 14 ? t('rep.over14') : ''}>${r.age_days}</span>` },
    { key: 'customer', label: t('rep.customer'), render: (r) => r.customer?.name },
    { key: 'model', label: t('rep.model'), render: (r) => r.model?.name || '' },
    { key: 'kind', label: t('rep.kind'), render: (r) => t('rk.' + r.kind) },
    { key: 'outlet', label: t('rep.outlet'), render: (r) => r.outlet?.code || '' },
    { key: 'registered_at', label: t('rep.registered_at'), render: (r) => formatDateTime(r.registered_at) },
  ];
  return html`
    <div class="table-toolbar" role="group" aria-label=${t('rep.status')} style="gap:6px;flex-wrap:wrap;justify-content:flex-start">
      ${[['', 'rep.all'], ...STATUSES.map((s) => [s, 'rs.' + s])].map(([s, k]) => html`
        <button type="button" key=${s} class=${'btn ' + (filter.status === s ? 'btn-primary' : 'btn-secondary')}
          data-status-filter=${s} aria-pressed=${filter.status === s ? 'true' : 'false'}
          onClick=${() => setFilter({ ...filter, status: s })}>${t(k)}</button>`)}
    </div>
    <div style=${grid}>
      <${Field} label=${t('rep.show')} name="open" as="select" value=${filter.open} onChange=${set('open')}
        options=${[{ value: '', label: t('rep.all') }, { value: '1', label: t('rep.open_only') }]} />
      <${Field} label=${t('rep.kind')} name="kind" as="select" value=${filter.kind} onChange=${set('kind')}
        options=${[{ value: '', label: t('rep.all') }, ...KINDS.map((k) => ({ value: k, label: t('rk.' + k) }))]} />
      <${Field} label=${t('rep.min_age')} name="age" type="number" min="0" value=${filter.age} onChange=${set('age')} />
      ${outletStaff ? null : html`<${Field} label=${t('rep.outlet')} name="outlet" value=${filter.outlet} onChange=${set('outlet')} />`}
      <${Field} label=${t('rep.customer_code')} name="customer" value=${filter.customer} onChange=${set('customer')} />
    </div>
    <${PagedTable} path="/repairs" params=${params} limit=${50} columns=${columns} name="repairs" />`;
}

// ---- register ----

const OTHER = '__other';

// The suggested outlet for a new repair of a customer in `region` for `model`:
// the model's product line, then GET /routing/suggest. status: idle (outlet staff),
// need_region, need_model, loading, ok (outlet, reason, candidates), none, error.
function useRouting(region, model, enabled) {
  const [state, setState] = useState({ status: 'idle' });
  useEffect(() => {
    if (!enabled) { setState({ status: 'idle' }); return undefined; }
    if (!region) { setState({ status: 'need_region' }); return undefined; }
    if (!model) { setState({ status: 'need_model' }); return undefined; }
    let live = true;
    setState({ status: 'loading' });
    const timer = setTimeout(async () => {
      try {
        const m = await api.get('/models/' + encodeURIComponent(model));
        const line = m.product_line?.code;
        const r = await api.get('/routing/suggest', { query: { region, product_line: line } });
        if (live) setState({ status: r.outlet ? 'ok' : 'none', line, ...r });
      } catch (e) {
        if (!live) return;
        if (e.status === 404) setState({ status: 'need_model' });
        else if (e.status === 422) setState({ status: 'need_region' });
        else setState({ status: 'error', error: e });
      }
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [region, model, enabled]);
  return state;
}

function routeOption(c) {
  return t('rep.route.option', { code: c.code, name: c.name, open: c.open_repairs, cap: c.capacity,
    dist: t('net.dist.' + c.distance) });
}

function routeWhy(routing) {
  const c = routing.candidates[0];
  return t('net.route.why', { line: routing.line, open: c.open_repairs, cap: c.capacity,
    pct: Math.round(c.load * 100) + '%', grade: c.grade || '–', dist: t('net.dist.' + c.distance),
    n: routing.candidates.length });
}

// Where the repair goes: the suggestion with its reason and the other candidates
// to pick from, or an outlet code typed in.
function RoutePicker({ routing, choice, onChoice, outlet, onOutlet, error }) {
  const ok = routing.status === 'ok';
  const note = { loading: 'rep.route.loading', need_region: 'rep.route.need_region',
    need_model: 'rep.route.need_model', none: 'rep.route.none' }[routing.status];
  return html`
    <fieldset class="route-box" data-testid="routing" data-status=${routing.status}>
      <legend>${t('rep.route.title')}</legend>
      ${ok ? html`
        <p class="route-suggested" data-testid="routing-suggested" data-outlet=${routing.outlet}>
          <strong>${t('rep.route.suggested', { code: routing.outlet, name: routing.candidates[0].name })}</strong></p>
        <p class="route-why muted" data-testid="routing-why">${routeWhy(routing)}</p>
        <${Field} label=${t('rep.route.pick')} name="outlet_choice" as="select" value=${choice}
          onChange=${(e) => onChoice(e.currentTarget.value)} error=${choice === OTHER ? null : error}
          options=${[{ value: '', label: routeOption(routing.candidates[0]) + ' · ' + t('rep.route.tag') },
            ...routing.candidates.slice(1, 20).map((c) => ({ value: c.code, label: routeOption(c) })),
            { value: OTHER, label: t('rep.route.other') }]} />`
        : note ? html`<p class="muted" data-testid="routing-note">${t(note)}</p>` : null}
      <${ErrorBanner} error=${routing.status === 'error' ? routing.error : null} />
      ${!ok || choice === OTHER ? html`<${Field} label=${t('rep.outlet')} name="outlet" value=${outlet}
        onInput=${(e) => onOutlet(e.currentTarget.value)} error=${error}
        hint=${['need_model', 'loading', 'error'].includes(routing.status) ? t('rep.outlet_hint') : null} />` : null}
    </fieldset>`;
}

function NewRepair({ user, query }) {
  const outletStaff = OUTLET_STAFF.includes(user.role);
  const [lookup, setLookup] = useState({ code: query.get('customer') || '', phone: '' });
  const [customer, setCustomer] = useState(null);
  const [units, setUnits] = useState([]);
  const [unit, setUnit] = useState('');
  const [f, setF] = useState({ serial: '', model: '', kind: 'carry_in', channel: outletStaff ? 'walk_in' : 'phone', fault: '', outlet: '', name: '', phone: '' });
  const [choice, setChoice] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notFound, setNotFound] = useState(false);

  const model = unit ? units.find((u) => u.serial === unit)?.model?.code || '' : f.model.trim().toUpperCase();
  const routing = useRouting(customer?.region || '', model, !outletStaff && !!customer);
  useEffect(() => {
    if (choice && choice !== OTHER && !(routing.candidates || []).some((c) => c.code === choice)) setChoice('');
  }, [routing]);

  async function pick(c) {
    setCustomer(c);
    setNotFound(false);
    try {
      const r = await api.get('/units', { query: { customer: c.code } });
      setUnits(r.items);
      const wanted = query.get('serial');
      setUnit(r.items.some((u) => u.serial === wanted) ? wanted : r.items[0]?.serial || '');
    } catch (e) { setError(e); }
  }
  function forget() {
    setCustomer(null);
    setUnits([]);
    setUnit('');
    setChoice('');
    setLookup({ code: '', phone: '' });
  }
  async function find(e) {
    e?.preventDefault();
    setError(null);
    setNotFound(false);
    try {
      if (lookup.code.trim()) {
        const c = await api.get('/customers/' + encodeURIComponent(lookup.code.trim()));
        await pick(c.customer || c);
      } else if (lookup.phone.trim()) {
        const r = await api.get('/customers/match', { query: { phone: lookup.phone.trim() } });
        const m = r.matches.find((x) => x.strength === 'strong') || r.matches[0];
        if (m) await pick(m.customer);
        else { setNotFound(true); setF({ ...f, phone: lookup.phone.trim() }); }
      }
    } catch (err) {
      if (err.status === 404 || err.status === 422) setNotFound(true); else setError(err);
    }
  }
  useEffect(() => { if (lookup.code) find(); }, []);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { kind: f.kind, channel: f.channel, fault: f.fault };
    if (customer) body.customer = customer.code;
    else { body.name = f.name; body.phone = f.phone; }
    if (unit) body.serial = unit;
    else { if (f.serial) body.serial = f.serial; if (f.model) body.model = f.model; }
    if (!outletStaff) {
      if (routing.status === 'ok' && choice && choice !== OTHER) body.outlet = choice;
      else if ((routing.status !== 'ok' || choice === OTHER) && f.outlet.trim()) body.outlet = f.outlet.trim();
    }
    try {
      const r = await api.post('/repairs', body);
      if (r.routing_reason) {
        const why = routing.status === 'ok' && routing.outlet === r.outlet?.code ? routeWhy(routing) : r.routing_reason;
        try { sessionStorage.setItem('rep.routed', JSON.stringify({ code: r.code, why })); } catch { /* private mode */ }
      }
      location.hash = '#/repairs/' + r.code;
    } catch (err) { setError(err); setBusy(false); }
  }
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const fe = fieldErrors(error);
  return html`
    <form class="card" style=${CARD} onSubmit=${find} aria-label=${t('rep.find_customer')}>
      <h2>${t('rep.find_customer')}</h2>
      <div style=${grid}>
        <${Field} label=${t('rep.customer_code')} name="lookup_code" value=${lookup.code}
          onInput=${(e) => setLookup({ ...lookup, code: e.currentTarget.value })} />
        <${Field} label=${t('rep.phone')} name="lookup_phone" type="tel" value=${lookup.phone}
          onInput=${(e) => setLookup({ ...lookup, phone: e.currentTarget.value })} />
      </div>
      <${Button} type="submit" variant="secondary">${t('rep.find')}</${Button}>
      ${notFound ? html`<${Notice} tone="warning">${t('rep.no_match')}</${Notice}>` : null}
    </form>
    <form class="card" style=${CARD} onSubmit=${submit} aria-label=${t('rep.new')} novalidate>
      <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
      ${customer ? html`<p class="customer-picked"><strong>${customer.name}</strong> · <a href=${'#/customers/' + customer.code}>${customer.code}</a>
          ${customer.region ? html` · <span class="muted">${t('rep.customer_region', { region: customer.region })}</span>` : null}
          ${' '}<button type="button" class="btn btn-ghost" data-testid="rep-change-customer" onClick=${forget}>${t('rep.change_customer')}</button></p>`
        : html`<h3>${t('rep.customer_new')}</h3><div style=${grid}>
          <${Field} label=${t('rep.name')} name="name" value=${f.name} onInput=${set('name')} error=${fe.name || fe.customer} />
          <${Field} label=${t('rep.phone')} name="phone" type="tel" value=${f.phone} onInput=${set('phone')} error=${fe.phone} /></div>`}
      ${units.length ? html`<${Field} label=${t('rep.units')} name="unit" as="select" value=${unit} onChange=${(e) => setUnit(e.currentTarget.value)}
          options=${[...units.map((u) => ({ value: u.serial, label: `${u.model.name} · ${u.serial}${u.in_warranty ? ' · ' + t('rep.in_warranty') : ''}` })),
            { value: '', label: t('rep.unit_other') }]} />` : null}
      <div style=${grid}>
        ${unit ? null : html`
          <${Field} label=${t('rep.serial')} name="serial" value=${f.serial} onInput=${set('serial')} error=${fe.serial} />
          <${Field} label=${t('rep.model')} name="model" value=${f.model} onInput=${set('model')} error=${fe.model} />`}
        <${Field} label=${t('rep.kind')} name="kind" as="select" value=${f.kind} onChange=${set('kind')}
          options=${KINDS.map((k) => ({ value: k, label: t('rk.' + k) }))} error=${fe.kind} />
        <${Field} label=${t('rep.channel')} name="channel" as="select" value=${f.channel} onChange=${set('channel')}
          options=${CHANNELS.map((k) => ({ value: k, label: t('rc.' + k) }))} error=${fe.channel} />
      </div>
      ${outletStaff ? null : customer ? html`<${RoutePicker} routing=${routing} choice=${choice} onChoice=${setChoice}
          outlet=${f.outlet} onOutlet=${(v) => setF({ ...f, outlet: v })} error=${fe.outlet} />`
        : html`<${Field} label=${t('rep.outlet')} name="outlet" value=${f.outlet} onInput=${set('outlet')}
          hint=${t('rep.outlet_hint_new')} error=${fe.outlet} />`}
      <${Field} label=${t('rep.fault')} name="fault" as="textarea" required value=${f.fault} onInput=${set('fault')} error=${fe.fault} />
      <${Button} type="submit" busy=${busy}>${t('rep.submit')}</${Button}>
    </form>`;
}

// ---- detail ----

// The next steps the server allows, but quoted: a repair is quoted on the quote panel
// (labour from the price guide plus parts), never by a typed amount (the server
// refuses that with quote_required).
function Actions({ repair, onMoved }) {
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState('');
  async function move(n) {
    setBusy(n.to);
    setError(null);
    const body = { to: n.to, version: repair.version };
    if (n.needs_reason) body.reason = reason;
    if (note) body.note = note;
    try {
      onMoved(await api.post(`/repairs/${repair.code}/transitions`, body));
      setNote('');
    } catch (e) { setError(e); }
    setBusy('');
  }
  const next = repair.next.filter((n) => !n.needs_quote);
  const viaQuote = next.length < repair.next.length && repair.in_warranty === false;
  if (!next.length) return html`<p class="muted" data-testid=${viaQuote ? 'quote-on-panel' : undefined}>${t(viaQuote ? 'rep.quote_on_panel' : 'rep.none_next')}</p>`;
  const fe = fieldErrors(error);
  return html`
    <div class="card" style=${CARD} aria-label=${t('rep.next')}>
      <h2>${t('rep.next')}</h2>
      <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
      <div style=${grid}>
        ${next.some((n) => n.needs_reason) ? html`<${Field} label=${t('rep.reason')} name="reason"
          value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} error=${fe.reason} />` : null}
        <${Field} label=${t('rep.note')} name="note" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />
      </div>
      <div style="display:flex;gap:8px;flex-wrap:wrap">
        ${next.map((n) => html`<${Button} key=${n.to} variant=${n.to === 'cancelled' ? 'danger' : 'primary'}
          busy=${busy === n.to} data-to=${n.to} onClick=${() => move(n)}>${t('rep.move', { s: t('rs.' + n.to) })}</${Button}>`)}
      </div>
      ${viaQuote ? html`<p class="muted" data-testid="quote-on-panel">${t('rep.quote_on_panel')}</p>` : null}
    </div>`;
}

// The reason an automatic routing gave, kept by the form for the page it opens next.
function takeRouted(code) {
  try {
    const v = JSON.parse(sessionStorage.getItem('rep.routed') || 'null');
    if (v && v.code === code) { sessionStorage.removeItem('rep.routed'); return v.why; }
  } catch { /* private mode or garbage */ }
  return null;
}

function RepairDetail({ code, user }) {
  const [repair, setRepair] = useState(null);
  const [error, setError] = useState(null);
  const [routed] = useState(() => takeRouted(code));
  const load = useCallback(async () => {
    setError(null);
    try { setRepair(await api.get('/repairs/' + encodeURIComponent(code))); } catch (e) { setError(e); }
  }, [code]);
  useEffect(() => { load(); }, [code]);
  if (error) return html`<${ErrorBanner} error=${error} onRetry=${load} />`;
  if (!repair) return html`<${Loading} />`;
  const w = repair.in_warranty === null ? t('rep.undecided') : repair.in_warranty ? t('rep.in_warranty') : t('rep.paid');
  return html`
    ${routed && repair.outlet ? html`<div style="margin-bottom:16px"><${Notice} title=${t('rep.routed', { outlet: `${repair.outlet.name} (${repair.outlet.code})` })}>
      <span data-testid="routed-why">${routed}</span></${Notice}></div>` : null}
    <div class="card repair-head" style=${CARD}>
      <p><${StatusBadge} status=${repair.status} /> <span class="muted">${t('rep.age')}: ${repair.age_days}</span></p>
      <dl class="facts" style=${grid}>
        <div><dt class="muted">${t('rep.customer')}</dt><dd style="margin:0 0 8px"><a href=${'#/customers/' + repair.customer.code}>${repair.customer.name}</a> (${repair.customer.code})</dd></div>
        <div><dt class="muted">${t('rep.model')}</dt><dd style="margin:0 0 8px">${repair.model ? `${repair.model.name} (${repair.model.code})` : '–'}</dd></div>
        <div><dt class="muted">${t('rep.serial')}</dt><dd style="margin:0 0 8px">${repair.serial || '–'}</dd></div>
        <div><dt class="muted">${t('rep.outlet')}</dt><dd style="margin:0 0 8px">${repair.outlet ? `${repair.outlet.name} (${repair.outlet.code})` : '–'}</dd></div>
        <div><dt class="muted">${t('rep.kind')} / ${t('rep.channel')}</dt><dd style="margin:0 0 8px">${t('rk.' + repair.kind)} / ${t('rc.' + repair.channel)}</dd></div>
        <div><dt class="muted">${t('rep.warranty')}</dt><dd style="margin:0 0 8px" data-warranty>${w}</dd></div>
        ${repair.quote_fen ? html`<div><dt class="muted">${t('rep.quote_fen')}</dt><dd style="margin:0 0 8px">${formatMoney(repair.quote_fen)}</dd></div>` : null}
        ${repair.cancel_reason ? html`<div><dt class="muted">${t('rep.cancel_reason')}</dt><dd style="margin:0 0 8px">${repair.cancel_reason}</dd></div>` : null}
      </dl>
      <p><strong>${t('rep.fault')}:</strong> ${repair.fault}</p>
    </div>
    <${QuotePanel} repair=${repair} user=${user} onRepair=${setRepair} />
    <${PartsPanel} repair=${repair} user=${user} onRepair=${setRepair} />
    <${Actions} repair=${repair} onMoved=${setRepair} />
    <div class="card" style=${CARD}>
      <h2>${t('rep.timeline')}</h2>
      <ol class="timeline">
        ${repair.events.map((e, i) => html`<li key=${i} data-status=${e.status}>
          <${StatusBadge} status=${e.status} /> <time datetime=${e.at}>${formatDateTime(e.at)}</time>
          <span class="muted"> · ${e.actor}</span>${e.note ? html` · ${e.note}` : null}</li>`)}
      </ol>
    </div>`;
}

export default function RepairsView({ user, params, query }) {
  const sub = params[0] || '';
  const canCreate = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician'].includes(user.role);
  const actions = html`<a class="btn btn-secondary" href="#/repairs">${t('rep.queue')}</a>
    ${canCreate ? html`<a class="btn btn-primary" href="#/repairs/new">${t('rep.new')}</a>` : null}`;
  if (sub === 'new') return html`<${Page} title=${t('rep.new')} actions=${actions}><${NewRepair} user=${user} query=${query} /></${Page}>`;
  if (sub) return html`<${Page} title=${t('rep.code') + ' ' + sub} actions=${actions}><${RepairDetail} code=${sub} user=${user} /></${Page}>`;
  return html`<${Page} title=${t('rep.queue')} actions=${actions}><${RepairList} user=${user} query=${query} /></${Page}>`;
}
