// The contact center's agent desk (M9): the screen pop pushed by server-sent events
// (one customer's card, a chooser, or a prefilled new-customer form), the wrap-up form
// after the call, the extension setting, letters/faxes/walk-ins logged by hand, the
// contact search with its downloads, and the call-back list with its attempts.
//   #/contacts       the desk (pop, wrap-up, extension) and the call-back list
//   #/contacts/log   letters, faxes and walk-ins logged by hand, and the contact search
//   #/contacts/hotlines  the hotlines with their numbers, product lines and hours (supervisors)
// Outlet staff get the log tab only: walk-ins at their counter, and the contacts of their
// outlet (its repairs' and those it logged; the server confines the list).
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, fieldErrors, DownloadLinks, useStyle } from '../ui.js';
import { PagedTable, usePagedList } from '../lib/lists.js';

const CHANNELS = ['phone', 'email', 'web', 'letter', 'fax', 'walk_in', 'sms'];
const REASONS = ['consultation', 'purchase', 'repair_registration', 'status_query', 'complaint', 'suggestion', 'marketing'];
const OUTCOMES = ['resolved', 'follow_up', 'transferred', 'escalated', 'call_back', 'missed', 'no_answer', 'logged'];
const ATTEMPTS = ['reached', 'no_answer', 'busy', 'voicemail', 'wrong_number'];

registerMessages(byLang({
  'ct.title': ['联络中心', 'Contact center'],
  'ct.desk': ['来电', 'Incoming calls'],
  'ct.extension': ['我的分机', 'My extension'],
  'ct.extension_save': ['保存分机', 'Save the extension'],
  'ct.extension_saved': ['分机已保存', 'Extension saved'],
  'ct.waiting': ['等待来电……', 'Waiting for calls…'],
  'ct.live': ['已连接', 'connected'],
  'ct.offline': ['未连接，正在重连', 'not connected; reconnecting'],
  'ct.calling': ['来电 {from}', 'Call from {from}'],
  'ct.hotline': ['热线', 'Hotline'],
  'ct.ooh': ['非工作时间', 'out of hours'],
  'ct.units': ['产品', 'Units'],
  'ct.open_repairs': ['进行中的维修', 'Open repairs'],
  'ct.recent': ['最近联络', 'Recent contacts'],
  'ct.choose': ['多位客户使用此号码，请选择：', 'Several customers have this number; choose one:'],
  'ct.none': ['未找到客户：新建客户', 'No customer found: create one'],
  'ct.new_customer': ['新建客户', 'Create the customer'],
  'ct.name': ['姓名', 'Name'],
  'ct.phone': ['电话', 'Phone'],
  'ct.wrapup': ['通话小结', 'Wrap-up'],
  'ct.wrapup_saved': ['已记录联络 {code}', 'Contact {code} logged'],
  'ct.save': ['保存', 'Save'],
  'ct.log': ['手工登记（信函、传真、来访）', 'Log by hand (letters, faxes, walk-ins)'],
  'ct.logged': ['已登记联络 {code}', 'Contact {code} logged'],
  'ct.search': ['联络记录', 'Contact log'],
  'ct.callbacks': ['回电列表', 'Call-back list'],
  'ct.attempt': ['记录回电', 'Log an attempt'],
  'ct.f.code': ['编号', 'Code'], 'ct.f.started_at': ['时间', 'When'], 'ct.f.channel': ['渠道', 'Channel'],
  'ct.f.direction': ['方向', 'Direction'], 'ct.f.reason': ['原因', 'Reason'], 'ct.f.outcome': ['结果', 'Outcome'],
  'ct.f.agent': ['坐席', 'Agent'], 'ct.f.customer': ['客户编号', 'Customer code'], 'ct.f.address': ['号码/地址', 'Number / address'],
  'ct.f.repair': ['维修单号', 'Repair code'], 'ct.f.subject': ['主题', 'Subject'], 'ct.f.body': ['内容', 'Notes'],
  'ct.f.from': ['从', 'From'], 'ct.f.to': ['到', 'To'], 'ct.f.cause': ['原因', 'Cause'], 'ct.f.attempts': ['次数', 'Attempts'],
  'ct.f.any': ['全部', 'any'],
  'ct.ch.phone': ['电话', 'Phone'], 'ct.ch.email': ['邮件', 'Email'], 'ct.ch.web': ['网页留言', 'Web'], 'ct.ch.letter': ['信函', 'Letter'],
  'ct.ch.fax': ['传真', 'Fax'], 'ct.ch.walk_in': ['来访', 'Walk-in'], 'ct.ch.sms': ['短信', 'SMS'],
  'ct.r.consultation': ['咨询', 'Consultation'], 'ct.r.purchase': ['购买', 'Purchase'], 'ct.r.repair_registration': ['报修', 'Repair registration'],
  'ct.r.status_query': ['进度查询', 'Status query'], 'ct.r.complaint': ['投诉', 'Complaint'], 'ct.r.suggestion': ['建议', 'Suggestion'],
  'ct.r.marketing': ['营销', 'Marketing'],
  'ct.o.resolved': ['已解决', 'Resolved'], 'ct.o.follow_up': ['需跟进', 'Follow-up'], 'ct.o.transferred': ['已转接', 'Transferred'],
  'ct.o.escalated': ['已升级', 'Escalated'], 'ct.o.call_back': ['需回电', 'Call back'], 'ct.o.missed': ['未接', 'Missed'],
  'ct.o.no_answer': ['无人接听', 'No answer'], 'ct.o.logged': ['已登记', 'Logged'],
  'ct.a.reached': ['已联系上', 'Reached'], 'ct.a.no_answer': ['无人接听', 'No answer'], 'ct.a.busy': ['忙线', 'Busy'],
  'ct.a.voicemail': ['语音信箱', 'Voicemail'], 'ct.a.wrong_number': ['号码错误', 'Wrong number'],
  'ct.cause.missed': ['未接来电', 'Missed call'], 'ct.cause.out_of_hours': ['非工作时间来电', 'Out-of-hours call'],
  'ct.cause.requested': ['客户要求', 'Requested'],
  'ct.hotlines': ['热线', 'Hotlines'],
  'ct.h.code': ['代码', 'Code'], 'ct.h.number': ['号码', 'Number'], 'ct.h.name': ['名称', 'Name'],
  'ct.h.calendar': ['服务时间（日历）', 'Opening hours (calendar)'], 'ct.h.lines': ['产品线', 'Product lines'],
  'ct.h.lines_hint': ['产品线代码，逗号分隔，如 TV, AV', 'Product line codes, comma-separated, e.g. TV, AV'],
  'ct.h.open_now': ['当前', 'Now'], 'ct.h.open': ['服务中', 'open'], 'ct.h.closed': ['非服务时间', 'closed'],
  'ct.h.save': ['保存热线', 'Save the hotline'], 'ct.h.saved': ['热线 {code} 已保存', 'Hotline {code} saved'],
  'ct.h.edit': ['编辑', 'Edit'],
}));

