// Complaints on SLA clocks (M10): the queue sorted by time left with each clock as
// business time remaining (overdue and paused shown as such), filters, paging and
// downloads; the complaint detail (customer, repair and outlet, both clocks with their
// due times, the pauses as rows, the timeline) with its actions; and the form that logs
// a complaint for a customer. Hash routes:
//   #/complaints                 queue          #/complaints/CODE   detail
//   #/complaints/new?customer=C  log a complaint for customer C
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime, timeZone } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors, useStyle } from '../ui.js';
import { PagedTable, useItems } from '../lib/lists.js';

export const STATUSES = ['received', 'responded', 'in_progress', 'resolved', 'closed'];
export const SEVERITIES = ['low', 'normal', 'high', 'critical'];
const CHANNELS = ['phone', 'email', 'web', 'walk_in', 'letter', 'fax', 'wechat'];
const CATEGORIES = ['delay', 'quality', 'attitude', 'charges', 'parts', 'other'];
const DESK = ['admin', 'supervisor', 'agent'];
const OUTLET = ['outlet_manager', 'technician'];

registerMessages(byLang({
  'cp.title': ['投诉', 'Complaints'],
  'cp.new': ['登记投诉', 'Log a complaint'],
  'cp.code': ['投诉编号', 'Complaint'],
  'cp.customer': ['客户', 'Customer'],
  'cp.repair': ['维修单', 'Repair'],
  'cp.repair_none': ['（不关联维修单）', '(no repair)'],
  'cp.outlet': ['网点', 'Outlet'],
  'cp.outlet_hint': ['网点编号，如 O0001', 'Outlet code, e.g. O0001'],
  'cp.status': ['状态', 'Status'],
  'cp.severity': ['严重程度', 'Severity'],
  'cp.channel': ['渠道', 'Channel'],
  'cp.category': ['类别', 'Category'],
  'cp.text': ['投诉内容', 'Complaint text'],
  'cp.received': ['受理时间', 'Received'],
  'cp.left': ['剩余时间（工作时间）', 'Time left (business hours)'],
  'cp.all': ['全部', 'All'],
  'cp.st.received': ['已受理', 'Received'],
  'cp.st.responded': ['已响应', 'Responded'],
  'cp.st.in_progress': ['处理中', 'In progress'],
  'cp.st.resolved': ['已解决', 'Resolved'],
  'cp.st.closed': ['已关闭', 'Closed'],
  'cp.sev.low': ['低', 'Low'],
  'cp.sev.normal': ['一般', 'Normal'],
  'cp.sev.high': ['高', 'High'],
  'cp.sev.critical': ['紧急', 'Critical'],
  'cp.ch.phone': ['电话', 'Phone'],
  'cp.ch.email': ['邮件', 'Email'],
  'cp.ch.web': ['网站', 'Web'],
  'cp.ch.walk_in': ['到店', 'Walk-in'],
  'cp.ch.letter': ['信函', 'Letter'],
  'cp.ch.fax': ['传真', 'Fax'],
  'cp.ch.wechat': ['微信', 'WeChat'],
  'cp.cat.delay': ['维修延误', 'Repair delay'],
  'cp.cat.quality': ['维修质量', 'Repair quality'],
  'cp.cat.attitude': ['服务态度', 'Staff attitude'],
  'cp.cat.charges': ['收费争议', 'Charges'],
  'cp.cat.parts': ['零件供应', 'Parts supply'],
  'cp.cat.other': ['其他', 'Other'],
  'cp.hm': ['{h} 小时 {m} 分', '{h} h {m} min'],
  'cp.clock.left': ['剩余 {t}', '{t} left'],
  'cp.clock.overdue': ['已超时 {t}', 'Overdue by {t}'],
  'cp.clock.paused': ['已暂停 · 剩余 {t}', 'Paused · {t} left'],
  'cp.clock.none': ['—', '—'],
  'cp.clock.first_response': ['首次响应', 'First response'],
  'cp.clock.resolution': ['解决', 'Resolution'],
  'cp.clocks': ['时限', 'SLA clocks'],
  'cp.due': ['到期（{zone}）', 'Due ({zone})'],
  'cp.remaining': ['剩余工作时间', 'Business time left'],
  'cp.done_at': ['完成时间', 'Done at'],
  'cp.in_time': ['按时', 'in time'],
  'cp.late': ['超时', 'late'],
  'cp.policy': ['时限规则：日历 {calendar}，首次响应 {fr} 小时，解决 {res} 小时（工作时间）', 'Policy: calendar {calendar}, first response {fr} h, resolution {res} h (business hours)'],
  'cp.pauses': ['暂停记录', 'Pauses'],
  'cp.pauses.none': ['没有暂停', 'Never paused'],
  'cp.pause.start': ['开始', 'Start'],
  'cp.pause.end': ['结束', 'End'],
  'cp.pause.open': ['暂停中', 'still paused'],
  'cp.pause.reason': ['原因', 'Reason'],
  'cp.pause.who': ['操作人', 'Who'],
  'cp.timeline': ['处理记录', 'Timeline'],
  'cp.ev.received': ['受理', 'Received'],
  'cp.ev.response': ['响应', 'Response'],
  'cp.ev.pause': ['暂停', 'Paused'],
  'cp.ev.resume': ['恢复', 'Resumed'],
  'cp.ev.in_progress': ['开始处理', 'Work started'],
  'cp.ev.resolved': ['已解决', 'Resolved'],
  'cp.ev.closed': ['关闭', 'Closed'],
  'cp.ev.reopened': ['重新打开', 'Reopened'],
  'cp.ev.escalation': ['升级', 'Escalation'],
  'cp.resolution_note': ['解决说明', 'Resolution note'],
  'cp.actions': ['操作', 'Actions'],
  'cp.respond': ['回复客户', 'Respond'],
  'cp.respond_text': ['回复内容', 'Response'],
  'cp.pause': ['暂停时限', 'Pause the clocks'],
  'cp.pause_reason': ['暂停原因（如等待客户）', 'Reason (e.g. waiting on the customer)'],
  'cp.resume': ['恢复时限', 'Resume the clocks'],
  'cp.start': ['开始处理', 'Start work'],
  'cp.resolve': ['解决', 'Resolve'],
  'cp.close': ['关闭', 'Close'],
  'cp.reopen': ['重新打开', 'Reopen'],
  'cp.create': ['登记并打开', 'Log and open'],
  'cp.for_customer': ['客户：{name}（{code}）', 'Customer: {name} ({code})'],
  'cp.no_customer': ['请从客户卡片登记投诉。', 'Log a complaint from the customer card.'],
  'cp.paused_badge': ['已暂停', 'Paused'],
  'error.already_paused': ['投诉已处于暂停状态。', 'The complaint is already paused.'],
  'error.not_paused': ['投诉没有暂停。', 'The complaint is not paused.'],
  'error.illegal_transition': ['当前状态下不能执行此操作。', 'This is not possible in the complaint\'s current state.'],
  'field.unknown repair': ['维修单不存在', 'Unknown repair'],
  'field.the repair belongs to another customer': ['该维修单属于其他客户', 'The repair belongs to another customer'],
}));

