// Satisfaction surveys (M11): the agents' call-back tasks (script, attempts, outcome
// codes, the answers taken on the phone), every survey sent, the supervisors'
// follow-ups of low scores, and the templates (questions in zh-CN and en) and
// settings, edited by admins. Every list downloads. Hash routes:
//   #/surveys            call-back tasks     #/surveys/all        every survey
//   #/surveys/followups  follow-ups          #/surveys/templates  templates, settings
//   #/surveys/S00000012  one survey (script, attempts, the call form)
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, DownloadLinks, fieldErrors, useStyle } from '../ui.js';
import { PagedTable, useItems } from '../lib/lists.js';

const QUESTIONS = ['first_impression', 'repair_time', 'attitude', 'overall'];
const OUTCOMES = ['answered', 'no_answer', 'busy', 'call_back_later', 'wrong_number', 'refused'];
const BOSSES = ['admin', 'supervisor'];

registerMessages(byLang({
  'sv.title': ['满意度回访', 'Satisfaction surveys'],
  'sv.tab.callbacks': ['回访任务', 'Call-back tasks'],
  'sv.tab.all': ['全部回访', 'All surveys'],
  'sv.tab.followups': ['跟进', 'Follow-ups'],
  'sv.tab.templates': ['模板与设置', 'Templates and settings'],
  'sv.code': ['回访编号', 'Survey'],
  'sv.kind': ['类型', 'Kind'],
  'sv.kind.repair': ['维修', 'Repair'],
  'sv.kind.visit': ['上门', 'On-site visit'],
  'sv.channel': ['渠道', 'Channel'],
  'sv.ch.callback': ['电话回访', 'Call-back'],
  'sv.ch.email': ['邮件链接', 'Email link'],
  'sv.ch.sms': ['短信链接', 'SMS link'],
  'sv.status': ['状态', 'Status'],
  'sv.st.open': ['待回访', 'Open'],
  'sv.st.answered': ['已回复', 'Answered'],
  'sv.st.closed': ['已关闭', 'Closed'],
  'sv.all': ['全部', 'All'],
  'sv.customer': ['客户', 'Customer'],
  'sv.phone': ['电话', 'Phone'],
  'sv.outlet': ['网点', 'Outlet'],
  'sv.repair': ['维修单', 'Repair'],
  'sv.created': ['发出时间', 'Sent'],
  'sv.attempts': ['尝试次数', 'Attempts'],
  'sv.outcome': ['结果', 'Outcome'],
  'sv.next_call': ['下次回访', 'Next call'],
  'sv.overall': ['总体', 'Overall'],
  'sv.q.first_impression': ['第一印象', 'First impression'],
  'sv.q.repair_time': ['维修时间', 'Repair time'],
  'sv.q.attitude': ['服务态度', 'Attitude'],
  'sv.q.overall': ['总体满意度', 'Overall'],
  'sv.q.nps': ['推荐意愿 (0-10)', 'Recommend (0-10)'],
  'sv.q.comment': ['意见', 'Comment'],
  'sv.oc.answered': ['已回答', 'Answered'],
  'sv.oc.no_answer': ['无人接听', 'No answer'],
  'sv.oc.busy': ['占线', 'Busy'],
  'sv.oc.call_back_later': ['约定再打', 'Call back later'],
  'sv.oc.wrong_number': ['号码错误', 'Wrong number'],
  'sv.oc.refused': ['拒绝回访', 'Refused'],
  'sv.script': ['回访话术', 'Call script'],
  'sv.history': ['回访记录', 'Attempts'],
  'sv.no_history': ['尚未回访', 'No attempt yet'],
  'sv.record': ['记录本次回访', 'Record this call'],
  'sv.note': ['备注', 'Note'],
  'sv.save': ['保存', 'Save'],
  'sv.saved': ['已保存', 'Saved'],
  'sv.score_hint': ['1 = 非常不满意，5 = 非常满意', '1 = very dissatisfied, 5 = very satisfied'],
  'sv.reason': ['原因', 'Reason'],
  'sv.fu.status.open': ['待跟进', 'Open'],
  'sv.fu.status.done': ['已完成', 'Done'],
  'sv.fu.close': ['完成跟进', 'Close'],
  'sv.fu.note': ['跟进说明', 'What was done'],
  'sv.fu.closed_by': ['处理人', 'Closed by'],
  'sv.tpl.name_zh': ['名称（中文）', 'Name (Chinese)'],
  'sv.tpl.name_en': ['名称（英文）', 'Name (English)'],
  'sv.tpl.script_zh': ['话术（中文）', 'Script (Chinese)'],
  'sv.tpl.script_en': ['话术（英文）', 'Script (English)'],
  'sv.tpl.zh': ['中文', 'Chinese'],
  'sv.tpl.en': ['英文', 'English'],
  'sv.tpl.nps': ['询问推荐意愿 (NPS)', 'Ask NPS'],
  'sv.tpl.free_text': ['允许填写意见', 'Ask for free text'],
  'sv.settings': ['回访设置', 'Survey settings'],
  'sv.set.interval': ['同一客户回访间隔（天）', 'Survey a customer at most once in (days)'],
  'sv.set.link': ['链接有效期（天）', 'A link works for (days)'],
  'sv.set.attempts': ['最多回访次数', 'Call-back attempts at most'],
  'sv.back': ['返回列表', 'Back to the list'],
}));

