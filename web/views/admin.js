// Administration (M16): the staff accounts (search, role and active filters, disable /
// enable by admins; supervisors read only) and the audit viewer (who, which record,
// action, time range; field names only), both downloadable as CSV and XLSX.
// Hash routes: #/admin (accounts: create, change role and outlet, disable / enable),
// #/admin/audit, #/admin/tokens (own bearer tokens, an admin's: all; create, revoke)
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, useStyle, fieldErrors } from '../ui.js';
import { usePagedList } from '../lib/lists.js';

const ROLES = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse',
  'editor', 'marketer'];

registerMessages(byLang({
  'adm.users': ['员工账号', 'Staff accounts'],
  'adm.audit': ['审计日志', 'Audit log'],
  'adm.q': ['账号或姓名', 'Login or name'],
  'adm.login': ['账号', 'Login'],
  'adm.name': ['姓名', 'Name'],
  'adm.role': ['角色', 'Role'],
  'adm.outlet': ['网点', 'Outlet'],
  'adm.active': ['状态', 'State'],
  'adm.all': ['全部', 'All'],
  'adm.on': ['启用', 'Enabled'],
  'adm.off': ['已停用', 'Disabled'],
  'adm.disable': ['停用', 'Disable'],
  'adm.enable': ['启用', 'Enable'],
  'adm.disabled': ['账号 {login} 已停用，其会话已结束', 'Login {login} is disabled; its sessions have ended'],
  'adm.enabled': ['账号 {login} 已启用', 'Login {login} is enabled'],
  'adm.updated': ['更新时间', 'Updated'],
  'adm.readonly': ['主管只能查看账号，不能修改。', 'Supervisors can see accounts but not change them.'],
  'adm.at': ['时间', 'Time'],
  'adm.actor': ['操作人', 'Who'],
  'adm.action': ['操作', 'Action'],
  'adm.entity': ['记录类型', 'Record type'],
  'adm.code': ['记录编号', 'Record code'],
  'adm.fields': ['变更字段', 'Changed fields'],
  'adm.from': ['起始时间', 'From'],
  'adm.to': ['截止时间', 'Until'],
  'adm.new': ['新建账号', 'New account'],
  'adm.password': ['初始密码', 'First password'],
  'adm.password_hint': ['至少 10 个字符；用户首次登录时必须修改', 'At least 10 characters; the user must change it at first login'],
  'adm.create': ['创建账号', 'Create account'],
  'adm.created': ['账号 {login} 已创建', 'Login {login} is created'],
  'adm.change': ['修改', 'Change'],
  'adm.change_title': ['修改账号 {login} 的角色、网点和邮箱', 'Change the role, outlet and email of {login}'],
  'adm.save': ['保存', 'Save'],
  'adm.cancel': ['取消', 'Cancel'],
  'adm.changed': ['账号 {login} 已修改，其会话下次请求起使用新权限', 'Login {login} is changed; its sessions have the new rights from their next request'],
  'adm.outlet_hint': ['网点角色必须填写网点编号', 'Outlet roles need an outlet code'],
  'adm.tokens': ['访问令牌', 'Bearer tokens'],
  'adm.token_name': ['令牌名称', 'Token name'],
  'adm.expires': ['到期时间', 'Expires'],
  'adm.owner': ['所有者', 'Owner'],
  'adm.state': ['状态', 'State'],
  'adm.st_active': ['有效', 'Active'],
  'adm.st_expired': ['已过期', 'Expired'],
  'adm.st_revoked': ['已吊销', 'Revoked'],
  'adm.token_create': ['创建令牌', 'Create token'],
  'adm.token_secret': ['令牌 {name} 已创建。请立即复制，它只显示这一次：', 'Token {name} is created. Copy it now; it is shown only this once:'],
  'adm.revoke': ['吊销', 'Revoke'],
  'adm.revoked': ['令牌 {name} 已吊销', 'Token {name} is revoked'],
  'adm.created_at': ['创建时间', 'Created'],
  'adm.client': ['客户端地址', 'Client address'],
  'adm.email': ['邮箱', 'Email'],
  'adm.email_hint': ['该角色的员工通知（如投诉升级）发送到此邮箱', 'Staff notifications of the role (such as complaint escalations) go to this address'],
}));

