// Call lists (issue 13 item 6): the agent's side of phone and fax campaigns. The
// launched lists, and for the one opened its customers with attempts, outcome and next
// call-back, recorded row by row (the outreach list of campaign-outreach.js).
import { useState } from 'preact/hooks';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Button, ErrorBanner, Table, Page, Loading } from '../ui.js';
import { usePagedList } from '../lib/lists.js';
import { Detail } from './campaign-outreach.js';

registerMessages(byLang({
  'cl.title': ['外呼名单', 'Call lists'],
  'cl.none': ['目前没有进行中的电话或传真活动。', 'No phone or fax campaign is running.'],
  'cl.work': ['处理名单', 'Work the list'],
}));

export default function CallLists() {
  const [open, setOpen] = useState(null);
  const list = usePagedList('/campaigns', {}, 100);
  // the launched phone and fax lists among the campaigns read so far (newest first);
  // older ones with "Load more"
  const rows = (list.items || []).filter((c) => c.status !== 'draft' && (c.channel === 'phone' || c.channel === 'fax'));
  const cols = [
    { key: 'code', label: t('cp.code') },
    { key: 'name', label: t('cp.name') },
    { key: 'channel', label: t('cp.channel'), render: (r) => t('sg.ch.' + r.channel) },
    { key: 'status', label: t('cp.status'), render: (r) => t('cp.st.' + r.status) },
    { key: 'send_at', label: t('cp.send_at'), render: (r) => formatDateTime(r.send_at) },
    { key: 'work', label: '', render: (r) => html`<${Button} variant="secondary" data-open=${r.code}
      onClick=${() => setOpen(r.code)}>${t('cl.work')}</${Button}>` },
  ];
  return html`<${Page} title=${t('cl.title')}>
    <${ErrorBanner} error=${list.error} />
    ${list.items === null ? html`<${Loading} />` : rows.length === 0
      ? html`<p class="empty" data-testid="cl-none">${t('cl.none')}</p>`
      : html`<${Table} columns=${cols} rows=${rows} rowKey="code" />`}
    ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}
    ${open ? html`<${Detail} key=${open} code=${open} />` : null}
  </${Page}>`;
}