const CSS = `
.cp-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; margin-bottom: 16px; }
.cp-panel { background: #fff; border: 1px solid var(--border); border-radius: var(--radius); padding: 16px; }
.cp-panel h2 { margin-top: 0; font-size: 16px; }
.cp-dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; }
.cp-dl dt { color: var(--muted); }
.cp-dl dd { margin: 0; white-space: pre-wrap; }
.cp-clock { font-variant-numeric: tabular-nums; white-space: nowrap; }
.cp-clock.overdue { color: #b42318; font-weight: 600; }
.cp-clock.paused { color: #7a5300; }
.cp-filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 0 16px; }
.cp-table { width: 100%; border-collapse: collapse; }
.cp-table th, .cp-table td { border-bottom: 1px solid var(--border); padding: 6px 8px; text-align: left; vertical-align: top; }
.cp-timeline { list-style: none; margin: 0; padding: 0; }
.cp-timeline li { padding: 6px 0; border-bottom: 1px solid var(--border); display: grid; grid-template-columns: 10em 7em 1fr; gap: 8px; }
.cp-actions { display: grid; gap: 12px; }
.cp-actions form { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
.cp-actions form .field { flex: 1; min-width: 14em; margin: 0; }
.cp-buttons { display: flex; gap: 8px; flex-wrap: wrap; }
@media (max-width: 800px) { .cp-timeline li { grid-template-columns: 1fr; } }
`;