const CSS = `
.ct-panel { background: #fff; border: 1px solid var(--border); border-radius: var(--radius); padding: 16px; margin-bottom: 16px; }
.ct-panel h2 { margin-top: 0; font-size: 16px; }
.ct-row { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; }
.ct-pop { border-left: 4px solid #1d4f91; padding: 8px 12px; background: #f4f7fb; margin: 8px 0; }
.ct-card h3 { margin: 6px 0; } .ct-card h4 { margin: 8px 0 2px; font-size: 13px; color: var(--muted); }
.ct-card ul { margin: 0; padding-left: 18px; }
.ct-tabs { display: flex; gap: 12px; margin-bottom: 12px; } .ct-tabs a.active { font-weight: 600; text-decoration: underline; }
`;

const opts = (list, prefix, any) => [...(any ? [{ value: '', label: t('ct.f.any') }] : []),
  ...list.map((v) => ({ value: v, label: t(prefix + v) }))];
const when = (s) => (s ? new Date(s).toLocaleString() : '');

function Extension() {
  const [ext, setExt] = useState('');
  const [msg, setMsg] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => { api.get('/desk/extension').then((r) => setExt(r.extension || ''), setErr); }, []);
  const save = async () => {
    setErr(null); setMsg(null);
    try { await api.put('/desk/extension', { extension: ext }); setMsg(t('ct.extension_saved')); } catch (e) { setErr(e); }
  };
  return html`<div class="ct-row">
    <${Field} label=${t('ct.extension')} name="extension" value=${ext} onInput=${(e) => setExt(e.target.value)}
      error=${fieldErrors(err).extension} />
    <${Button} variant="secondary" onClick=${save}>${t('ct.extension_save')}</${Button}>
    ${msg ? html`<span class="muted" data-test="extension-saved">${msg}</span>` : null}</div>`;
}

