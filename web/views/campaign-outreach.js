// Campaigns (issue 13 item 6) on the segments screen: create one (segment, channel,
// message or call script, send time), launch it (the outreach list is frozen), see its
// results as a funnel chart (Chart.js) and work a phone or fax list: each row's
// attempts, outcome and next call-back.
import { useState, useEffect, useRef } from 'preact/hooks';
import { Chart, BarController, BarElement, LinearScale, CategoryScale, Tooltip } from 'chart.js';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Field, Button, ErrorBanner, Notice, Table, fieldErrors } from '../ui.js';
import { usePagedList } from '../lib/lists.js';

Chart.register(BarController, BarElement, LinearScale, CategoryScale, Tooltip);

const CHANNELS = ['phone', 'email', 'sms', 'fax'];
const OUTCOMES = ['reached', 'interested', 'refused', 'no_answer', 'busy', 'wrong_number', 'callback'];
const FUNNEL = ['targets', 'reached', 'responded', 'converted'];

registerMessages(byLang({
  // the segment words the outreach list shares with campaigns.js and call-lists.js
  'sg.name': ['名称', 'Name'],
  'sg.ch.phone': ['电话', 'Phone'],
  'sg.ch.sms': ['短信', 'SMS'],
  'sg.ch.email': ['邮件', 'Email'],
  'sg.ch.fax': ['传真', 'Fax'],
  'sg.ch.post': ['邮寄', 'Post'],
  'cp.title': ['营销活动', 'Campaigns'],
  'cp.new': ['新建活动', 'New campaign'],
  'cp.name': ['活动名称', 'Campaign name'],
  'cp.segment': ['客户细分', 'Segment'],
  'cp.channel': ['渠道', 'Channel'],
  'cp.subject': ['标题', 'Title'],
  'cp.message': ['内容或通话脚本', 'Message or call script'],
  'cp.send_at': ['发送时间 (留空为立即)', 'Send at (empty: now)'],
  'cp.create': ['创建活动', 'Create campaign'],
  'cp.created': ['活动 {code} 已创建', 'Campaign {code} created'],
  'cp.launch': ['启动', 'Launch'],
  'cp.launched': ['活动已启动: {n} 位客户', 'Campaign launched: {n} customers'],
  'cp.open': ['查看', 'Open'],
  'cp.status': ['状态', 'Status'],
  'cp.st.draft': ['草稿', 'Draft'],
  'cp.st.launched': ['已启动', 'Launched'],
  'cp.code': ['编号', 'Code'],
  'cp.funnel': ['结果漏斗', 'Results funnel'],
  'cp.f.targets': ['名单', 'Outreach list'],
  'cp.f.reached': ['已联系上', 'Reached'],
  'cp.f.responded': ['有回应', 'Responded'],
  'cp.f.converted': ['已转化', 'Converted'],
  'cp.targets': ['外呼名单', 'Outreach list'],
  'cp.customer': ['客户', 'Customer'],
  'cp.phone': ['电话', 'Phone'],
  'cp.attempts': ['尝试次数', 'Attempts'],
  'cp.outcome': ['结果', 'Outcome'],
  'cp.next_call': ['下次回拨', 'Next call-back'],
  'cp.record': ['记录', 'Record'],
  'cp.recorded': ['已记录', 'Recorded'],
  'cp.skip.consent_withdrawn': ['已撤回同意', 'Consent withdrawn'],
  'cp.skip.no_address': ['无联系方式', 'No address'],
  'cp.oc.reached': ['已接通', 'Reached'],
  'cp.oc.interested': ['有兴趣', 'Interested'],
  'cp.oc.refused': ['拒绝', 'Refused'],
  'cp.oc.no_answer': ['无人接听', 'No answer'],
  'cp.oc.busy': ['占线', 'Busy'],
  'cp.oc.wrong_number': ['号码错误', 'Wrong number'],
  'cp.oc.callback': ['约定回拨', 'Call back'],
  'cp.ts.pending': ['待处理', 'Pending'],
  'cp.ts.sending': ['发送中', 'Sending'],
  'cp.ts.queued': ['已排队发送', 'Queued'],
  'cp.ts.skipped': ['已跳过', 'Skipped'],
  'cp.ts.reached': ['已联系上', 'Reached'],
  'cp.ts.responded': ['有回应', 'Responded'],
  'cp.ts.failed': ['失败', 'Failed'],
}));