const named = (prefix, v) => (v ? t(prefix + v) === prefix + v ? v : t(prefix + v) : '');

// Business seconds as "5 小时 20 分" / "5 h 20 min".
export function hoursText(secs) {
  const s = Math.abs(secs);
  return t('cp.hm', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

// One clock's state: left, overdue or paused (secs: business seconds left, negative
// when overdue; null when stopped).
function ClockText({ secs, paused, testid }) {
  if (secs === null || secs === undefined) return html`<span class="cp-clock muted" data-testid=${testid}>${t('cp.clock.none')}</span>`;
  const state = paused ? 'paused' : secs < 0 ? 'overdue' : 'left';
  return html`<span class=${'cp-clock ' + state} data-testid=${testid} data-clock=${state} data-secs=${secs}>
    ${t('cp.clock.' + state, { t: hoursText(secs) })}</span>`;
}

// ---- queue ----

function Queue({ user }) {
  useStyle('cp-style', CSS);
  const [f, setF] = useState({ status: '', severity: '', outlet: '' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const outletStaff = OUTLET.includes(user.role);
  const params = { status: f.status, severity: f.severity, outlet: f.outlet.trim() };
  const columns = [
    { key: 'code', label: t('cp.code'), render: (r) => html`<a href=${'#/complaints/' + r.code} data-complaint=${r.code}>${r.code}</a>` },
    { key: 'customer', label: t('cp.customer'), render: (r) => html`${r.customer.name} <span class="muted">${r.customer.code}</span>` },
    { key: 'status', label: t('cp.status'), render: (r) => html`${t('cp.st.' + r.status)}${r.clock.paused
      ? html` <span class="badge status-quoted" data-paused>${t('cp.paused_badge')}</span>` : null}` },
    { key: 'severity', label: t('cp.severity'), render: (r) => t('cp.sev.' + r.severity) },
    { key: 'left', label: t('cp.left'), render: (r) => html`${r.clock.running ? html`<span class="muted">${t('cp.clock.' + r.clock.running)} · </span>` : null}
      <${ClockText} secs=${r.clock.business_seconds_left} paused=${r.clock.paused} />` },
    { key: 'outlet', label: t('cp.outlet') },
    { key: 'channel', label: t('cp.channel'), render: (r) => named('cp.ch.', r.channel) },
    { key: 'category', label: t('cp.category'), render: (r) => named('cp.cat.', r.category) },
    { key: 'received_at', label: t('cp.received'), render: (r) => formatDateTime(r.received_at) },
  ];
  const opts = (list, prefix) => [{ value: '', label: t('cp.all') }, ...list.map((v) => ({ value: v, label: t(prefix + v) }))];
  return html`<${Page} title=${t('cp.title')}>
    <div class="cp-panel" data-testid="cp-queue">
      <div class="cp-filters">
        <${Field} label=${t('cp.status')} name="status" as="select" value=${f.status} onChange=${set('status')} options=${opts(STATUSES, 'cp.st.')} />
        <${Field} label=${t('cp.severity')} name="severity" as="select" value=${f.severity} onChange=${set('severity')} options=${opts(SEVERITIES, 'cp.sev.')} />
        ${outletStaff ? null : html`<${Field} label=${t('cp.outlet')} name="outlet" value=${f.outlet} hint=${t('cp.outlet_hint')} onChange=${set('outlet')} />`}
      </div>
      <${PagedTable} path="/complaints" params=${params} limit=${50} columns=${columns} name="complaints" />
    </div>
  </${Page}>`;
}

// ---- detail ----

function ClockRow({ c, which }) {
  const fr = which === 'first_response';
  const due = fr ? c.first_response_due : c.resolution_due;
  const doneAt = fr ? c.first_response_at : c.resolved_at;
  const left = c.clock[fr ? 'first_response_seconds_left' : 'resolution_seconds_left'];
  const late = doneAt && due && Date.parse(doneAt) > Date.parse(due);
  return html`<tr data-clock-row=${which}>
    <th scope="row">${t('cp.clock.' + which)}</th>
    <td data-testid=${'cp-due-' + which}>${due ? formatDateTime(due) : c.clock.paused && !doneAt ? t('cp.pause.open') : '—'}</td>
    <td><${ClockText} secs=${doneAt ? null : left} paused=${c.clock.paused} testid=${'cp-left-' + which} /></td>
    <td>${doneAt ? html`${formatDateTime(doneAt)} <span class=${late ? 'cp-clock overdue' : 'muted'}>${t(late ? 'cp.late' : 'cp.in_time')}</span>` : ''}</td>
  </tr>`;
}

// One action with a text (respond, pause, resolve): the field shows the server's reason.
function TextAction({ name, label, button, required, busy, error, onSubmit, area }) {
  const [v, setV] = useState('');
  const fe = fieldErrors(error);
  return html`<form data-action=${name} novalidate onSubmit=${async (e) => {
    e.preventDefault();
    if (await onSubmit(v.trim())) setV('');
  }}>
    <${Field} label=${label} name=${name} value=${v} as=${area ? 'textarea' : 'input'} rows="2" required=${required}
      error=${fe.text || fe.reason || fe.note} onInput=${(e) => setV(e.currentTarget.value)} />
    <${Button} type="submit" busy=${busy === name}>${button}</${Button}>
  </form>`;
}

function Actions({ c, onChanged }) {
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [errorOf, setErrorOf] = useState(null);
  async function go(what, path, body) {
    setBusy(what); setError(null); setErrorOf(null);
    try {
      onChanged(await api.post(`/complaints/${c.code}/${path}`, { ...body, version: c.version }));
      setBusy(null);
      return true;
    } catch (e) {
      setError(e); setErrorOf(what); setBusy(null);
      return false;
    }
  }
  const live = ['received', 'responded', 'in_progress'].includes(c.status);
  const paused = c.clock.paused;
  const fieldErr = errorOf && error?.code === 'validation_failed' ? error : null;
  const errFor = (w) => (errorOf === w ? fieldErr : null);
  return html`<section class="cp-panel cp-actions" data-testid="cp-actions">
    <h2>${t('cp.actions')}</h2>
    ${error && !fieldErr ? html`<${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />` : null}
    ${c.status !== 'closed' ? html`<${TextAction} name="respond" label=${t('cp.respond_text')} button=${t('cp.respond')} required area
      busy=${busy} error=${errFor('respond')} onSubmit=${(text) => go('respond', 'responses', { text })} />` : null}
    ${live && !paused ? html`<${TextAction} name="pause" label=${t('cp.pause_reason')} button=${t('cp.pause')} required
      busy=${busy} error=${errFor('pause')} onSubmit=${(reason) => go('pause', 'pause', { reason })} />` : null}
    ${live ? html`<${TextAction} name="resolve" label=${t('cp.resolution_note')} button=${t('cp.resolve')} required area
      busy=${busy} error=${errFor('resolve')} onSubmit=${(note) => go('resolve', 'resolve', { note })} />` : null}
    <div class="cp-buttons">
      ${paused ? html`<${Button} data-do="resume" busy=${busy === 'resume'} onClick=${() => go('resume', 'resume', {})}>${t('cp.resume')}</${Button}>` : null}
      ${['received', 'responded'].includes(c.status) ? html`<${Button} variant="secondary" data-do="in_progress" busy=${busy === 'in_progress'}
        onClick=${() => go('in_progress', 'transitions', { to: 'in_progress' })}>${t('cp.start')}</${Button}>` : null}
      ${c.status === 'resolved' ? html`<${Button} variant="secondary" data-do="closed" busy=${busy === 'closed'}
        onClick=${() => go('closed', 'transitions', { to: 'closed' })}>${t('cp.close')}</${Button}>` : null}
      ${['resolved', 'closed'].includes(c.status) ? html`<${Button} variant="secondary" data-do="reopened" busy=${busy === 'reopened'}
        onClick=${() => go('reopened', 'transitions', { to: 'reopened' })}>${t('cp.reopen')}</${Button}>` : null}
    </div>
  </section>`;
}

function Detail({ user, code }) {
  useStyle('cp-style', CSS);
  const [c, setC] = useState(null);
  const [error, setError] = useState(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    api.get(`/complaints/${code}`).then((x) => live && setC(x), (e) => live && setError(e));
    return () => { live = false; };
  }, [code, attempt]);
  if (error) return html`<${Page} title=${code}><${ErrorBanner} error=${error} onRetry=${() => setAttempt(attempt + 1)} /></${Page}>`;
  if (!c) return html`<${Loading} />`;
  const zone = timeZone;
  const link = (path, v) => (v ? html`<a href=${`#/${path}/${v}`}>${v}</a>` : '—');
  return html`<${Page} title=${html`<span data-testid="cp-code">${c.code}</span> <span class="muted" data-testid="cp-status" data-status=${c.status}>${t('cp.st.' + c.status)}</span>`}
    actions=${html`<a class="btn btn-secondary" href="#/complaints">${t('cp.title')}</a>`}>
    <div class="cp-grid">
      <section class="cp-panel" data-testid="cp-facts">
        <dl class="cp-dl">
          <dt>${t('cp.customer')}</dt><dd><a href=${'#/customers/' + c.customer.code}>${c.customer.name} (${c.customer.code})</a></dd>
          <dt>${t('cp.repair')}</dt><dd>${link('repairs', c.repair)}</dd>
          <dt>${t('cp.outlet')}</dt><dd>${link('outlets', c.outlet)}</dd>
          <dt>${t('cp.channel')}</dt><dd>${named('cp.ch.', c.channel)}</dd>
          <dt>${t('cp.category')}</dt><dd>${named('cp.cat.', c.category) || '—'}</dd>
          <dt>${t('cp.severity')}</dt><dd data-severity=${c.severity}>${t('cp.sev.' + c.severity)}</dd>
          <dt>${t('cp.received')}</dt><dd>${formatDateTime(c.received_at)}</dd>
          <dt>${t('cp.text')}</dt><dd data-testid="cp-text">${c.text}</dd>
          ${c.resolution_note ? html`<dt>${t('cp.resolution_note')}</dt><dd data-testid="cp-note">${c.resolution_note}</dd>` : null}
        </dl>
      </section>
      <section class="cp-panel" data-testid="cp-clocks">
        <h2>${t('cp.clocks')}</h2>
        <table class="cp-table"><thead><tr><th></th><th>${t('cp.due', { zone })}</th><th>${t('cp.remaining')}</th><th>${t('cp.done_at')}</th></tr></thead>
          <tbody><${ClockRow} c=${c} which="first_response" /><${ClockRow} c=${c} which="resolution" /></tbody></table>
        ${c.policy ? html`<p class="muted">${t('cp.policy', { calendar: c.policy.calendar, fr: c.policy.first_response_hours, res: c.policy.resolution_hours })}</p>` : null}
      </section>
    </div>
    <div class="cp-grid">
      <section class="cp-panel" data-testid="cp-pauses">
        <h2>${t('cp.pauses')}</h2>
        ${c.pauses.length === 0 ? html`<p class="muted">${t('cp.pauses.none')}</p>` : html`<table class="cp-table">
          <thead><tr><th>${t('cp.pause.start')}</th><th>${t('cp.pause.end')}</th><th>${t('cp.pause.reason')}</th><th>${t('cp.pause.who')}</th></tr></thead>
          <tbody>${c.pauses.map((p, i) => html`<tr key=${i} data-pause=${p.end ? 'closed' : 'open'}>
            <td>${formatDateTime(p.start)}</td><td>${p.end ? formatDateTime(p.end) : html`<span class="cp-clock paused">${t('cp.pause.open')}</span>`}</td>
            <td>${p.reason}</td><td>${p.who}${p.resumed_by && p.resumed_by !== p.who ? ' / ' + p.resumed_by : ''}</td></tr>`)}</tbody></table>`}
      </section>
      ${DESK.includes(user.role) || OUTLET.includes(user.role) ? html`<${Actions} c=${c} onChanged=${setC} />` : null}
    </div>
    <section class="cp-panel" data-testid="cp-timeline">
      <h2>${t('cp.timeline')}</h2>
      <ol class="cp-timeline">${(c.timeline || []).map((e, i) => html`<li key=${i} data-event=${e.kind}>
        <span>${formatDateTime(e.at)}</span><span>${named('cp.ev.', e.kind)}</span>
        <span>${e.kind === 'received' ? named('cp.ch.', e.note) : e.note || ''} <span class="muted">· ${e.actor}</span></span></li>`)}</ol>
    </section>
  </${Page}>`;
}

// ---- log a complaint ----

function NewComplaint({ query }) {
  useStyle('cp-style', CSS);
  const customer = query?.get('customer') || '';
  const [cust, setCust] = useState(null);
  const [v, setV] = useState({ channel: 'phone', category: '', severity: 'normal', text: '', repair: query?.get('repair') || '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { if (customer) api.get(`/customers/${customer}`).then(setCust, setError); }, [customer]);
  const repairs = useItems('/repairs', { customer, limit: 50 }, customer);
  if (!customer) return html`<${Page} title=${t('cp.new')}><${Notice}>${t('cp.no_customer')}</${Notice}></${Page}>`;
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const r = await api.post('/complaints', { customer, channel: v.channel, severity: v.severity, text: v.text,
        category: v.category || null, repair: v.repair || null });
      location.hash = '#/complaints/' + r.code;
    } catch (err) { setError(err); setBusy(false); }
  }
  const fe = fieldErrors(error);
  return html`<${Page} title=${t('cp.new')}>
    <form class="cp-panel" style="max-width:680px" onSubmit=${submit} novalidate data-testid="cp-form">
      ${cust ? html`<p data-testid="cp-form-customer">${t('cp.for_customer', { name: cust.name, code: cust.code })}</p>` : null}
      <${ErrorBanner} error=${error && error.code !== 'validation_failed' ? error : null} />
      <${Field} label=${t('cp.channel')} name="channel" as="select" value=${v.channel} onChange=${set('channel')} error=${fe.channel}
        options=${CHANNELS.map((x) => ({ value: x, label: t('cp.ch.' + x) }))} />
      <${Field} label=${t('cp.category')} name="category" as="select" value=${v.category} onChange=${set('category')} error=${fe.category}
        options=${[{ value: '', label: '—' }, ...CATEGORIES.map((x) => ({ value: x, label: t('cp.cat.' + x) }))]} />
      <${Field} label=${t('cp.severity')} name="severity" as="select" value=${v.severity} onChange=${set('severity')} error=${fe.severity}
        options=${SEVERITIES.map((x) => ({ value: x, label: t('cp.sev.' + x) }))} />
      <${Field} label=${t('cp.repair')} name="repair" as="select" value=${v.repair} onChange=${set('repair')} error=${fe.repair}
        options=${[{ value: '', label: t('cp.repair_none') }, ...(repairs.items || []).map((r) => ({ value: r.code, label: `${r.code} · ${r.model?.name || r.model?.code || ''} · ${r.fault || ''}` }))]} />
      <${Field} label=${t('cp.text')} name="text" as="textarea" rows="4" value=${v.text} required onInput=${set('text')} error=${fe.text || fe.customer} />
      <div class="cp-buttons">
        <${Button} type="submit" busy=${busy}>${t('cp.create')}</${Button}>
        <a class="btn btn-ghost" href=${'#/customers/' + customer}>${t('common.cancel')}</a>
      </div>
    </form>
  </${Page}>`;
}

export default function Complaints({ user, params, query }) {
  const [first] = params || [];
  if (!first) return html`<${Queue} user=${user} />`;
  if (first === 'new') return html`<${NewComplaint} query=${query} />`;
  return html`<${Detail} key=${first} user=${user} code=${first} />`;
}