const CSS = `
.adm-tabs { display: flex; gap: 12px; margin-bottom: 12px; }
.adm-tabs a[aria-current=page] { font-weight: 600; text-decoration: none; }
.adm-filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 0 16px; }
`;

const roleName = (r) => (t('role.' + r) === 'role.' + r ? r : t('role.' + r));

const EMPTY = { login: '', name: '', role: 'agent', outlet: '', password: '', email: '' };

function NewAccount({ onCreated }) {
  const [a, setA] = useState(EMPTY);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setA({ ...a, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setError(null);
    try {
      const body = { ...a };
      if (!body.outlet) delete body.outlet;
      if (!body.name) delete body.name;
      if (!body.email) delete body.email;
      const u = await api.post('/users', body);
      setA(EMPTY);
      onCreated(u);
    } catch (err) { setError(err); }
  }
  const fe = fieldErrors(error);
  return html`<form class="adm-filters" data-testid="new-account" onSubmit=${submit} novalidate>
    <${Field} label=${t('adm.login')} name="new_login" value=${a.login} error=${fe.login} onInput=${set('login')} />
    <${Field} label=${t('adm.name')} name="new_name" value=${a.name} error=${fe.name} onInput=${set('name')} />
    <${Field} label=${t('adm.role')} name="new_role" as="select" value=${a.role} onChange=${set('role')}
      options=${ROLES.map((r) => ({ value: r, label: roleName(r) }))} />
    <${Field} label=${t('adm.outlet')} name="new_outlet" value=${a.outlet} error=${fe.outlet} onInput=${set('outlet')} />
    <${Field} label=${t('adm.email')} name="new_email" type="email" value=${a.email} error=${fe.email} hint=${t('adm.email_hint')} onInput=${set('email')} />
    <${Field} label=${t('adm.password')} name="new_password" type="password" autocomplete="new-password"
      hint=${t('adm.password_hint')} value=${a.password} error=${fe.password} onInput=${set('password')} />
    <div><${Button} type="submit">${t('adm.create')}</${Button}></div>
    <div style="grid-column: 1 / -1"><${ErrorBanner} error=${error} /></div>
  </form>`;
}

function EditAccount({ row, onDone, onCancel }) {
  const [a, setA] = useState({ role: row.role, outlet: row.outlet || '', email: row.email || '' });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setA({ ...a, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setError(null);
    try {
      const u = await api.patch(`/users/${encodeURIComponent(row.login)}`,
        { version: row.version, role: a.role, outlet: a.outlet || null, email: a.email || null });
      onDone(u);
    } catch (err) { setError(err); }
  }
  const fe = fieldErrors(error);
  return html`<form class="adm-filters" data-testid="edit-account" onSubmit=${submit} novalidate>
    <p style="grid-column: 1 / -1">${t('adm.change_title', { login: row.login })}</p>
    <${Field} label=${t('adm.role')} name="edit_role" as="select" value=${a.role} error=${fe.role} onChange=${set('role')}
      options=${ROLES.map((r) => ({ value: r, label: roleName(r) }))} />
    <${Field} label=${t('adm.outlet')} name="edit_outlet" value=${a.outlet} error=${fe.outlet} hint=${t('adm.outlet_hint')} onInput=${set('outlet')} />
    <${Field} label=${t('adm.email')} name="edit_email" type="email" value=${a.email} error=${fe.email} hint=${t('adm.email_hint')} onInput=${set('email')} />
    <div><${Button} type="submit">${t('adm.save')}</${Button}> <${Button} variant="secondary" onClick=${onCancel}>${t('adm.cancel')}</${Button}></div>
    <div style="grid-column: 1 / -1"><${ErrorBanner} error=${error} /></div>
  </form>`;
}

function Users({ user }) {
  const [f, setF] = useState({ q: '', role: '', active: '' });
  const [editing, setEditing] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const list = usePagedList('/users', f, 50);
  const admin = user.role === 'admin';

  async function toggle(row) {
    setError(null);
    setNotice(null);
    const verb = row.active ? 'disable' : 'enable';
    try {
      await api.post(`/users/${encodeURIComponent(row.login)}/${verb}`, {});
      setNotice(t(row.active ? 'adm.disabled' : 'adm.enabled', { login: row.login }));
      list.reload();
    } catch (e) { setError(e); }
  }

  const columns = [
    { key: 'login', label: t('adm.login') },
    { key: 'name', label: t('adm.name') },
    { key: 'role', label: t('adm.role'), render: (r) => roleName(r.role) },
    { key: 'outlet', label: t('adm.outlet'), render: (r) => r.outlet || '' },
    { key: 'email', label: t('adm.email'), render: (r) => r.email || '' },
    { key: 'active', label: t('adm.active'), render: (r) => html`<span data-active=${String(r.active)}>${t(r.active ? 'adm.on' : 'adm.off')}</span>` },
    { key: 'updated_at', label: t('adm.updated'), render: (r) => formatDateTime(r.updated_at) },
    { key: 'actions', label: '', render: (r) => (admin && r.login !== user.login
      ? html`<${Button} variant="secondary" data-toggle=${r.login} onClick=${() => toggle(r)}>${t(r.active ? 'adm.disable' : 'adm.enable')}</${Button}>
        <${Button} variant="secondary" data-edit=${r.login} onClick=${() => { setNotice(null); setEditing(r); }}>${t('adm.change')}</${Button}>`
      : null) },
  ];
  const roleOpts = [{ value: '', label: t('adm.all') }, ...ROLES.map((r) => ({ value: r, label: roleName(r) }))];
  const activeOpts = [{ value: '', label: t('adm.all') }, { value: 'true', label: t('adm.on') }, { value: 'false', label: t('adm.off') }];
  const created = (u) => { setNotice(t('adm.created', { login: u.login })); list.reload(); };
  const changed = (u) => { setEditing(null); setNotice(t('adm.changed', { login: u.login })); list.reload(); };
  return html`
    ${admin ? html`<details><summary>${t('adm.new')}</summary><${NewAccount} onCreated=${created} /></details>`
    : html`<p class="muted">${t('adm.readonly')}</p>`}
    <div class="adm-filters">
      <${Field} label=${t('adm.q')} name="q" value=${f.q} onInput=${set('q')} />
      <${Field} label=${t('adm.role')} name="role" as="select" value=${f.role} onChange=${set('role')} options=${roleOpts} />
      <${Field} label=${t('adm.active')} name="active" as="select" value=${f.active} onChange=${set('active')} options=${activeOpts} />
    </div>
    ${editing ? html`<${EditAccount} key=${editing.login} row=${editing} onDone=${changed} onCancel=${() => setEditing(null)} />` : null}
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${error || list.error} onRetry=${error ? null : list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${columns} rows=${list.items} rowKey="login" downloads=${{ path: '/users', params: f, name: 'users' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}`;
}

function Audit() {
  const [f, setF] = useState({ actor: '', entity: '', code: '', action: '', from: '', to: '' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  // datetime-local gives local wall time "YYYY-MM-DDTHH:MM"; the server reads "YYYY-MM-DD HH:MM"
  const params = { ...f, from: f.from.replace('T', ' '), to: f.to.replace('T', ' ') };
  const list = usePagedList('/audit', params, 50);
  const columns = [
    { key: 'at', label: t('adm.at'), render: (r) => formatDateTime(r.at) },
    { key: 'actor', label: t('adm.actor') },
    { key: 'action', label: t('adm.action') },
    { key: 'entity', label: t('adm.entity') },
    { key: 'code', label: t('adm.code'), render: (r) => r.code || '' },
    { key: 'fields', label: t('adm.fields') },
    { key: 'client', label: t('adm.client'), render: (r) => r.client || '' },
  ];
  return html`
    <div class="adm-filters">
      <${Field} label=${t('adm.actor')} name="actor" value=${f.actor} onInput=${set('actor')} />
      <${Field} label=${t('adm.entity')} name="entity" value=${f.entity} onInput=${set('entity')} />
      <${Field} label=${t('adm.code')} name="code" value=${f.code} onInput=${set('code')} />
      <${Field} label=${t('adm.action')} name="action" value=${f.action} onInput=${set('action')} />
      <${Field} label=${t('adm.from')} name="from" type="datetime-local" value=${f.from} onInput=${set('from')} />
      <${Field} label=${t('adm.to')} name="to" type="datetime-local" value=${f.to} onInput=${set('to')} />
    </div>
    <${ErrorBanner} error=${list.error} onRetry=${list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${columns} rows=${list.items} rowKey="id" downloads=${{ path: '/audit', params, name: 'audit' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}`;
}

// datetime-local "YYYY-MM-DDTHH:MM" (local wall time) as an RFC 3339 instant
const localToIso = (v) => (v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : '');

function Tokens({ user }) {
  const [a, setA] = useState({ name: '', expires: '' });
  const [secret, setSecret] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const list = usePagedList('/tokens', {}, 50);
  const set = (k) => (e) => setA({ ...a, [k]: e.currentTarget.value });
  async function create(e) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const tk = await api.post('/tokens', { name: a.name, expires_at: localToIso(a.expires) });
      setSecret(tk);
      setA({ name: '', expires: '' });
      list.reload();
    } catch (err) { setError(err); }
  }
  async function revoke(row) {
    setError(null);
    try {
      await api.del(`/tokens/${row.id}`);
      setNotice(t('adm.revoked', { name: row.name }));
      list.reload();
    } catch (err) { setError(err); }
  }
  const fe = fieldErrors(error);
  const columns = [
    { key: 'name', label: t('adm.token_name') },
    { key: 'role', label: t('adm.role'), render: (r) => roleName(r.role) },
    { key: 'outlet', label: t('adm.outlet'), render: (r) => r.outlet || '' },
    ...(user.role === 'admin' ? [{ key: 'owner', label: t('adm.owner'), render: (r) => r.owner || '' }] : []),
    { key: 'state', label: t('adm.state'), render: (r) => html`<span data-state=${r.state}>${t('adm.st_' + r.state)}</span>` },
    { key: 'created_at', label: t('adm.created_at'), render: (r) => formatDateTime(r.created_at) },
    { key: 'expires_at', label: t('adm.expires'), render: (r) => (r.expires_at ? formatDateTime(r.expires_at) : '') },
    { key: 'actions', label: '', render: (r) => (r.state === 'active'
      ? html`<${Button} variant="secondary" data-revoke=${r.name} onClick=${() => revoke(r)}>${t('adm.revoke')}</${Button}>` : null) },
  ];
  return html`
    <form class="adm-filters" data-testid="new-token" onSubmit=${create} novalidate>
      <${Field} label=${t('adm.token_name')} name="token_name" value=${a.name} error=${fe.name} onInput=${set('name')} />
      <${Field} label=${t('adm.expires')} name="token_expires" type="datetime-local" value=${a.expires} error=${fe.expires_at} onInput=${set('expires')} />
      <div><${Button} type="submit">${t('adm.token_create')}</${Button}></div>
      <div style="grid-column: 1 / -1"><${ErrorBanner} error=${error} /></div>
    </form>
    ${secret ? html`<${Notice} tone="success">${t('adm.token_secret', { name: secret.name })} <code data-secret>${secret.token}</code></${Notice}>` : null}
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <${ErrorBanner} error=${list.error} onRetry=${list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${columns} rows=${list.items} rowKey="id" downloads=${{ path: '/tokens', params: {}, name: 'tokens' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}`;
}

const TABS = { users: 'adm.users', audit: 'adm.audit', tokens: 'adm.tokens' };

export default function Admin({ user, params }) {
  useStyle('adm-style', CSS);
  const tab = TABS[params[0]] ? params[0] : 'users';
  return html`<${Page} title=${t(TABS[tab])}>
    <nav class="adm-tabs">
      ${Object.entries(TABS).map(([k, label]) => html`<a href=${k === 'users' ? '#/admin' : `#/admin/${k}`} aria-current=${tab === k ? 'page' : null}>${t(label)}</a>`)}
    </nav>
    ${tab === 'audit' ? html`<${Audit} />` : tab === 'tokens' ? html`<${Tokens} user=${user} />` : html`<${Users} user=${user} />`}
  </${Page}>`;
}