function Card({ c }) {
  return html`<div class="ct-card" data-test="pop-card" data-customer=${c.code}>
    <h3><a href=${'#/customers/' + c.code}>${c.name}</a> <span class="muted">${c.code}</span></h3>
    <div>${(c.phones || []).map((p) => p.phone).join(', ')}</div>
    <h4>${t('ct.units')}</h4><ul>${(c.units || []).map((u) => html`<li>${u.model} · ${u.serial}</li>`)}</ul>
    <h4>${t('ct.open_repairs')}</h4><ul>${(c.open_repairs || []).map((r) => html`<li><a href=${'#/repairs/' + r.code}>${r.code}</a> · ${r.status} · ${r.model || ''}</li>`)}</ul>
    <h4>${t('ct.recent')}</h4><ul>${(c.recent_contacts || []).map((k) => html`<li>${when(k.started_at)} · ${t('ct.ch.' + k.channel)} · ${k.reason ? t('ct.r.' + k.reason) : ''} ${k.outcome ? t('ct.o.' + k.outcome) : ''}</li>`)}</ul>
  </div>`;
}

function Pop({ pop, onChosen }) {
  const [form, setForm] = useState({ name: '', phone: pop.prefill?.phone || '' });
  const [err, setErr] = useState(null);
  const choose = async (code) => { try { onChosen(await api.get('/desk/customers/' + code)); } catch (e) { setErr(e); } };
  const create = async () => {
    setErr(null);
    try { const c = await api.post('/customers', form); await choose(c.code); } catch (e) { setErr(e); }
  };
  const call = pop.call;
  return html`<div class="ct-pop" data-test="pop" data-match=${pop.match} data-call=${call.call_id}>
    <strong>${t('ct.calling', { from: call.from })}</strong>
    ${call.hotline ? html` · ${t('ct.hotline')} ${call.hotline.name}` : null}
    ${call.out_of_hours ? html` · <span class="badge">${t('ct.ooh')}</span>` : null}
    <${ErrorBanner} error=${err} />
    ${pop.match === 'one' ? html`<${Card} c=${pop.customers[0]} />` : null}
    ${pop.match === 'several' ? html`<div data-test="chooser"><p>${t('ct.choose')}</p>
      ${pop.customers.map((c) => html`<${Button} variant="secondary" onClick=${() => choose(c.code)}>${c.name} · ${c.code}</${Button}> `)}</div>` : null}
    ${pop.match === 'none' ? html`<div data-test="new-customer"><p>${t('ct.none')}</p>
      <${Field} label=${t('ct.name')} name="name" value=${form.name} onInput=${(e) => setForm({ ...form, name: e.target.value })} error=${fieldErrors(err).name} />
      <${Field} label=${t('ct.phone')} name="phone" value=${form.phone} onInput=${(e) => setForm({ ...form, phone: e.target.value })} error=${fieldErrors(err).phone} />
      <${Button} onClick=${create}>${t('ct.new_customer')}</${Button}></div>` : null}
  </div>`;
}

function WrapUp({ code, customer, onDone }) {
  const [f, setF] = useState({ reason: '', outcome: 'resolved', repair: '', body: '' });
  const [err, setErr] = useState(null);
  const save = async () => {
    setErr(null);
    try {
      const cur = await api.get('/contacts/' + code);
      const body = { version: cur.version, outcome: f.outcome || null, reason: f.reason || null, body: f.body || null };
      if (f.repair) body.repair = f.repair;
      if (customer && !cur.customer) body.customer = customer;
      const r = await api.patch('/contacts/' + code, body);
      onDone(r);
    } catch (e) { setErr(e); }
  };
  const fe = fieldErrors(err);
  return html`<form class="ct-wrapup" data-test="wrapup" onSubmit=${(e) => { e.preventDefault(); save(); }}>
    <h3>${t('ct.wrapup')} · ${code}</h3><${ErrorBanner} error=${err} />
    <${Field} as="select" label=${t('ct.f.reason')} name="reason" value=${f.reason} options=${opts(REASONS, 'ct.r.', true)}
      onChange=${(e) => setF({ ...f, reason: e.target.value })} error=${fe.reason} />
    <${Field} as="select" label=${t('ct.f.outcome')} name="outcome" value=${f.outcome} options=${opts(OUTCOMES, 'ct.o.')}
      onChange=${(e) => setF({ ...f, outcome: e.target.value })} error=${fe.outcome} />
    <${Field} label=${t('ct.f.repair')} name="repair" value=${f.repair} onInput=${(e) => setF({ ...f, repair: e.target.value })} error=${fe.repair} />
    <${Field} as="textarea" label=${t('ct.f.body')} name="body" value=${f.body} onInput=${(e) => setF({ ...f, body: e.target.value })} />
    <${Button} type="submit">${t('ct.save')}</${Button}></form>`;
}

