// Browser test of the staff web shell: login screen, translated errors,
// role-aware navigation, language switch, logout, and the phone menu, in
// headless Debian Chromium against a real `aftersales serve`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';
import zh from '../../web/i18n/zh-CN.js';
import en from '../../web/i18n/en.js';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const PASSWORD = 'Shell-e2e-2024!';
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let server;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  server = await startServer();
  await server.addUser('e2e_agent', 'agent', undefined, PASSWORD);
  await server.addUser('e2e_editor', 'editor', undefined, PASSWORD);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A fresh browser profile (no cookies, no remembered language) whose
// uncaught page errors are collected in `errors`.
async function openPage({ viewport = DESKTOP, locale = 'zh-CN', mobile = false } = {}) {
  const context = await browser.newContext({ viewport, locale, isMobile: mobile, hasTouch: mobile });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A 401 from GET /me before login is expected; anything else is a fault.
    if (m.type() === 'error' && !/^Failed to load resource: .* 401/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + '/');
  try {
    await page.waitForSelector('#app > *');
  } catch {
    await context.close();
    assert.fail(`the app did not render: ${errors.join('; ') || 'no error reported'}`);
  }
  return { context, page, errors };
}

async function signIn(page, login, password) {
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
    page.click('form button[type=submit]'),
  ]);
  return res;
}

// Waits until the first element matching selector has exactly this text
// (trimmed); fails with what it had instead.
async function waitText(page, selector, text) {
  try {
    await page.waitForFunction(([sel, want]) =>
      document.querySelector(sel)?.textContent.trim() === want, [selector, text]);
  } catch {
    const had = await page.evaluate((sel) => document.querySelector(sel)?.textContent.trim() ?? null, selector);
    assert.fail(`${selector}: expected ${JSON.stringify(text)}, found ${JSON.stringify(had)}`);
  }
}

async function shot(page, name) {
  const file = path.join(SHOTS, `aftersales-e2e-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// index.html's inline import map only runs when the page's
// Content-Security-Policy lists its hash; without it nothing renders.
test('the CSP of / allows the inline import map', async () => {
  const res = await fetch(server.url + '/');
  assert.equal(res.status, 200);
  const body = await res.text();
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(body);
  assert.ok(m, 'index.html has an inline import map');
  const hash = `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`;
  const csp = res.headers.get('content-security-policy') || '';
  const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1]
    ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1] ?? "'unsafe-inline'";
  assert.ok(scriptSrc.split(/\s+/).some((src) => src === hash || src === "'unsafe-inline'"),
    `Content-Security-Policy "${csp}" blocks the import map; script-src needs ${hash}`);
});

test('desktop: login, translated error, nav, language switch, logout', async () => {
  const { context, page, errors } = await openPage();
  try {
    // Not signed in: the login screen, in Chinese for a zh-CN browser.
    await page.waitForSelector('input[name=login]');
    await waitText(page, 'form button[type=submit]', zh['login.submit']);
    await shot(page, 'login-1366');

    // Empty fields are marked in red under each field, without a request.
    await page.click('form button[type=submit]');
    await waitText(page, '#f-login-error', zh['field.required']);
    await waitText(page, '#f-password-error', zh['field.required']);
    assert.equal(await page.getAttribute('input[name=login]', 'aria-invalid'), 'true');

    // A wrong password shows the translated invalid_credentials message.
    const bad = await signIn(page, 'e2e_agent', 'not-the-password');
    assert.equal(bad.status(), 401);
    await waitText(page, 'form [role=alert]', zh['error.invalid_credentials']);

    // The right password: the app, with the user and the agent's navigation.
    const ok = await signIn(page, 'e2e_agent', PASSWORD);
    assert.equal(ok.status(), 200);
    const { user } = await ok.json();
    await waitText(page, '[data-testid=user-name]', user.name || user.login);
    await waitText(page, '[data-testid=user-role]', zh['role.agent']);
    const customers = page.locator('nav a[data-route=customers]');
    assert.ok(await customers.isVisible(), 'sidebar visible on desktop');
    await waitText(page, 'nav a[data-route=customers] span', zh['nav.customers']);
    assert.equal(await page.locator('nav a[data-route=campaigns]').count(), 0, 'agents do not see segments and campaigns');
    assert.equal(await page.locator('nav a[data-route=admin]').count(), 0, 'agents do not see admin');
    await shot(page, 'home-1366');

    await customers.click();
    await page.waitForURL(/#\/customers$/);
    await waitText(page, 'main h1', zh['nav.customers']);

    // English, remembered across a reload, then back to Chinese.
    await page.click('.topbar button[data-lang=en]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await waitText(page, 'main h1', en['nav.customers']);
    await waitText(page, 'nav a[data-route=customers] span', en['nav.customers']);
    await waitText(page, '.topbar .logout', en['header.logout']);
    await page.reload();
    // language and session survive a reload
    await waitText(page, 'main h1', en['nav.customers']);
    await shot(page, 'customers-en-1366');
    await page.click('.topbar button[data-lang=zh-CN]');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await waitText(page, 'main h1', zh['nav.customers']);
    await waitText(page, 'nav a[data-route=customers] span', zh['nav.customers']);

    // Logout: back to the login screen, and a reload does not bring the session back.
    const [bye] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'DELETE'),
      page.click('.topbar .logout'),
    ]);
    assert.equal(bye.status(), 204);
    await page.waitForSelector('input[name=login]');
    assert.equal(new URL(page.url()).hash, '', 'the next sign-in starts at home');
    await page.reload();
    await page.waitForSelector('input[name=login]');
    assert.equal(await page.locator('.topbar').count(), 0);

    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an English browser gets the English login screen', async () => {
  const { context, page, errors } = await openPage({ locale: 'en-US' });
  try {
    await page.waitForSelector('input[name=login]');
    await waitText(page, 'form button[type=submit]', en['login.submit']);
    await waitText(page, 'label[for=f-login]', en['login.login'] + ' *');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('phone: the menu opens, shows the role\'s capabilities, and closes on navigation', async () => {
  const { context, page, errors } = await openPage({ viewport: PHONE, mobile: true });
  try {
    await page.waitForSelector('input[name=login]');
    await shot(page, 'login-390');
    assert.equal((await signIn(page, 'e2e_editor', PASSWORD)).status(), 200);
    await page.waitForSelector('.topbar');

    const toggle = page.locator('.menu-toggle');
    const kb = page.locator('nav a[data-route=kb]');
    assert.ok(await toggle.isVisible(), 'menu button on a phone');
    assert.equal(await kb.isVisible(), false, 'menu starts closed');
    await shot(page, 'home-390');

    await toggle.click();
    await page.waitForSelector('.menu-toggle[aria-expanded=true]');
    await kb.waitFor({ state: 'visible' });
    assert.equal(await page.locator('nav a[data-route=campaigns]').count(), 0, 'editors do not see campaigns');
    assert.equal(await page.locator('nav a[data-route=repairs]').count(), 0, 'editors do not see repairs');
    await page.waitForTimeout(250); // let the icon's transition finish for the screenshot
    await shot(page, 'menu-390');

    await kb.click();
    await page.waitForURL(/#\/kb$/);
    await waitText(page, 'main h1', zh['nav.kb']);
    await page.waitForSelector('.menu-toggle[aria-expanded=false]');
    await kb.waitFor({ state: 'hidden' }); // the menu closes after choosing

    // The page does not scroll sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
