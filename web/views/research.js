// Market research (issue 13 item 7, M12): build a questionnaire (single choice,
// multiple choice, scale and text questions in zh-CN and en), send it to a segment by
// email or SMS (each recipient gets a signed single-use link to the portal), close it,
// and see the results: the response rate, per question a bar chart (Chart.js, as the
// campaign funnel) of the option counts or the scale's distribution, the text answers
// listed, and the answers downloadable as CSV/XLSX. Supervisors read; marketers and
// admins build and send.
import { useState, useEffect, useRef } from 'preact/hooks';
import { Chart, BarController, BarElement, LinearScale, CategoryScale, Tooltip } from 'chart.js';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime, getLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, DownloadLinks, fieldErrors } from '../ui.js';
import { usePagedList } from '../lib/lists.js';

Chart.register(BarController, BarElement, LinearScale, CategoryScale, Tooltip);

const KINDS = ['single', 'multiple', 'scale', 'text'];

registerMessages(byLang({
  'rs.title': ['市场调研问卷', 'Market research'],
  'rs.new': ['新建问卷', 'New questionnaire'],
  'rs.title_zh': ['问卷标题 (中文)', 'Title (Chinese)'],
  'rs.title_en': ['问卷标题 (英文)', 'Title (English)'],
  'rs.question': ['问题 {n}', 'Question {n}'],
  'rs.kind': ['题型', 'Kind'],
  'rs.k.single': ['单选', 'Single choice'],
  'rs.k.multiple': ['多选', 'Multiple choice'],
  'rs.k.scale': ['量表', 'Scale'],
  'rs.k.text': ['文字', 'Text'],
  'rs.text_zh': ['题目 (中文)', 'Question (Chinese)'],
  'rs.text_en': ['题目 (英文)', 'Question (English)'],
  'rs.options_zh': ['选项 (中文, 每行一个)', 'Options (Chinese, one a line)'],
  'rs.options_en': ['选项 (英文, 每行一个)', 'Options (English, one a line)'],
  'rs.min': ['最小值', 'Minimum'],
  'rs.max': ['最大值', 'Maximum'],
  'rs.required': ['必答', 'Required'],
  'rs.add': ['添加问题', 'Add a question'],
  'rs.remove': ['删除此题', 'Remove'],
  'rs.create': ['保存草稿', 'Save draft'],
  'rs.edit': ['编辑', 'Edit'],
  'rs.editing': ['编辑问卷 {code}', 'Editing {code}'],
  'rs.cancel': ['取消编辑', 'Cancel editing'],
  'rs.created': ['问卷 {code} 已保存', 'Questionnaire {code} saved'],
  'rs.list': ['问卷', 'Questionnaires'],
  'rs.code': ['编号', 'Code'],
  'rs.status': ['状态', 'Status'],
  'rs.st.draft': ['草稿', 'Draft'],
  'rs.st.open': ['进行中', 'Open'],
  'rs.st.closed': ['已结束', 'Closed'],
  'rs.segment': ['客户细分', 'Segment'],
  'rs.channel': ['渠道', 'Channel'],
  'rs.ch.email': ['电子邮件', 'Email'],
  'rs.ch.sms': ['短信', 'SMS'],
  'rs.sent_at': ['发送时间', 'Sent'],
  'rs.send': ['发送', 'Send'],
  'rs.sent': ['已发送给 {n} 位客户', 'Sent to {n} customers'],
  'rs.close': ['结束', 'Close'],
  'rs.closed': ['问卷已结束', 'Questionnaire closed'],
  'rs.results': ['结果', 'Results'],
  'rs.rate': ['回收率 {rate} ({responses} / {recipients})', 'Response rate {rate} ({responses} of {recipients})'],
  'rs.answered': ['作答 {n}', '{n} answered'],
  'rs.answers': ['答卷下载', 'Answers'],
  'rs.texts': ['文字回答', 'Text answers'],
  'rs.no_texts': ['暂无文字回答', 'No text answers yet'],
  'rs.recipients': ['收件客户', 'Recipients'],
  'rs.customer': ['客户', 'Customer'],
  'rs.name': ['姓名', 'Name'],
  'rs.answered_at': ['作答时间', 'Answered'],
  'rs.rs.queued': ['已发送', 'Sent'],
  'rs.rs.pending': ['待发送', 'Pending'],
  'rs.rs.answered': ['已作答', 'Answered'],
  'rs.rs.failed': ['发送失败', 'Send failed'],
  'rs.rs.bounced': ['被退回', 'Bounced'],
  'rs.delivery': ['投递', 'Delivery'],
  'rs.dl.queued': ['排队中', 'Queued'],
  'rs.dl.sending': ['发送中', 'Sending'],
  'rs.dl.retry': ['待重试', 'Retrying'],
  'rs.dl.sent': ['已送出', 'Sent'],
  'rs.dl.failed': ['失败', 'Failed'],
  'rs.dl.bounced': ['退信', 'Bounced'],
  'rs.delivery_error': ['投递错误', 'Delivery error'],
  'rs.undelivered': ['未送达 {n}', '{n} not delivered'],
}));