function Desk({ onLogged }) {
  const [pop, setPop] = useState(null);
  const [card, setCard] = useState(null);
  const [ended, setEnded] = useState(null);
  const [live, setLive] = useState(false);
  const [saved, setSaved] = useState(null);
  useEffect(() => {
    const es = new EventSource(api.apiUrl('/desk/events'));
    es.addEventListener('ready', () => setLive(true));
    es.onerror = () => setLive(false);
    es.addEventListener('call', (e) => { setPop(JSON.parse(e.data)); setCard(null); setEnded(null); setSaved(null); });
    es.addEventListener('call_state', (e) => { const s = JSON.parse(e.data); if (s.state === 'ended' && s.contact) setEnded(s.contact); });
    return () => es.close();
  }, []);
  const customer = card?.code || (pop?.match === 'one' ? pop.customers[0].code : null);
  return html`<section class="ct-panel" data-test="desk" data-live=${live ? 'yes' : 'no'}>
    <h2>${t('ct.desk')} <span class="muted">${live ? t('ct.live') : t('ct.offline')}</span></h2>
    <${Extension} />
    ${!pop ? html`<p class="muted">${t('ct.waiting')}</p>` : null}
    ${pop && !card ? html`<${Pop} pop=${pop} onChosen=${setCard} />` : null}
    ${card ? html`<${Card} c=${card} />` : null}
    ${ended && !saved ? html`<${WrapUp} code=${ended} customer=${customer} onDone=${(r) => { setSaved(r.code); onLogged(); }} />` : null}
    ${saved ? html`<${Notice} tone="success">${t('ct.wrapup_saved', { code: saved })}</${Notice}>` : null}
  </section>`;
}

function ManualLog({ onLogged, outlet }) {
  const empty = { channel: outlet ? 'walk_in' : 'letter', customer: '', address: '', repair: '', reason: '', outcome: 'logged', subject: '', body: '' };
  const [f, setF] = useState(empty);
  const [err, setErr] = useState(null);
  const [msg, setMsg] = useState(null);
  const save = async () => {
    setErr(null); setMsg(null);
    const body = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));
    try { const r = await api.post('/contacts', body); setMsg(t('ct.logged', { code: r.code })); setF(empty); onLogged(); } catch (e) { setErr(e); }
  };
  const fe = fieldErrors(err);
  const field = (k, extra = {}) => html`<${Field} label=${t('ct.f.' + k)} name=${'log-' + k} value=${f[k]} error=${fe[k]}
    onInput=${(e) => setF({ ...f, [k]: e.target.value })} onChange=${(e) => setF({ ...f, [k]: e.target.value })} ...${extra} />`;
  return html`<form class="ct-panel" data-test="manual-log" onSubmit=${(e) => { e.preventDefault(); save(); }}>
    <h2>${t('ct.log')}</h2><${ErrorBanner} error=${err} />
    ${field('channel', { as: 'select', options: opts(CHANNELS, 'ct.ch.') })}
    ${field('customer')}${field('address')}${field('repair')}
    ${field('reason', { as: 'select', options: opts(REASONS, 'ct.r.', true) })}
    ${field('outcome', { as: 'select', options: opts(OUTCOMES, 'ct.o.', true) })}
    ${field('subject')}${field('body', { as: 'textarea' })}
    <${Button} type="submit">${t('ct.save')}</${Button}>
    ${msg ? html`<${Notice} tone="success">${msg}</${Notice}>` : null}</form>`;
}

