// Inbound email (M9) for the contact center: the stored messages (of one customer with
// ?customer=CODE) and one message with its sender, threading, UTF-8 body and the
// attachments to download. Hash routes:
//   #/mail   #/mail?customer=C00000042   #/mail/ID
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, ErrorBanner, Loading } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

registerMessages(byLang({
  'mail.title': ['收到的邮件', 'Received mail'],
  'mail.customer': ['客户代码', 'Customer code'],
  'mail.received': ['收到时间', 'Received'],
  'mail.from': ['发件人', 'From'],
  'mail.to': ['收件人', 'To'],
  'mail.subject': ['主题', 'Subject'],
  'mail.kind': ['类型', 'Kind'],
  'mail.kind.message': ['邮件', 'Message'],
  'mail.kind.auto': ['自动邮件', 'Automatic'],
  'mail.kind.bounce': ['退信', 'Bounce'],
  'mail.matched': ['归属依据', 'Matched by'],
  'mail.matched.outbox': ['回复我们的邮件', 'Reply to our mail'],
  'mail.matched.thread': ['同一往来', 'Same thread'],
  'mail.matched.repair': ['主题中的维修单号', 'Repair code in the subject'],
  'mail.matched.customer': ['发件地址', 'Sender address'],
  'mail.matched.none': ['未匹配', 'Unmatched'],
  'mail.matched.ignored': ['不计为联系', 'Not a contact'],
  'mail.repair': ['维修单', 'Repair'],
  'mail.contact': ['联系记录', 'Contact'],
  'mail.attachments': ['附件', 'Attachments'],
  'mail.no_attachments': ['没有附件', 'No attachments'],
  'mail.raw': ['下载原始邮件', 'Download the original message'],
  'mail.acked': ['已自动回复确认', 'Acknowledged automatically'],
  'mail.back': ['返回邮件列表', 'Back to the mail list'],
  'mail.size': ['{kb} KB', '{kb} KB'],
}));

const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const kb = (n) => t('mail.size', { kb: Math.max(1, Math.round(n / 1024)) });

function MailList({ query }) {
  const [customer, setCustomer] = useState(query.get('customer') || '');
  const params = customer.trim() ? { customer: customer.trim() } : {};
  const columns = [
    { key: 'received_at', label: t('mail.received'), render: (m) => formatDateTime(m.received_at) },
    { key: 'from', label: t('mail.from'), render: (m) => (m.from_name ? `${m.from_name} <${m.from}>` : m.from) },
    { key: 'subject', label: t('mail.subject'), render: (m) => html`<a href=${'#/mail/' + m.id} data-mail=${m.id}>${m.subject || '–'}</a>` },
    { key: 'kind', label: t('mail.kind'), render: (m) => t('mail.kind.' + m.kind) },
    { key: 'matched_by', label: t('mail.matched'), render: (m) => t('mail.matched.' + m.matched_by) },
    { key: 'customer', label: t('mail.customer'), render: (m) => (m.customer ? html`<a href=${'#/customers/' + m.customer}>${m.customer}</a>` : '–') },
    { key: 'attachments_count', label: t('mail.attachments'), align: 'right' },
  ];
  return html`<${Page} title=${t('mail.title')}>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <${Field} label=${t('mail.customer')} name="customer" value=${customer}
        onChange=${(e) => setCustomer(e.currentTarget.value)} />
    </form>
    <${PagedTable} path="/mail/messages" params=${params} limit=${50} columns=${columns} name="mail" rowKey="id" />
  </${Page}>`;
}

function MailView({ id }) {
  const [m, setM] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setM(null);
    api.get(`/mail/messages/${id}`).then(setM, setError);
  }, [id]);
  if (error) return html`<${Page} title=${t('mail.title')}><${ErrorBanner} error=${error} /></${Page}>`;
  if (!m) return html`<${Loading} />`;
  const base = `/mail/messages/${m.id}`;
  return html`<${Page} title=${m.subject || '–'} actions=${html`<a class="btn btn-secondary" href="#/mail">${t('mail.back')}</a>`}>
    <div style=${CARD} data-mail-view=${m.id}>
      <dl class="facts">
        <div><dt class="muted">${t('mail.from')}</dt><dd data-from>${m.from_name ? `${m.from_name} <${m.from}>` : m.from}</dd></div>
        <div><dt class="muted">${t('mail.to')}</dt><dd>${m.to}</dd></div>
        <div><dt class="muted">${t('mail.received')}</dt><dd>${formatDateTime(m.received_at)}</dd></div>
        <div><dt class="muted">${t('mail.kind')}</dt><dd>${t('mail.kind.' + m.kind)} · ${t('mail.matched.' + m.matched_by)}${m.acked ? ' · ' + t('mail.acked') : ''}</dd></div>
        ${m.customer ? html`<div><dt class="muted">${t('mail.customer')}</dt><dd><a href=${'#/customers/' + m.customer}>${m.customer}</a></dd></div>` : null}
        ${m.repair ? html`<div><dt class="muted">${t('mail.repair')}</dt><dd><a href=${'#/repairs/' + m.repair}>${m.repair}</a></dd></div>` : null}
        ${m.contact ? html`<div><dt class="muted">${t('mail.contact')}</dt><dd>${m.contact}</dd></div>` : null}
      </dl>
      <pre data-body style="white-space:pre-wrap;font:inherit;border-top:1px solid #d8dee6;padding-top:12px">${m.body_text}</pre>
    </div>
    <div style=${CARD}>
      <h2>${t('mail.attachments')}</h2>
      ${m.attachments.length === 0 ? html`<p class="muted">${t('mail.no_attachments')}</p>` : html`<ul data-attachments>
        ${m.attachments.map((a) => html`<li key=${a.n}><a href=${api.apiUrl(`${base}/attachments/${a.n}`)} download=${a.filename}
          data-attachment=${a.n}>${a.filename || a.mime_type}</a> <span class="muted">${a.mime_type} · ${kb(a.size)}</span></li>`)}
      </ul>`}
      <p><a class="btn btn-secondary" href=${api.apiUrl(`${base}/raw`)} data-raw>${t('mail.raw')}</a></p>
    </div>
  </${Page}>`;
}

export default function Mail({ params, query }) {
  return params[0] ? html`<${MailView} id=${params[0]} />` : html`<${MailList} query=${query} />`;
}