const CSS = `
.sv-tabs{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:14px}
.sv-tabs a{padding:6px 12px;border:1px solid var(--border);border-radius:16px;text-decoration:none;color:inherit}
.sv-tabs a[aria-current=page]{background:var(--primary,#1d5fbf);color:#fff;border-color:transparent}
.sv-panel{background:#fff;border:1px solid var(--border);border-radius:var(--radius);padding:16px;margin-bottom:16px}
.sv-panel h2{margin-top:0;font-size:16px}
.sv-filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:0 16px}
.sv-scores{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:0 16px}
.sv-script{white-space:pre-wrap;background:#f5f7fa;padding:10px;border-radius:6px}
`;

const named = (prefix, v) => (v ? t(prefix + v) : '');
const lang = () => (getLang() === 'en' ? 'en' : 'zh');

function Tabs({ at }) {
  const tabs = [['', 'callbacks'], ['all', 'all'], ['followups', 'followups'], ['templates', 'templates']];
  return html`<nav class="sv-tabs">${tabs.map(([p, k]) => html`
    <a href=${'#/surveys' + (p ? '/' + p : '')} aria-current=${at === k ? 'page' : undefined} data-tab=${k}>${t('sv.tab.' + k)}</a>`)}</nav>`;
}

const surveyCols = (callbacks) => [
  { key: 'code', label: t('sv.code'), render: (r) => html`<a href=${'#/surveys/' + r.code}>${r.code}</a>` },
  { key: 'kind', label: t('sv.kind'), render: (r) => named('sv.kind.', r.kind) },
  ...(callbacks ? [] : [{ key: 'channel', label: t('sv.channel'), render: (r) => named('sv.ch.', r.channel) }]),
  { key: 'status', label: t('sv.status'), render: (r) => named('sv.st.', r.status) },
  { key: 'customer_name', label: t('sv.customer'), render: (r) => `${r.customer_name} (${r.customer})` },
  { key: 'phone', label: t('sv.phone') },
  { key: 'outlet', label: t('sv.outlet') },
  { key: 'repair', label: t('sv.repair'), render: (r) => r.repair || r.appointment || '' },
  { key: 'created_at', label: t('sv.created'), render: (r) => formatDateTime(r.created_at) },
  { key: 'attempts', label: t('sv.attempts'), align: 'right' },
  { key: 'outcome', label: t('sv.outcome'), render: (r) => named('sv.oc.', r.outcome) },
  { key: 'overall', label: t('sv.overall'), align: 'right', render: (r) => r.overall ?? '' },
];

