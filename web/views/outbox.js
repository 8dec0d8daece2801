// The outbox (issue 11): the messages serve mails and texts to customers, newest
// first, with status, attempts, last error and the Message-ID; filters by status,
// channel and template, CSV/XLSX downloads, and a resend button on failed and bounced
// ones (supervisors and admins). Hash route: #/outbox
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, useStyle } from '../ui.js';
import { usePagedList } from '../lib/lists.js';

export const STATUSES = ['queued', 'sending', 'sent', 'retry', 'failed', 'bounced'];
const CHANNELS = ['email', 'sms', 'staff'];
const TEMPLATES = ['warranty_registered', 'repair_ready', 'repair_status', 'complaint_resolved',
  'survey_invitation', 'campaign', 'complaint_escalation', 'complaint_breach'];

registerMessages(byLang({
  'ob.title': ['消息发送', 'Outbox'],
  'ob.id': ['编号', 'No.'],
  'ob.status': ['状态', 'Status'],
  'ob.channel': ['渠道', 'Channel'],
  'ob.template': ['消息类型', 'Kind'],
  'ob.recipient': ['收件人', 'Recipient'],
  'ob.customer': ['客户', 'Customer'],
  'ob.attempts': ['尝试次数', 'Attempts'],
  'ob.last_error': ['最近错误', 'Last error'],
  'ob.created': ['创建时间', 'Created'],
  'ob.sent': ['发送时间', 'Sent'],
  'ob.next': ['下次尝试', 'Next attempt'],
  'ob.all': ['全部', 'All'],
  'ob.resend': ['重新发送', 'Resend'],
  'ob.resent': ['消息 {id} 已重新排队发送', 'Message {id} is queued again'],
  'ob.st.queued': ['排队中', 'Queued'],
  'ob.st.sending': ['发送中', 'Sending'],
  'ob.st.sent': ['已发送', 'Sent'],
  'ob.st.retry': ['等待重试', 'Retrying'],
  'ob.st.failed': ['发送失败', 'Failed'],
  'ob.st.bounced': ['被退回', 'Bounced'],
  'ob.ch.email': ['邮件', 'Email'],
  'ob.ch.sms': ['短信', 'SMS'],
  'ob.ch.staff': ['内部通知', 'Staff notice'],
  'ob.tp.warranty_registered': ['保修登记确认', 'Warranty confirmation'],
  'ob.tp.repair_ready': ['维修完成', 'Repair ready'],
  'ob.tp.repair_status': ['维修状态', 'Repair status'],
  'ob.tp.complaint_resolved': ['投诉已解决', 'Complaint resolved'],
  'ob.tp.survey_invitation': ['满意度调查邀请', 'Survey invitation'],
  'ob.tp.campaign': ['营销活动', 'Campaign'],
  'ob.tp.complaint_escalation': ['投诉升级', 'Complaint escalation'],
  'ob.tp.complaint_breach': ['投诉超时', 'Complaint breach'],
}));

const CSS = `
.ob-filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 0 16px; }
.ob-error { color: #b42318; max-width: 28em; overflow-wrap: anywhere; }
.ob-mid { font-family: monospace; font-size: 12px; overflow-wrap: anywhere; }
`;

const named = (prefix, v) => (t(prefix + v) === prefix + v ? v : t(prefix + v));

export default function Outbox() {
  useStyle('ob-style', CSS);
  const [f, setF] = useState({ status: '', channel: '', template: '' });
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const params = { status: f.status, channel: f.channel, template: f.template };
  const list = usePagedList('/outbox', params, 50);

  async function resend(row) {
    setError(null);
    setNotice(null);
    try {
      await api.post(`/outbox/${row.id}/resend`, {});
      setNotice(t('ob.resent', { id: row.id }));
      list.reload();
    } catch (e) { setError(e); }
  }

  const columns = [
    { key: 'id', label: t('ob.id') },
    { key: 'status', label: t('ob.status'), render: (r) => html`<span data-status=${r.status}>${t('ob.st.' + r.status)}</span>` },
    { key: 'channel', label: t('ob.channel'), render: (r) => named('ob.ch.', r.channel) },
    { key: 'template', label: t('ob.template'), render: (r) => named('ob.tp.', r.template) },
    { key: 'recipient', label: t('ob.recipient') },
    { key: 'customer', label: t('ob.customer'), render: (r) => r.customer || '' },
    { key: 'attempts', label: t('ob.attempts'), align: 'right' },
    { key: 'last_error', label: t('ob.last_error'), render: (r) => html`<span class="ob-error">${r.last_error || ''}</span>${r.next_attempt_at
      ? html`<div class="muted">${t('ob.next')}: ${formatDateTime(r.next_attempt_at)}</div>` : null}` },
    { key: 'created_at', label: t('ob.created'), render: (r) => formatDateTime(r.created_at) },
    { key: 'sent_at', label: t('ob.sent'), render: (r) => html`${r.sent_at ? formatDateTime(r.sent_at) : ''}${r.message_id
      ? html`<div class="ob-mid">${r.message_id}</div>` : null}` },
    { key: 'actions', label: '', render: (r) => (r.status === 'failed' || r.status === 'bounced'
      ? html`<${Button} variant="secondary" data-resend=${r.id} onClick=${() => resend(r)}>${t('ob.resend')}</${Button}>` : null) },
  ];
  const opts = (vals, prefix) => [{ value: '', label: t('ob.all') }, ...vals.map((v) => ({ value: v, label: t(prefix + v) }))];
  return html`<${Page} title=${t('ob.title')}>
    <div class="ob-filters" data-testid="ob-filters">
      <${Field} label=${t('ob.status')} name="status" as="select" value=${f.status} onChange=${set('status')} options=${opts(STATUSES, 'ob.st.')} />
      <${Field} label=${t('ob.channel')} name="channel" as="select" value=${f.channel} onChange=${set('channel')} options=${opts(CHANNELS, 'ob.ch.')} />
      <${Field} label=${t('ob.template')} name="template" as="select" value=${f.template} onChange=${set('template')} options=${opts(TEMPLATES, 'ob.tp.')} />
    </div>
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${error || list.error} onRetry=${error ? null : list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${columns} rows=${list.items} rowKey="id" downloads=${{ path: '/outbox', params, name: 'outbox' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}
  </${Page}>`;
}