function Funnel({ results }) {
  const ref = useRef(null);
  const key = JSON.stringify(results);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, {
      type: 'bar',
      data: { labels: FUNNEL.map((k) => t('cp.f.' + k)), datasets: [{ data: FUNNEL.map((k) => results[k]), backgroundColor: '#2563eb' }] },
      options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    return () => chart.destroy();
  }, [key]);
  return html`<div class="cp-funnel" data-chart="funnel" data-results=${key}><h3>${t('cp.funnel')}</h3>
    <div style="position:relative;height:200px"><canvas ref=${ref} role="img" aria-label=${t('cp.funnel')}></canvas></div></div>`;
}

function TargetRow({ code, row, onDone }) {
  const [outcome, setOutcome] = useState('reached');
  const [next, setNext] = useState('');
  const [error, setError] = useState(null);
  async function record() {
    setError(null);
    try {
      const body = { outcome };
      if (next) body.next_call_at = new Date(next).toISOString();
      await api.post(`/campaigns/${code}/targets/${row.id}/attempts`, body);
      onDone();
    } catch (e) { setError(e); onDone(); }
  }
  if (row.status === 'skipped' || row.status === 'failed') return html`<span class="muted">${row.skip_reason ? t('cp.skip.' + row.skip_reason) : ''}</span>`;
  return html`<span class="cp-work" data-target=${row.customer}>
    <select class="input" name="outcome" value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
      ${OUTCOMES.map((o) => html`<option value=${o}>${t('cp.oc.' + o)}</option>`)}</select>
    <input class="input" type="datetime-local" name="next_call_at" value=${next} onInput=${(e) => setNext(e.currentTarget.value)} />
    <${Button} variant="secondary" data-record=${row.customer} onClick=${record}>${t('cp.record')}</${Button}>
    ${error ? html`<span class="field-error">${error.message}</span>` : null}</span>`;
}

export function Detail({ code }) {
  const [c, setC] = useState(null);
  const [error, setError] = useState(null);
  const targets = usePagedList(`/campaigns/${code}/targets`, {}, 50);
  const load = () => api.get(`/campaigns/${code}`).then(setC).catch(setError);
  useEffect(() => { load(); }, [code]);
  const refresh = () => { load(); targets.reload(); };
  const phoneList = c && (c.channel === 'phone' || c.channel === 'fax');
  const cols = [
    { key: 'customer', label: t('cp.customer') },
    { key: 'customer_name', label: t('sg.name') },
    { key: 'phone', label: t('cp.phone'), render: (r) => r.phone || '' },
    { key: 'status', label: t('cp.status'), render: (r) => html`<span data-status=${r.status}>${t('cp.ts.' + r.status)}</span>` },
    { key: 'attempts', label: t('cp.attempts'), align: 'right' },
    { key: 'outcome', label: t('cp.outcome'), render: (r) => (r.outcome ? t('cp.oc.' + r.outcome) : '') },
    { key: 'next_call_at', label: t('cp.next_call'), render: (r) => (r.next_call_at ? formatDateTime(r.next_call_at) : '') },
    ...(phoneList ? [{ key: 'work', label: '', render: (r) => html`<${TargetRow} code=${code} row=${r} onDone=${refresh} />` }] : []),
  ];
  return html`<section data-campaign=${code}>
    <${ErrorBanner} error=${error || targets.error} />
    ${c ? html`<h3>${c.code} · ${c.name}</h3>${c.results ? html`<${Funnel} results=${c.results} />` : null}` : null}
    ${targets.items ? html`<${Table} caption=${t('cp.targets')} columns=${cols} rows=${targets.items} rowKey="id"
      downloads=${{ path: `/campaigns/${code}/targets`, params: {}, name: 'campaign-targets' }} />` : null}
  </section>`;
}