function SurveyList({ callbacks }) {
  const [status, setStatus] = useState(callbacks ? 'open' : '');
  const [channel, setChannel] = useState(callbacks ? 'callback' : '');
  const [kind, setKind] = useState('');
  const params = { status, channel: callbacks ? 'callback' : channel, kind };
  const opt = (prefix, vals) => [{ value: '', label: t('sv.all') }, ...vals.map((v) => ({ value: v, label: t(prefix + v) }))];
  return html`
    <div class="sv-filters">
      <${Field} as="select" label=${t('sv.status')} name="status" value=${status} onChange=${(e) => setStatus(e.target.value)}
        options=${opt('sv.st.', ['open', 'answered', 'closed'])} />
      ${callbacks ? null : html`<${Field} as="select" label=${t('sv.channel')} name="channel" value=${channel}
        onChange=${(e) => setChannel(e.target.value)} options=${opt('sv.ch.', ['callback', 'email', 'sms'])} />`}
      <${Field} as="select" label=${t('sv.kind')} name="kind" value=${kind} onChange=${(e) => setKind(e.target.value)}
        options=${opt('sv.kind.', ['repair', 'visit'])} />
    </div>
    <${PagedTable} path="/surveys" params=${params} limit=${50} columns=${surveyCols(callbacks)} name=${callbacks ? 'survey-callbacks' : 'surveys'} />`;
}

// The call form: an outcome; with "answered" the four scores, NPS and comment.
function CallForm({ survey, onDone }) {
  const tpl = survey.template || {};
  const [outcome, setOutcome] = useState('answered');
  const [ans, setAns] = useState({});
  const [note, setNote] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    const body = { outcome };
    if (note) body.note = note;
    if (outcome === 'call_back_later' && next) body.next_call_at = new Date(next).toISOString();
    if (outcome === 'answered') {
      body.answers = {};
      for (const q of QUESTIONS) if (ans[q]) body.answers[q] = Number(ans[q]);
      if (ans.nps !== undefined && ans.nps !== '') body.answers.nps = Number(ans.nps);
      if (ans.comment) body.answers.comment = ans.comment;
    }
    try { onDone(await api.post(`/surveys/${survey.code}/attempts`, body)); } catch (err) { setError(err); }
    setBusy(false);
  };
  const scale = [{ value: '', label: '—' }, ...[1, 2, 3, 4, 5].map((v) => ({ value: String(v), label: String(v) }))];
  const qText = (q) => tpl.texts?.[q]?.[lang()] || t('sv.q.' + q);
  return html`<form class="sv-panel" onSubmit=${submit} data-form="call">
    <h2>${t('sv.record')}</h2>
    <${ErrorBanner} error=${error} />
    <${Field} as="select" label=${t('sv.outcome')} name="outcome" value=${outcome} onChange=${(e) => setOutcome(e.target.value)}
      options=${OUTCOMES.map((o) => ({ value: o, label: t('sv.oc.' + o) }))} error=${fieldErrors(error).outcome} />
    ${outcome === 'answered' ? html`<div class="sv-scores">
      ${QUESTIONS.map((q) => html`<${Field} as="select" label=${qText(q)} name=${q} value=${ans[q] || ''} hint=${t('sv.score_hint')}
        onChange=${(e) => setAns({ ...ans, [q]: e.target.value })} options=${scale} required />`)}
      ${tpl.nps !== false ? html`<${Field} label=${qText('nps')} name="nps" type="number" min="0" max="10" value=${ans.nps ?? ''}
        onInput=${(e) => setAns({ ...ans, nps: e.target.value })} />` : null}
      ${tpl.free_text !== false ? html`<${Field} as="textarea" label=${qText('comment')} name="comment" value=${ans.comment || ''}
        onInput=${(e) => setAns({ ...ans, comment: e.target.value })} />` : null}
    </div>` : null}
    ${outcome === 'call_back_later' ? html`<${Field} label=${t('sv.next_call')} name="next_call_at" type="datetime-local" value=${next}
      onInput=${(e) => setNext(e.target.value)} required error=${fieldErrors(error).next_call_at} />` : null}
    <${Field} label=${t('sv.note')} name="note" value=${note} onInput=${(e) => setNote(e.target.value)} />
    <${Button} type="submit" busy=${busy}>${t('sv.save')}</${Button}>
  </form>`;
}

