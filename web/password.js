// The forced change of a first password (M16): shown instead of the app while the
// login answers must_change_password; the new password follows the server's policy.
import { useState } from 'preact/hooks';
import * as api from './api.js';
import { t, registerMessages, byLang } from './i18n.js';
import { html, Button, ErrorBanner, Field, fieldErrors } from './ui.js';

registerMessages(byLang({
  'pw.title': ['请修改初始密码', 'Change your first password'],
  'pw.intro': ['管理员为您设置的初始密码必须先修改，才能继续使用。新密码至少 10 个字符，不能与账号相同，也不能是常见密码。',
    'The first password an administrator gave you must be changed before you go on. At least 10 characters, not your login, not a common password.'],
  'pw.current': ['当前密码', 'Current password'],
  'pw.new': ['新密码', 'New password'],
  'pw.save': ['修改密码', 'Change password'],
}));

export default function ChangePassword({ user, onChanged }) {
  const [cur, setCur] = useState('');
  const [pw, setPw] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/me/password', { current_password: cur, new_password: pw });
      onChanged({ ...user, must_change_password: false });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const fe = fieldErrors(error);
  return html`
    <div class="login-screen">
      <form class="login-card" data-testid="change-password" onSubmit=${submit} novalidate>
        <h1 class="login-title">${t('pw.title')}</h1>
        <p class="login-intro">${t('pw.intro')}</p>
        <${ErrorBanner} error=${error} />
        <${Field} label=${t('pw.current')} name="current_password" type="password" value=${cur}
          autocomplete="current-password" error=${fe.current_password} onInput=${(e) => setCur(e.currentTarget.value)} />
        <${Field} label=${t('pw.new')} name="new_password" type="password" value=${pw}
          autocomplete="new-password" error=${fe.new_password} onInput=${(e) => setPw(e.currentTarget.value)} />
        <${Button} type="submit" busy=${busy}>${t('pw.save')}</${Button}>
      </form>
    </div>`;
}