function Search({ stamp }) {
  const [q, setQ] = useState({ customer: '', channel: '', reason: '', agent: '', from: '', to: '' });
  const params = { ...Object.fromEntries(Object.entries(q).filter(([, v]) => v)), _: undefined };
  delete params._;
  const set = (k) => (e) => setQ({ ...q, [k]: e.target.value });
  const columns = [
    { key: 'code', label: t('ct.f.code') }, { key: 'started_at', label: t('ct.f.started_at'), render: (r) => when(r.started_at) },
    { key: 'channel', label: t('ct.f.channel'), render: (r) => t('ct.ch.' + r.channel) },
    { key: 'customer', label: t('ct.f.customer'), render: (r) => (r.customer ? html`<a href=${'#/customers/' + r.customer.code}>${r.customer.name}</a>` : r.address) },
    { key: 'reason', label: t('ct.f.reason'), render: (r) => (r.reason ? t('ct.r.' + r.reason) : '') },
    { key: 'outcome', label: t('ct.f.outcome'), render: (r) => (r.outcome ? t('ct.o.' + r.outcome) : '') },
    { key: 'handled_by', label: t('ct.f.agent') }, { key: 'repair', label: t('ct.f.repair') },
  ];
  return html`<section class="ct-panel" data-test="contact-search">
    <h2>${t('ct.search')}</h2>
    <div class="ct-row">
      <${Field} label=${t('ct.f.customer')} name="q-customer" value=${q.customer} onChange=${set('customer')} />
      <${Field} as="select" label=${t('ct.f.channel')} name="q-channel" value=${q.channel} options=${opts(CHANNELS, 'ct.ch.', true)} onChange=${set('channel')} />
      <${Field} as="select" label=${t('ct.f.reason')} name="q-reason" value=${q.reason} options=${opts(REASONS, 'ct.r.', true)} onChange=${set('reason')} />
      <${Field} label=${t('ct.f.agent')} name="q-agent" value=${q.agent} onChange=${set('agent')} />
      <${Field} label=${t('ct.f.from')} name="q-from" type="date" value=${q.from} onChange=${set('from')} />
      <${Field} label=${t('ct.f.to')} name="q-to" type="date" value=${q.to} onChange=${set('to')} />
    </div>
    <${PagedTable} key=${stamp} path="/contacts" params=${params} limit=${50} columns=${columns} name="contacts" />
  </section>`;
}

function Callbacks() {
  const list = usePagedList('/callbacks', { status: 'open' }, 50);
  const [err, setErr] = useState(null);
  const attempt = async (cb, outcome) => {
    setErr(null);
    try { await api.post(`/callbacks/${cb.code}/attempts`, { version: cb.version, outcome }); list.reload(); } catch (e) { setErr(e); }
  };
  return html`<section class="ct-panel" data-test="callbacks">
    <h2>${t('ct.callbacks')} <${DownloadLinks} path="/callbacks" params=${{ status: 'open' }} name="callbacks" /></h2>
    <${ErrorBanner} error=${err || list.error} onRetry=${list.reload} />
    <table class="table"><thead><tr><th>${t('ct.f.code')}</th><th>${t('ct.f.started_at')}</th><th>${t('ct.phone')}</th>
      <th>${t('ct.f.customer')}</th><th>${t('ct.f.cause')}</th><th>${t('ct.f.attempts')}</th><th>${t('ct.attempt')}</th></tr></thead>
    <tbody>${(list.items || []).map((cb) => html`<tr key=${cb.code} data-callback=${cb.code}>
      <td>${cb.code}</td><td>${when(cb.called_at)}</td><td>${cb.number}</td><td>${cb.customer ? cb.customer.name : ''}</td>
      <td>${t('ct.cause.' + cb.cause)}</td><td>${cb.attempts}${cb.last_outcome ? ' · ' + t('ct.a.' + cb.last_outcome) : ''}</td>
      <td>${ATTEMPTS.map((a) => html`<${Button} variant="secondary" onClick=${() => attempt(cb, a)}>${t('ct.a.' + a)}</${Button}> `)}</td></tr>`)}</tbody></table>
  </section>`;
}