function Detail({ code }) {
  const [s, setS] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { api.get(`/surveys/${code}`).then(setS, setError); }, [code]);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!s) return html`<${Loading} />`;
  const tpl = s.template || {};
  return html`
    <p><a href="#/surveys">${t('sv.back')}</a></p>
    ${saved ? html`<${Notice} tone="success">${t('sv.saved')}</${Notice}>` : null}
    <div class="sv-panel" data-survey=${s.code}>
      <h2>${s.code} · ${named('sv.kind.', s.kind)} · <span data-status>${named('sv.st.', s.status)}</span></h2>
      <p>${t('sv.customer')}: ${s.customer_name} (${s.customer}) · ${t('sv.phone')}: ${s.phone || '—'} · ${t('sv.outlet')}: ${s.outlet || '—'} · ${t('sv.repair')}: ${s.repair || s.appointment || '—'}</p>
      <h3>${t('sv.script')}</h3>
      <div class="sv-script">${tpl.script?.[lang()] || ''}</div>
      ${s.answered_at ? html`<p data-answers>${QUESTIONS.map((q) => `${t('sv.q.' + q)} ${s[q]}`).join(' · ')}${s.nps !== null ? ` · NPS ${s.nps}` : ''}${s.comment ? ` · ${s.comment}` : ''}</p>` : null}
      <h3>${t('sv.history')}</h3>
      ${s.history.length ? html`<ul data-history>${s.history.map((h) => html`<li>${formatDateTime(h.at)} · ${h.actor} · ${t('sv.oc.' + h.outcome)}${h.note ? ' · ' + h.note : ''}</li>`)}</ul>` : html`<p>${t('sv.no_history')}</p>`}
    </div>
    ${s.status === 'open' ? html`<${CallForm} survey=${s} onDone=${(x) => { setS(x); setSaved(true); }} />` : null}`;
}

function Followups({ user }) {
  const [status, setStatus] = useState('open');
  const [n, setN] = useState(0);
  const close = async (code) => {
    const note = prompt(t('sv.fu.note'));
    if (!note) return;
    try { await api.post(`/survey-followups/${code}/close`, { note }); setN(n + 1); } catch (e) { alert(e.message); }
  };
  const cols = [
    { key: 'survey', label: t('sv.code'), render: (r) => html`<a href=${'#/surveys/' + r.survey}>${r.survey}</a>` },
    { key: 'customer_name', label: t('sv.customer'), render: (r) => `${r.customer_name} (${r.customer})` },
    { key: 'phone', label: t('sv.phone') },
    { key: 'outlet', label: t('sv.outlet') },
    { key: 'reason', label: t('sv.reason') },
    { key: 'comment', label: t('sv.q.comment') },
    { key: 'created_at', label: t('sv.created'), render: (r) => formatDateTime(r.created_at) },
    { key: 'status', label: t('sv.status'), render: (r) => (r.status === 'open' && BOSSES.includes(user.role)
      ? html`<${Button} variant="secondary" onClick=${() => close(r.survey)}>${t('sv.fu.close')}</${Button}>`
      : `${t('sv.fu.status.' + r.status)}${r.note ? ' · ' + r.note : ''}`) },
  ];
  return html`
    <div class="sv-filters"><${Field} as="select" label=${t('sv.status')} name="fu-status" value=${status}
      onChange=${(e) => setStatus(e.target.value)} options=${[{ value: '', label: t('sv.all') }, { value: 'open', label: t('sv.fu.status.open') }, { value: 'done', label: t('sv.fu.status.done') }]} /></div>
    <${PagedTable} key=${n} path="/survey-followups" params=${{ status }} limit=${50} columns=${cols} name="survey-followups" rowKey="survey" />`;
}

const TEXT_KEYS = [...QUESTIONS, 'nps', 'comment'];

