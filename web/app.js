// The staff app's shell: session (login screen or app), header, role-aware
// navigation and hash routing (#/customers/C00012345). Capabilities are
// registered in ROUTES below and nowhere else.
import { render } from 'preact';
import { useState, useEffect, useCallback, useRef } from 'preact/hooks';
import * as api from './api.js';
import { t, LANGS, getLang, setLang, onLangChange } from './i18n.js';
import { html, Button, ErrorBanner, Field, Notice, Loading } from './ui.js';
import ChangePassword from './password.js';

const ALL_ROLES = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician',
  'warehouse', 'editor', 'marketer'];

// One row per capability: `path` is its hash route (#/path/...), `titleKey`
// its message key, `roles` who sees it in the navigation (the server still
// checks every request), `view` null while the capability has no page yet,
// else () => import('./views/<name>.js') whose default export is the view
// component; it gets {user, route, params, query}.
const ROUTES = [
  { path: 'customers', titleKey: 'nav.customers', view: () => import('./views/customers.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'marketer'] },
  { path: 'repairs', titleKey: 'nav.repairs', view: () => import('./views/repairs.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician'] },
  { path: 'warranty', titleKey: 'nav.warranty', view: () => import('./views/warranty.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager'] },
  { path: 'products', titleKey: 'nav.products', view: () => import('./views/catalog.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse', 'editor'] },
  { path: 'outlets', titleKey: 'nav.outlets', view: () => import('./views/outlets.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager'] },
  { path: 'parts', titleKey: 'nav.parts', view: () => import('./views/parts.js'),
    roles: ['admin', 'supervisor', 'outlet_manager', 'technician', 'warehouse'] },
  { path: 'prices', titleKey: 'nav.prices', view: () => import('./views/prices.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician'] },
  { path: 'contacts', titleKey: 'nav.contacts', view: () => import('./views/contacts.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician'] },
  { path: 'mail', titleKey: 'nav.mail', view: () => import('./views/mail.js'),
    roles: ['admin', 'supervisor', 'agent'] },
  { path: 'complaints', titleKey: 'nav.complaints', view: () => import('./views/complaints.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician'] },
  { path: 'orders', titleKey: 'nav.orders', view: () => import('./views/orders.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse'] },
  { path: 'feedback', titleKey: 'nav.feedback', view: () => import('./views/feedback.js'),
    roles: ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse'] },
  { path: 'calendars', titleKey: 'nav.calendars', view: () => import('./views/calendars.js'),
    roles: ['admin', 'supervisor'] },
  { path: 'outbox', titleKey: 'nav.outbox', view: () => import('./views/outbox.js'),
    roles: ['admin', 'supervisor'] },
  { path: 'kpi', titleKey: 'nav.kpi', view: () => import('./views/kpi.js'),
    roles: ['admin', 'supervisor', 'outlet_manager'] },
  { path: 'surveys', titleKey: 'nav.surveys', view: () => import('./views/surveys.js'),
    roles: ['admin', 'supervisor', 'agent'] },
  { path: 'ranking', titleKey: 'nav.ranking', view: () => import('./views/ranking.js'),
    roles: ['admin', 'supervisor'] },
  { path: 'kb', titleKey: 'nav.kb', view: () => import('./views/kb.js'),
    roles: ALL_ROLES },
  { path: 'campaigns', titleKey: 'nav.campaigns', view: () => import('./views/campaigns.js'),
    roles: ['admin', 'supervisor', 'marketer'] },
  { path: 'research', titleKey: 'nav.research', view: () => import('./views/research.js'),
    roles: ['admin', 'supervisor', 'marketer'] },
  { path: 'call-lists', titleKey: 'nav.calllists', view: () => import('./views/call-lists.js'),
    roles: ['admin', 'supervisor', 'agent', 'marketer'] },
  { path: 'account', titleKey: 'nav.account', view: () => import('./views/account.js'),
    roles: ALL_ROLES },
  { path: 'admin', titleKey: 'nav.admin', view: () => import('./views/admin.js'),
    roles: ['admin', 'supervisor'] },
];

const HOME = { path: '', titleKey: 'nav.home', roles: ALL_ROLES,
  view: () => import('./views/home.js') };

function routesFor(user) {
  return ROUTES.filter((r) => user && r.roles.includes(user.role));
}

// ---- hash routing ----

function parseHash() {
  let raw = location.hash.replace(/^#\/?/, '');
  try { raw = decodeURI(raw); } catch { /* keep it as typed */ }
  const [pathPart, queryPart = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean);
  return { path: segments[0] || '', params: segments.slice(1),
    query: new URLSearchParams(queryPart), raw: '#/' + raw };
}

function useHashRoute() {
  const [loc, setLoc] = useState(parseHash);
  useEffect(() => {
    const onHash = () => setLoc(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return loc;
}

function useLang() {
  const [lang, set] = useState(getLang);
  useEffect(() => onLangChange(set), []);
  return lang;
}

// ---- pieces of the shell ----

function LangSwitch() {
  const lang = useLang();
  return html`
    <div class="lang-switch" role="group" aria-label=${t('lang.label')}>
      ${LANGS.map((l) => html`
        <button type="button" data-lang=${l} lang=${l} aria-pressed=${l === lang ? 'true' : 'false'}
          class=${l === lang ? 'active' : ''} onClick=${() => setLang(l)}>${t('lang.' + l)}</button>`)}
    </div>`;
}

// notice: why the user is here again (the session expired), shown until
// the next attempt.
function LoginScreen({ onLoggedIn, notice }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(notice || null);
  const [fields, setFields] = useState({});
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    const missing = {};
    if (!login.trim()) missing.login = 'required';
    if (!password) missing.password = 'required';
    setFields(missing);
    if (Object.keys(missing).length) { setError(null); return; }
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.login(login.trim(), password));
    } catch (err) {
      setError(err);
      setFields(err.fields || {});
      setBusy(false);
    }
  }

  return html`
    <div class="login-screen">
      <div class="login-lang"><${LangSwitch} /></div>
      <form class="login-card" onSubmit=${submit} novalidate>
        <div class="brand brand-login"><span class="brand-mark" aria-hidden="true">AS</span>${t('app.name')}</div>
        <h1 class="login-title">${t('login.title')}</h1>
        <p class="login-intro">${t('login.intro')}</p>
        <${ErrorBanner} error=${error} />
        <${Field} label=${t('login.login')} name="login" value=${login} autocomplete="username"
          autocapitalize="off" spellcheck=${false} autofocus required error=${fields.login}
          onInput=${(e) => setLogin(e.currentTarget.value)} />
        <${Field} label=${t('login.password')} name="password" type="password" value=${password}
          autocomplete="current-password" required error=${fields.password}
          onInput=${(e) => setPassword(e.currentTarget.value)} />
        <${Button} type="submit" busy=${busy} class="btn-block">
          ${busy ? t('login.busy') : t('login.submit')}
        </${Button}>
      </form>
    </div>`;
}

function Header({ user, menuOpen, onToggleMenu, onLogout, loggingOut }) {
  return html`
    <header class="topbar">
      <button type="button" class="menu-toggle" aria-controls="sidebar" aria-expanded=${menuOpen ? 'true' : 'false'}
        onClick=${onToggleMenu} title=${t('header.menu')}>
        <span class="menu-icon" aria-hidden="true"></span><span class="sr-only">${t('header.menu')}</span>
      </button>
      <a class="brand" href="#/"><span class="brand-mark" aria-hidden="true">AS</span><span class="brand-name">${t('app.name')}</span></a>
      <div class="topbar-right">
        <div class="who" title=${t('header.user')}>
          <span class="who-name" data-testid="user-name">${user.name || user.login}</span>
          <span class="who-role" data-testid="user-role">${t('role.' + user.role)}${user.outlet ? ' · ' + t('header.outlet', { code: user.outlet }) : ''}</span>
        </div>
        <${LangSwitch} />
        <${Button} variant="ghost" class="logout" busy=${loggingOut} onClick=${onLogout}>${t('header.logout')}</${Button}>
      </div>
    </header>`;
}

function Sidebar({ user, routes, current, open, onNavigate }) {
  return html`
    <nav id="sidebar" class=${'sidebar' + (open ? ' open' : '')} aria-label=${t('nav.label')}>
      <div class="sidebar-user">
        <span class="who-name">${user.name || user.login}</span>
        <span class="who-role">${t('role.' + user.role)}${user.outlet ? ' · ' + t('header.outlet', { code: user.outlet }) : ''}</span>
      </div>
      <ul class="nav-list">
        <li><a href="#/" class=${current === '' ? 'active' : ''} aria-current=${current === '' ? 'page' : undefined}
          onClick=${onNavigate}>${t('nav.home')}</a></li>
        ${routes.map((r) => html`
          <li key=${r.path}><a href=${'#/' + r.path} data-route=${r.path}
            class=${(current === r.path ? 'active' : '') + (r.view ? '' : ' unbuilt')}
            aria-current=${current === r.path ? 'page' : undefined} onClick=${onNavigate}>
            <span>${t(r.titleKey)}</span>
            ${r.view ? null : html`<span class="nav-tag">${t('nav.soon')}</span>`}
          </a></li>`)}
      </ul>
    </nav>`;
}

const viewCache = new Map();

// Loads a route's view module once, then renders its default export.
function RouteView({ route, ...props }) {
  const [state, setState] = useState(() =>
    viewCache.has(route) ? { View: viewCache.get(route) } : { loading: true });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (viewCache.has(route)) { setState({ View: viewCache.get(route) }); return undefined; }
    let live = true;
    setState({ loading: true });
    route.view().then(
      (m) => { viewCache.set(route, m.default); if (live) setState({ View: m.default }); },
      (error) => { console.error(error); if (live) setState({ error }); },
    );
    return () => { live = false; };
  }, [route, attempt]);
  if (state.error) {
    return html`<${ErrorBanner} error=${t('view.loadfailed')} onRetry=${() => setAttempt(attempt + 1)} />`;
  }
  if (state.loading) return html`<${Loading} />`;
  const View = state.View;
  return html`<${View} route=${route} ...${props} />`;
}

function Content({ user, loc, allowed }) {
  if (loc.path === '') return html`<${RouteView} route=${HOME} user=${user} routes=${allowed} params=${loc.params} query=${loc.query} />`;
  const route = ROUTES.find((r) => r.path === loc.path);
  if (!route) {
    return html`<${Notice} title=${t('view.notfound.title')} tone="warning">${t('view.notfound.body', { path: loc.raw })}</${Notice}>`;
  }
  const name = t(route.titleKey);
  if (!route.roles.includes(user.role)) {
    return html`<${Notice} title=${t('view.forbidden.title')} tone="warning">${t('view.forbidden.body', { name })}</${Notice}>`;
  }
  if (!route.view) {
    return html`<section class="page"><div class="page-head"><h1 class="page-title">${name}</h1></div>
      <${Notice} title=${t('view.unavailable.title')}>${t('view.unavailable.body', { name })}</${Notice}></section>`;
  }
  return html`<${RouteView} key=${route.path} route=${route} user=${user} params=${loc.params} query=${loc.query} />`;
}

function Shell({ user, onLoggedOut }) {
  const loc = useHashRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);
  const [error, setError] = useState(null);
  const mainRef = useRef(null);
  const allowed = routesFor(user);

  const route = ROUTES.find((r) => r.path === loc.path) || (loc.path === '' ? HOME : null);
  useEffect(() => {
    document.title = (route ? t(route.titleKey) + ' · ' : '') + t('app.name');
  });
  useEffect(() => { setMenuOpen(false); window.scrollTo(0, 0); }, [loc.path]);
  useEffect(() => {
    if (!menuOpen) return undefined;
    const onKey = (e) => { if (e.key === 'Escape') setMenuOpen(false); };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [menuOpen]);

  async function logout() {
    setLoggingOut(true);
    setError(null);
    try {
      await api.logout();
      onLoggedOut();
    } catch (err) {
      if (err.status === 401) { onLoggedOut(); return; }
      setError(err);
      setLoggingOut(false);
    }
  }

  return html`
    <div class=${'shell' + (menuOpen ? ' menu-open' : '')}>
      <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); mainRef.current?.focus(); }}>${t('app.skip')}</a>
      <${Header} user=${user} menuOpen=${menuOpen} onToggleMenu=${() => setMenuOpen(!menuOpen)}
        onLogout=${logout} loggingOut=${loggingOut} />
      <div class="body">
        <${Sidebar} user=${user} routes=${allowed} current=${loc.path} open=${menuOpen} onNavigate=${() => setMenuOpen(false)} />
        <main id="main" class="main" tabindex="-1" ref=${mainRef}>
          <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
          <${Content} user=${user} loc=${loc} allowed=${allowed} />
        </main>
      </div>
    </div>`;
}

function App() {
  useLang(); // re-render everything when the language changes
  const [session, setSession] = useState({ state: 'loading' });

  const check = useCallback(() => {
    setSession({ state: 'loading' });
    api.fetchMe().then(
      (user) => setSession({ state: 'in', user }),
      (error) => setSession(error.status === 401 ? { state: 'out' } : { state: 'error', error }),
    );
  }, []);

  useEffect(() => {
    api.onUnauthenticated((error) => { api.setCsrfToken(null); setSession({ state: 'out', notice: error }); });
    check();
  }, [check]);

  useEffect(() => {
    if (session.state !== 'in') document.title = t('app.name');
  });

  // The next person to sign in on this browser starts at the home page.
  const loggedOut = useCallback(() => {
    history.replaceState(null, '', location.pathname + location.search);
    setSession({ state: 'out' });
  }, []);

  switch (session.state) {
    case 'loading':
      return html`<div class="center-screen"><${Loading} /></div>`;
    case 'error':
      return html`<div class="center-screen"><${ErrorBanner} error=${session.error} onRetry=${check} /></div>`;
    case 'out':
      return html`<${LoginScreen} notice=${session.notice} onLoggedIn=${(user) => setSession({ state: 'in', user })} />`;
    default:
      if (session.user.must_change_password) {
        return html`<${ChangePassword} user=${session.user} onChanged=${(user) => setSession({ state: 'in', user })} />`;
      }
      return html`<${Shell} user=${session.user} onLoggedOut=${loggedOut} />`;
  }
}

render(html`<${App} />`, document.getElementById('app'));
