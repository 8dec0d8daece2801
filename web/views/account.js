// A person's own page (M16): their open sessions with "end" for each and "log out
// everywhere". Hash route: #/account
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Button, ErrorBanner, Loading, Table } from '../ui.js';
import { useItems } from '../lib/lists.js';

registerMessages(byLang({
  'acc.title': ['我的账号', 'My account'],
  'acc.sessions': ['登录会话', 'Sessions'],
  'acc.created': ['登录时间', 'Logged in'],
  'acc.expires': ['空闲到期', 'Ends if idle until'],
  'acc.client': ['来源地址', 'From'],
  'acc.current': ['当前会话', 'This session'],
  'acc.end': ['结束', 'End'],
  'acc.everywhere': ['在所有设备上退出', 'Log out everywhere'],
}));

export default function Account({ user }) {
  const [n, setN] = useState(0);
  const list = useItems('/me/sessions', undefined, n);
  list.reload = () => setN(n + 1);
  const [error, setError] = useState(null);
  async function end(row) {
    setError(null);
    try {
      await api.del(`/me/sessions/${row.id}`);
      list.reload();
    } catch (e) { setError(e); }
  }
  async function everywhere() {
    setError(null);
    try {
      await api.del('/me/sessions');
      location.reload();
    } catch (e) { setError(e); }
  }
  const columns = [
    { key: 'created_at', label: t('acc.created'), render: (r) => formatDateTime(r.created_at) },
    { key: 'expires_at', label: t('acc.expires'), render: (r) => formatDateTime(r.expires_at) },
    { key: 'client', label: t('acc.client'), render: (r) => r.client || '' },
    { key: 'id', label: '', render: (r) => (r.current ? html`<strong data-current>${t('acc.current')}</strong>`
      : html`<${Button} variant="secondary" data-end=${r.id} onClick=${() => end(r)}>${t('acc.end')}</${Button}>`) },
  ];
  return html`<${Page} title=${t('acc.title') + ' · ' + user.login}
      actions=${html`<${Button} variant="danger" data-testid="logout-everywhere" onClick=${everywhere}>${t('acc.everywhere')}</${Button}>`}>
    <h2>${t('acc.sessions')}</h2>
    <${ErrorBanner} error=${error || list.error} onRetry=${error ? null : list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`<${Table} columns=${columns} rows=${list.items} rowKey="id" />`}
  </${Page}>`;
}