// A questionnaire read from the API as the builder's fields.
const formOf = (q) => ({
  title_zh: q.title.zh, title_en: q.title.en,
  questions: q.questions.map((x) => ({ kind: x.kind, zh: x.text.zh, en: x.text.en, required: x.required,
    options_zh: (x.options || []).map((o) => o.zh).join('\n'), options_en: (x.options || []).map((o) => o.en).join('\n'),
    min: String(x.min ?? 1), max: String(x.max ?? 5) })),
});
const blank = () => ({ kind: 'single', zh: '', en: '', required: false, options_zh: '', options_en: '', min: '1', max: '5' });
const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const l10n = (o) => (o ? (getLang() === 'en' ? o.en : o.zh) : '');

function bodyOf(f) {
  return {
    title: { zh: f.title_zh, en: f.title_en },
    questions: f.questions.map((q) => {
      const out = { kind: q.kind, text: { zh: q.zh, en: q.en }, required: q.required };
      if (q.kind === 'single' || q.kind === 'multiple') {
        const zh = lines(q.options_zh), en = lines(q.options_en);
        out.options = zh.map((z, i) => ({ zh: z, en: en[i] || '' }));
      }
      if (q.kind === 'scale') { out.min = Number(q.min); out.max = Number(q.max); }
      return out;
    }),
  };
}