export function CampaignSection({ segments }) {
  const [f, setF] = useState({ name: '', segment: '', channel: 'phone', title: '', message: '', send_at: '' });
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [open, setOpen] = useState(null);
  const list = usePagedList('/campaigns', {}, 50);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const segment = f.segment || (segments[0] && segments[0].code) || '';
  async function create() {
    setError(null); setNotice(null);
    try {
      const body = { name: f.name, segment, channel: f.channel, title: f.title, message: f.message };
      if (f.send_at) body.send_at = new Date(f.send_at).toISOString();
      const r = await api.post('/campaigns', body);
      setNotice(t('cp.created', { code: r.code }));
      list.reload();
    } catch (e) { setError(e); }
  }
  async function launch(row) {
    setError(null); setNotice(null);
    try {
      const r = await api.post(`/campaigns/${row.code}/launch`, {});
      setNotice(t('cp.launched', { n: r.targets }));
      list.reload();
      setOpen(row.code);
    } catch (e) { setError(e); }
  }
  const errs = fieldErrors(error);
  const cols = [
    { key: 'code', label: t('cp.code') },
    { key: 'name', label: t('cp.name') },
    { key: 'segment', label: t('cp.segment') },
    { key: 'channel', label: t('cp.channel'), render: (r) => t('sg.ch.' + r.channel) },
    { key: 'status', label: t('cp.status'), render: (r) => t('cp.st.' + r.status) },
    { key: 'send_at', label: t('cp.send_at'), render: (r) => formatDateTime(r.send_at) },
    { key: 'actions', label: '', render: (r) => html`${r.status === 'draft'
      ? html`<${Button} data-launch=${r.code} onClick=${() => launch(r)}>${t('cp.launch')}</${Button}>` : null}
      <${Button} variant="secondary" data-open=${r.code} onClick=${() => setOpen(r.code)}>${t('cp.open')}</${Button}>` },
  ];
  return html`<section class="cp">
    <h2>${t('cp.title')}</h2>
    <div class="sg-filters">
      <${Field} label=${t('cp.name')} name="campaign_name" value=${f.name} error=${errs.name} onInput=${set('name')} />
      <${Field} label=${t('cp.segment')} name="campaign_segment" as="select" value=${segment} error=${errs.segment} onChange=${set('segment')}
        options=${segments.map((s) => ({ value: s.code, label: `${s.code} ${s.name}` }))} />
      <${Field} label=${t('cp.channel')} name="campaign_channel" as="select" value=${f.channel} onChange=${set('channel')}
        options=${CHANNELS.map((c) => ({ value: c, label: t('sg.ch.' + c) }))} />
      <${Field} label=${t('cp.subject')} name="campaign_title" value=${f.title} error=${errs.title} onInput=${set('title')} />
      <${Field} label=${t('cp.send_at')} name="campaign_send_at" type="datetime-local" value=${f.send_at} error=${errs.send_at} onInput=${set('send_at')} />
    </div>
    <${Field} label=${t('cp.message')} name="campaign_message" as="textarea" value=${f.message} error=${errs.message} onInput=${set('message')} />
    <${Button} data-create-campaign onClick=${create}>${t('cp.create')}</${Button}>
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${error || list.error} />
    ${list.items ? html`<${Table} columns=${cols} rows=${list.items} rowKey="code" downloads=${{ path: '/campaigns', params: {}, name: 'campaigns' }} />` : null}
    ${open ? html`<${Detail} key=${open} code=${open} />` : null}
  </section>`;
}