function Hotlines() {
  const empty = { code: '', number: '', name: '', calendar: 'hotline', lines: '', version: null };
  const [f, setF] = useState(empty);
  const [err, setErr] = useState(null);
  const [msg, setMsg] = useState(null);
  const [stamp, setStamp] = useState(0);
  const [cals, setCals] = useState([]);
  useEffect(() => { api.get('/calendars', { query: { limit: 200 } }).then((r) => setCals(r.items.map((c) => c.name)), () => {}); }, []);
  const save = async () => {
    setErr(null); setMsg(null);
    const body = { number: f.number, name: f.name, calendar: f.calendar,
      product_lines: f.lines.split(/[,，\s]+/).filter(Boolean) };
    if (f.version) body.version = f.version;
    try { const r = await api.put('/hotlines/' + encodeURIComponent(f.code), body); setMsg(t('ct.h.saved', { code: r.code })); setF(empty); setStamp((n) => n + 1); } catch (e) { setErr(e); }
  };
  const edit = (h) => setF({ code: h.code, number: h.number, name: h.name, calendar: h.calendar, lines: h.product_lines.join(', '), version: h.version });
  const fe = fieldErrors(err);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const columns = [
    { key: 'code', label: t('ct.h.code') }, { key: 'number', label: t('ct.h.number') }, { key: 'name', label: t('ct.h.name') },
    { key: 'calendar', label: t('ct.h.calendar'), render: (h) => html`<a href=${'#/calendars/' + h.calendar}>${h.calendar}</a>` },
    { key: 'product_lines', label: t('ct.h.lines'), render: (h) => h.product_lines.join(', ') },
    { key: 'open_now', label: t('ct.h.open_now'), render: (h) => (h.open_now ? t('ct.h.open') : t('ct.h.closed')) },
    { key: 'edit', label: '', render: (h) => html`<${Button} variant="secondary" onClick=${() => edit(h)}>${t('ct.h.edit')}</${Button}>` },
  ];
  return html`<section class="ct-panel" data-test="hotlines"><h2>${t('ct.hotlines')}</h2>
    <${PagedTable} key=${stamp} path="/hotlines" params=${{}} limit=${50} columns=${columns} name="hotlines" />
    <form onSubmit=${(e) => { e.preventDefault(); save(); }}>
      <${ErrorBanner} error=${err} />
      <div class="ct-row">
        <${Field} label=${t('ct.h.code')} name="h-code" value=${f.code} onInput=${set('code')} error=${fe.code} disabled=${!!f.version} />
        <${Field} label=${t('ct.h.number')} name="h-number" value=${f.number} onInput=${set('number')} error=${fe.number} />
        <${Field} label=${t('ct.h.name')} name="h-name" value=${f.name} onInput=${set('name')} error=${fe.name} />
        <${Field} as="select" label=${t('ct.h.calendar')} name="h-calendar" value=${f.calendar} onChange=${set('calendar')}
          options=${(cals.length ? cals : ['hotline']).map((c) => ({ value: c, label: c }))} error=${fe.calendar} />
        <${Field} label=${t('ct.h.lines')} name="h-lines" value=${f.lines} onInput=${set('lines')} hint=${t('ct.h.lines_hint')} error=${fe.product_lines} />
      </div>
      <${Button} type="submit">${t('ct.h.save')}</${Button}>
      ${msg ? html`<${Notice} tone="success">${msg}</${Notice}>` : null}
    </form></section>`;
}

// #/contacts: the desk and the call-back list; #/contacts/log: the manual log and the search.
export default function ContactsView({ user, params }) {
  const [stamp, setStamp] = useState(0);
  const bump = () => setStamp((n) => n + 1);
  useStyle('contacts-css', CSS);
  const tab = (params || [])[0] || '';
  const manage = ['admin', 'supervisor'].includes(user?.role);
  const outlet = ['outlet_manager', 'technician'].includes(user?.role);
  const link = (to, label) => html`<a href=${'#/contacts' + (to ? '/' + to : '')} class=${tab === to ? 'active' : ''} data-tab=${to || 'desk'}>${label}</a>`;
  return html`<${Page} title=${t('ct.title')}>
    ${outlet ? null : html`<nav class="ct-tabs">${link('', t('ct.desk') + ' · ' + t('ct.callbacks'))}${link('log', t('ct.log') + ' · ' + t('ct.search'))}
      ${manage ? link('hotlines', t('ct.hotlines')) : null}</nav>`}
    ${tab === 'log' || outlet ? html`<${ManualLog} onLogged=${bump} outlet=${outlet} /><${Search} stamp=${stamp} />`
    : tab === 'hotlines' && manage ? html`<${Hotlines} />`
    : html`<${Desk} onLogged=${bump} /><${Callbacks} />`}
  </${Page}>`;
}