function QuestionEditor({ q, n, errs, onChange, onRemove }) {
  const set = (k) => (e) => onChange({ ...q, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const p = `questions[${n}]`;
  return html`<fieldset class="rs-q" data-question=${n}><legend>${t('rs.question', { n })}</legend>
    <div class="sg-filters">
      <${Field} label=${t('rs.kind')} name=${`q${n}_kind`} as="select" value=${q.kind} error=${errs[`${p}.kind`]} onChange=${set('kind')}
        options=${KINDS.map((k) => ({ value: k, label: t('rs.k.' + k) }))} />
      <${Field} label=${t('rs.text_zh')} name=${`q${n}_zh`} value=${q.zh} error=${errs[`${p}.text.zh`] || errs[`${p}.text`]} onInput=${set('zh')} />
      <${Field} label=${t('rs.text_en')} name=${`q${n}_en`} value=${q.en} error=${errs[`${p}.text.en`]} onInput=${set('en')} />
      ${q.kind === 'scale' ? html`
        <${Field} label=${t('rs.min')} name=${`q${n}_min`} type="number" min="0" max="9" value=${q.min} error=${errs[`${p}.min`]} onInput=${set('min')} />
        <${Field} label=${t('rs.max')} name=${`q${n}_max`} type="number" min="1" max="10" value=${q.max} error=${errs[`${p}.max`]} onInput=${set('max')} />` : null}
      <label class="rs-req"><input type="checkbox" name=${`q${n}_required`} checked=${q.required} onChange=${set('required')} /> ${t('rs.required')}</label>
    </div>
    ${q.kind === 'single' || q.kind === 'multiple' ? html`<div class="sg-filters">
      <${Field} label=${t('rs.options_zh')} name=${`q${n}_options_zh`} as="textarea" value=${q.options_zh} error=${errs[`${p}.options`]} onInput=${set('options_zh')} />
      <${Field} label=${t('rs.options_en')} name=${`q${n}_options_en`} as="textarea" value=${q.options_en} onInput=${set('options_en')} />
    </div>` : null}
    <${Button} variant="ghost" onClick=${onRemove}>${t('rs.remove')}</${Button}>
  </fieldset>`;
}

// editing: a draft read from the API (saved by PUT with its version), or null for a new one.
function Builder({ editing, onSaved, onCancel }) {
  const empty = () => ({ title_zh: '', title_en: '', questions: [blank()] });
  const [f, setF] = useState(editing ? formOf(editing) : empty());
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(error);
  const setQ = (i, q) => setF({ ...f, questions: f.questions.map((x, k) => (k === i ? q : x)) });
  async function create() {
    setError(null); setBusy(true);
    try {
      const r = editing ? await api.put(`/questionnaires/${editing.code}`, { ...bodyOf(f), version: editing.version })
        : await api.post('/questionnaires', bodyOf(f));
      setF(empty());
      onSaved(r.code);
    } catch (e) { setError(e); } finally { setBusy(false); }
  }
  return html`<section class="rs-builder" data-editing=${editing ? editing.code : ''}><h2>${editing ? t('rs.editing', { code: editing.code }) : t('rs.new')}</h2>
    <div class="sg-filters">
      <${Field} label=${t('rs.title_zh')} name="title_zh" value=${f.title_zh} error=${errs['title.zh'] || errs.title} onInput=${(e) => setF({ ...f, title_zh: e.currentTarget.value })} />
      <${Field} label=${t('rs.title_en')} name="title_en" value=${f.title_en} error=${errs['title.en']} onInput=${(e) => setF({ ...f, title_en: e.currentTarget.value })} />
    </div>
    ${f.questions.map((q, i) => html`<${QuestionEditor} key=${i} q=${q} n=${i + 1} errs=${errs} onChange=${(x) => setQ(i, x)}
      onRemove=${() => setF({ ...f, questions: f.questions.filter((_, k) => k !== i) })} />`)}
    <${ErrorBanner} error=${error} />
    <${Button} variant="secondary" data-add-question onClick=${() => setF({ ...f, questions: [...f.questions, blank()] })}>${t('rs.add')}</${Button}>
    <${Button} busy=${busy} data-create-questionnaire onClick=${create}>${t('rs.create')}</${Button}>
    ${editing ? html`<${Button} variant="ghost" onClick=${onCancel}>${t('rs.cancel')}</${Button}>` : null}
  </section>`;
}

function Bars({ q }) {
  const ref = useRef(null);
  const labels = q.options ? q.options.map((o) => l10n(o)) : q.distribution.map((d) => String(d.value));
  const data = q.options ? q.options.map((o) => o.count) : q.distribution.map((d) => d.count);
  const key = JSON.stringify([labels, data]);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, {
      type: 'bar',
      data: { labels, datasets: [{ data, backgroundColor: '#2563eb' }] },
      options: { indexAxis: q.options ? 'y' : 'x', animation: false, maintainAspectRatio: false,
        scales: { [q.options ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    return () => chart.destroy();
  }, [key]);
  return html`<div style="position:relative;height:${q.options ? 40 + 28 * labels.length : 200}px">
    <canvas ref=${ref} role="img" aria-label=${l10n(q.text)}></canvas></div>`;
}

function Results({ code }) {
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  const recipients = usePagedList(`/questionnaires/${code}/recipients`, {}, 50);
  useEffect(() => { api.get(`/questionnaires/${code}/results`).then(setRes).catch(setError); }, [code]);
  const rate = res && res.response_rate !== null ? `${(res.response_rate * 100).toFixed(1)}%` : '—';
  const rcols = [
    { key: 'customer', label: t('rs.customer') },
    { key: 'customer_name', label: t('rs.name') },
    { key: 'status', label: t('rs.status'), render: (r) => html`<span data-rstatus=${r.status}>${t('rs.rs.' + r.status)}</span>` },
    { key: 'answered_at', label: t('rs.answered_at'), render: (r) => (r.answered_at ? formatDateTime(r.answered_at) : '') },
    { key: 'delivery', label: t('rs.delivery'), render: (r) => (r.delivery ? t('rs.dl.' + r.delivery) : '') },
    { key: 'delivery_error', label: t('rs.delivery_error'), render: (r) => r.delivery_error || '' },
  ];
  return html`<section class="rs-results" data-results=${code}>
    <${ErrorBanner} error=${error || recipients.error} />
    <h2>${t('rs.results')} · ${code}</h2>
    ${res === null ? html`<${Loading} />` : html`
      <p data-testid="rs-rate" data-responses=${res.responses} data-recipients=${res.recipients}>${t('rs.rate', { rate, responses: res.responses, recipients: res.recipients })}
        ${res.undelivered ? html` · <span data-testid="rs-undelivered">${t('rs.undelivered', { n: res.undelivered })}</span>` : null}</p>
      <div class="rs-downloads"><span>${t('rs.results')}</span> <${DownloadLinks} path=${`/questionnaires/${code}/results`} params=${{}} name="questionnaire-results" />
        <span>${t('rs.answers')}</span> <${DownloadLinks} path=${`/questionnaires/${code}/answers`} params=${{}} name="questionnaire-answers" /></div>
      ${res.questions.map((q) => html`<div class="rs-qres" data-qno=${q.no} data-counts=${JSON.stringify(q.options ? q.options.map((o) => o.count) : q.distribution ? q.distribution.map((d) => d.count) : q.texts.map((x) => x.text))}>
        <h3>${q.no}. ${l10n(q.text)} <small class="muted">${t('rs.answered', { n: q.answered })}</small></h3>
        ${q.kind === 'text'
          ? (q.texts.length ? html`<ul class="rs-texts">${q.texts.map((x) => html`<li>${x.text} <small class="muted">${formatDateTime(x.answered_at)}</small></li>`)}</ul>` : html`<p class="muted">${t('rs.no_texts')}</p>`)
          : html`<${Bars} q=${q} />`}
      </div>`)}`}
    ${recipients.items ? html`<${Table} caption=${t('rs.recipients')} columns=${rcols} rows=${recipients.items} rowKey="id"
      downloads=${{ path: `/questionnaires/${code}/recipients`, params: {}, name: 'questionnaire-recipients' }} />` : null}
    ${recipients.hasMore ? html`<${Button} variant="secondary" onClick=${recipients.more}>${t('common.more')}</${Button}>` : null}
  </section>`;
}

function SendControls({ row, segments, onDone, setError }) {
  const [segment, setSegment] = useState('');
  const [channel, setChannel] = useState('email');
  const seg = segment || (segments[0] && segments[0].code) || '';
  async function send() {
    setError(null);
    try {
      const r = await api.post(`/questionnaires/${row.code}/send`, { segment: seg, channel, version: row.version, lang: getLang() === 'en' ? 'en' : 'zh-CN' });
      onDone(t('rs.sent', { n: r.recipients }));
    } catch (e) { setError(e); }
  }
  return html`<span class="rs-send" data-send-for=${row.code}>
    <select class="input" name="send_segment" aria-label=${t('rs.segment')} value=${seg} onChange=${(e) => setSegment(e.currentTarget.value)}>
      ${segments.map((s) => html`<option value=${s.code}>${s.code} ${s.name}</option>`)}</select>
    <select class="input" name="send_channel" aria-label=${t('rs.channel')} value=${channel} onChange=${(e) => setChannel(e.currentTarget.value)}>
      ${['email', 'sms'].map((c) => html`<option value=${c}>${t('rs.ch.' + c)}</option>`)}</select>
    <${Button} data-send=${row.code} onClick=${send}>${t('rs.send')}</${Button}></span>`;
}

export default function Research({ user }) {
  const writer = user && (user.role === 'admin' || user.role === 'marketer');
  const list = usePagedList('/questionnaires', {}, 50);
  const [segments, setSegments] = useState([]);
  const [open, setOpen] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);
  useEffect(() => { api.get('/segments', { query: { limit: 500 } }).then((r) => setSegments(r.items)).catch(setError); }, []);
  const done = (msg, code) => { setNotice(msg); list.reload(); if (code) setOpen(code); };
  async function edit(row) {
    setError(null);
    try { setEditing(await api.get(`/questionnaires/${row.code}`)); } catch (e) { setError(e); }
  }
  async function close(row) {
    setError(null);
    try { await api.post(`/questionnaires/${row.code}/close`, {}); done(t('rs.closed')); } catch (e) { setError(e); }
  }
  const cols = [
    { key: 'code', label: t('rs.code') },
    { key: 'title', label: t('rs.title'), render: (r) => l10n(r.title) },
    { key: 'status', label: t('rs.status'), render: (r) => html`<span data-status=${r.status}>${t('rs.st.' + r.status)}</span>` },
    { key: 'segment', label: t('rs.segment'), render: (r) => r.segment || '' },
    { key: 'channel', label: t('rs.channel'), render: (r) => (r.channel ? t('rs.ch.' + r.channel) : '') },
    { key: 'sent_at', label: t('rs.sent_at'), render: (r) => (r.sent_at ? formatDateTime(r.sent_at) : '') },
    { key: 'actions', label: '', render: (r) => html`
      ${writer && r.status === 'draft' ? html`<${Button} variant="secondary" data-edit=${r.code} onClick=${() => edit(r)}>${t('rs.edit')}</${Button}>` : null}
      ${writer && r.status === 'draft' ? html`<${SendControls} row=${r} segments=${segments} setError=${setError} onDone=${(m) => done(m, r.code)} />` : null}
      ${writer && r.status === 'open' ? html`<${Button} variant="secondary" data-close=${r.code} onClick=${() => close(r)}>${t('rs.close')}</${Button}>` : null}
      ${r.status !== 'draft' ? html`<${Button} variant="secondary" data-results-of=${r.code} onClick=${() => setOpen(r.code)}>${t('rs.results')}</${Button}>` : null}` },
  ];
  return html`<${Page} title=${t('rs.title')}>
    ${writer ? html`<${Builder} key=${editing ? `${editing.code}.${editing.version}` : 'new'} editing=${editing}
      onCancel=${() => setEditing(null)} onSaved=${(code) => { setEditing(null); done(t('rs.created', { code })); }} />` : null}
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${error || list.error} />
    <h2>${t('rs.list')}</h2>
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${cols} rows=${list.items} rowKey="code" downloads=${{ path: '/questionnaires', params: {}, name: 'questionnaires' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}
    ${open ? html`<${Results} key=${open} code=${open} />` : null}
  </${Page}>`;
}
