// Headless Debian Chromium for the e2e tests: launching it, and a page signed in as a
// demo staff member (password demo1234) that collects the page's errors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
export const DESKTOP = { width: 1366, height: 900 };

export function launch() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// {context, page, errors}: `login` signed in on server, at `hash`. errors gathers page
// errors and console errors but the failed requests of the answers listed in `expected`.
export async function staffPage(browser, server, login, hash, { viewport = DESKTOP,
  locale = 'zh-CN', expected = [401, 404, 409, 422] } = {}) {
  const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  const failed = new RegExp(`Failed to load resource: .* (${expected.join('|')})`);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !failed.test(m.text())) errors.push(m.text()); });
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('form button[type=submit]');
  await page.waitForSelector('.topbar');
  await page.goto(server.url + '/' + hash);
  return { context, page, errors };
}

// Runs fn(page) on a staffPage; asserts no page or console error came, and closes the
// context either way.
export async function asStaff(browser, server, login, hash, fn, opts = {}) {
  const { context, page, errors } = await staffPage(browser, server, login, hash, opts);
  try {
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}