// One template: names, the six texts in both languages, the script; admins save it.
function TemplateForm({ tpl, admin }) {
  const [v, setV] = useState(tpl);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (path, val) => {
    const next = JSON.parse(JSON.stringify(v));
    let o = next;
    for (const k of path.slice(0, -1)) o = o[k];
    o[path[path.length - 1]] = val;
    setV(next); setSaved(false);
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      await api.put(`/survey-templates/${tpl.code}`, { name: v.name, texts: v.texts, script: v.script, nps: v.nps, free_text: v.free_text });
      setSaved(true);
    } catch (err) { setError(err); }
    setBusy(false);
  };
  const input = (label, path, as) => html`<${Field} label=${label} as=${as || 'input'} value=${path.reduce((o, k) => o?.[k], v) || ''}
    disabled=${!admin} onInput=${(e) => set(path, e.target.value)} />`;
  return html`<form class="sv-panel" onSubmit=${save} data-template=${tpl.code}>
    <h2>${v.name[lang()]} (${named('sv.kind.', tpl.kind)})</h2>
    <${ErrorBanner} error=${error} />
    ${saved ? html`<${Notice} tone="success">${t('sv.saved')}</${Notice}>` : null}
    <div class="sv-scores">${input(t('sv.tpl.name_zh'), ['name', 'zh'])}${input(t('sv.tpl.name_en'), ['name', 'en'])}</div>
    ${TEXT_KEYS.map((k) => html`<div class="sv-scores">
      ${input(`${t('sv.q.' + k)} · ${t('sv.tpl.zh')}`, ['texts', k, 'zh'])}
      ${input(`${t('sv.q.' + k)} · ${t('sv.tpl.en')}`, ['texts', k, 'en'])}</div>`)}
    <div class="sv-scores">${input(t('sv.tpl.script_zh'), ['script', 'zh'], 'textarea')}${input(t('sv.tpl.script_en'), ['script', 'en'], 'textarea')}</div>
    <label><input type="checkbox" checked=${v.nps} disabled=${!admin} onChange=${(e) => set(['nps'], e.target.checked)} /> ${t('sv.tpl.nps')}</label>
    <label style="margin-left:16px"><input type="checkbox" checked=${v.free_text} disabled=${!admin} onChange=${(e) => set(['free_text'], e.target.checked)} /> ${t('sv.tpl.free_text')}</label>
    ${admin ? html`<div><${Button} type="submit" busy=${busy}>${t('sv.save')}</${Button}></div>` : null}
  </form>`;
}

function Settings({ admin }) {
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { api.get('/survey-settings').then(setV, setError); }, []);
  if (!v) return html`<${ErrorBanner} error=${error} />${error ? null : html`<${Loading} />`}`;
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setV(await api.put('/survey-settings', { interval_days: Number(v.interval_days), link_days: Number(v.link_days), max_attempts: Number(v.max_attempts) }));
      setSaved(true);
    } catch (err) { setError(err); }
  };
  const num = (k, label) => html`<${Field} label=${label} name=${k} type="number" value=${v[k]} disabled=${!admin}
    error=${fieldErrors(error)[k]} onInput=${(e) => { setV({ ...v, [k]: e.target.value }); setSaved(false); }} />`;
  return html`<form class="sv-panel" onSubmit=${save} data-form="settings">
    <h2>${t('sv.settings')}</h2>
    <${ErrorBanner} error=${error} />
    ${saved ? html`<${Notice} tone="success">${t('sv.saved')}</${Notice}>` : null}
    <div class="sv-scores">${num('interval_days', t('sv.set.interval'))}${num('link_days', t('sv.set.link'))}${num('max_attempts', t('sv.set.attempts'))}</div>
    ${admin ? html`<${Button} type="submit">${t('sv.save')}</${Button}>` : null}
  </form>`;
}

function Templates({ user }) {
  const { items, error } = useItems('/survey-templates', {}, 'tpl');
  const admin = user.role === 'admin';
  return html`
    <${Settings} admin=${admin} />
    <${ErrorBanner} error=${error} />
    ${items === null ? html`<${Loading} />` : items.map((tpl) => html`<${TemplateForm} key=${tpl.code} tpl=${tpl} admin=${admin} />`)}
    <${DownloadLinks} path="/survey-templates" params=${{}} name="survey-templates" />`;
}

export default function Surveys({ user, params }) {
  useStyle('surveys', CSS);
  const [first] = params || [];
  const at = !first ? 'callbacks' : ['all', 'followups', 'templates'].includes(first) ? first : null;
  let body;
  if (at === 'callbacks') body = html`<${SurveyList} key="cb" callbacks=${true} />`;
  else if (at === 'all') body = html`<${SurveyList} key="all" callbacks=${false} />`;
  else if (at === 'followups') body = html`<${Followups} user=${user} />`;
  else if (at === 'templates') body = html`<${Templates} user=${user} />`;
  else body = html`<${Detail} key=${first} code=${first} />`;
  return html`<${Page} title=${t('sv.title')}><${Tabs} at=${at} />${body}</${Page}>`;
}
