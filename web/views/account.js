// A person's own page (M16): their email address (where their role's staff
// notifications go), their open sessions with "end" for each and "log out everywhere".
// Hash route: #/account
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, fieldErrors } from '../ui.js';
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
  'acc.email': ['我的邮箱', 'My email'],
  'acc.email_hint': ['您角色的员工通知（如投诉升级）发送到此邮箱；留空则不接收', 'Staff notifications of your role (such as complaint escalations) go here; leave it empty for none'],
  'acc.save': ['保存', 'Save'],
  'acc.saved': ['邮箱已保存', 'Email saved'],
}));

function EmailForm({ user }) {
  const [email, setEmail] = useState(user.email || '');
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const u = await api.patch('/me', { email: email || null });
      user.email = u.email;
      setEmail(u.email || '');
      setSaved(true);
    } catch (err) { setError(err); }
  }
  return html`<form data-testid="my-email" onSubmit=${submit} novalidate>
    <${Field} label=${t('acc.email')} name="my_email" type="email" value=${email} error=${fieldErrors(error).email}
      hint=${t('acc.email_hint')} onInput=${(e) => setEmail(e.currentTarget.value)} />
    <${Button} type="submit">${t('acc.save')}</${Button}>
    <${ErrorBanner} error=${error} />
    ${saved ? html`<${Notice} tone="success">${t('acc.saved')}</${Notice}>` : null}
  </form>`;
}

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
    <${EmailForm} user=${user} />
    <h2>${t('acc.sessions')}</h2>
    <${ErrorBanner} error=${error || list.error} onRetry=${error ? null : list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`<${Table} columns=${columns} rows=${list.items} rowKey="id" />`}
  </${Page}>`;
}
