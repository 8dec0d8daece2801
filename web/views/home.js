// The landing page after sign-in: a greeting and the capabilities this
// user's role can open, each marked when its page does not exist yet.
import { html, Page } from '../ui.js';
import { t } from '../i18n.js';

export default function Home({ user, routes }) {
  return html`
    <${Page} title=${t('home.welcome', { name: user.name || user.login })}>
      <p class="muted">${t('home.intro')}</p>
      <h2 class="section-title">${t('home.capabilities')}</h2>
      <ul class="cap-grid">
        ${routes.map((r) => html`
          <li key=${r.path}>
            <a class=${'cap-card' + (r.view ? '' : ' unbuilt')} href=${'#/' + r.path}>
              <span class="cap-name">${t(r.titleKey)}</span>
              ${r.view ? null : html`<span class="cap-tag">${t('home.unavailable')}</span>`}
            </a>
          </li>`)}
      </ul>
    </${Page}>`;
}
