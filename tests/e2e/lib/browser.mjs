// What browser tests can share: headless Debian Chromium launched as the e2e files do,
// and a page signed in as a demo staff login that fails the test on any page error or
// console error (other than the refused requests a screen shows as errors).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
export const DESKTOP = { width: 1366, height: 900 };

export function launch() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

// Runs fn(page) on a fresh context signed in as `login` (password demo1234) at `hash`;
// asserts no page or console error came, and closes the context either way.
export async function asStaff(browser, server, login, hash, fn, { locale = 'zh-CN', viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ viewport, locale });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: .* (401|404|409|422)/.test(m.text())) errors.push(m.text());
    });
    await page.goto(server.url + '/');
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'demo1234');
    await page.click('form button[type=submit]');
    await page.waitForSelector('.topbar');
    await page.goto(server.url + '/' + hash);
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}
