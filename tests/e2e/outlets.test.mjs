// Browser test of the service network screens (issue 6): a supervisor creates an
// outlet and sees the county coverage change; an agent sees the routing suggestion
// for a repair with its reason. Headless Debian Chromium against `aftersales serve`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';
import { countiesIn, officialCounties } from '../api/network-helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const PASSWORD = 'Outlets-e2e-2024!';

let server, browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  server = await startServer();
  await server.addUser('e2e_sup', 'supervisor', undefined, PASSWORD);
  await server.addUser('e2e_agent', 'agent', undefined, PASSWORD);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(login, viewport = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: .* (401|404|422)/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-testid=user-name]', { state: 'attached' });
  return { context, page, errors };
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `outlets-${name}.png`), fullPage: false });

test('supervisor: create an outlet, coverage goes up by the counties it covers', async () => {
  const { context, page, errors } = await open('e2e_sup');
  const total = officialCounties().length;
  await page.goto(server.url + '/#/outlets/coverage');
  await page.waitForSelector('[data-testid=coverage-covered]');
  assert.equal(await page.textContent('[data-testid=coverage-covered]'), '0');
  await page.waitForSelector('canvas');
  await shot(page, 'coverage-empty-1366');

  await page.goto(server.url + '/#/outlets/new');
  await page.fill('input[name=code]', 'W001');
  await page.fill('input[name=name]', '杭州西湖特约维修站');
  await page.selectOption('select[name=type]', 'designated');
  await page.selectOption('select[name=grade]', 'B');
  await page.fill('input[name=region]', '330106');
  await page.fill('input[name=capacity]', '30');
  await page.fill('input[name=covers]', '330100 331000');
  await page.fill('input[name=product_lines]', 'TV AV');
  await shot(page, 'new-1366');
  await page.click('form button[type=submit]');
  await page.waitForFunction(() => location.hash === '#/outlets/W001');
  await page.waitForSelector('text=W001 · 杭州西湖特约维修站');

  await page.goto(server.url + '/#/outlets/coverage');
  const expected = countiesIn('330100').length + countiesIn('331000').length;
  await page.waitForFunction((n) => document.querySelector('[data-testid=coverage-covered]')?.textContent === String(n), expected);
  const rate = await page.textContent('[data-testid=coverage-rate]');
  assert.equal(rate, `${((expected / total) * 100).toFixed(1)}%`);
  await page.waitForSelector('canvas');
  await page.waitForTimeout(300);
  await shot(page, 'coverage-1366');

  // a technician, and an on-site appointment booked from the free slots
  await page.goto(server.url + '/#/outlets/W001');
  await page.fill('input[name=tech_name]', '上门 王');
  await page.click('form:has(input[name=tech_name]) button[type=submit]');
  await page.waitForSelector('td:has-text("上门 王")');
  await page.fill('input[name=slot_date]', '2031-01-08');
  await page.dispatchEvent('input[name=slot_date]', 'change');
  await page.waitForSelector('[data-testid=slots] button:has-text("08:30")');
  await page.click('[data-testid=slots] button:has-text("08:30")');
  await page.waitForSelector('text=已预约');
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=slots] button')].some((b) => b.textContent.trim() === '08:30'));
  await shot(page, 'detail-1366');

  // a validation error is shown under its field
  await page.goto(server.url + '/#/outlets/new');
  await page.fill('input[name=code]', 'W002');
  await page.fill('input[name=name]', 'x');
  await page.fill('input[name=region]', '330100');
  await page.click('form button[type=submit]');
  await page.waitForSelector('#f-region-error');
  assert.deepEqual(errors, []);
  await context.close();
});

test('agent: the routing suggestion names the outlet and says why', async () => {
  const { context, page, errors } = await open('e2e_agent');
  await page.goto(server.url + '/#/outlets/routing');
  await page.fill('input[name=region]', '330106');
  await page.fill('input[name=product_line]', 'TV');
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-testid=routing-reason]');
  const reason = await page.textContent('[data-testid=routing-reason]');
  assert.match(reason, /^chosen because it is active, covers 330106 and is authorised for TV/);
  assert.ok(await page.isVisible('text=建议网点：W001'));
  assert.equal(await page.textContent('[data-testid=routing-why]'),
    '选择理由：在营、覆盖该区县并获 TV 授权；负荷 0/30（0.0%）、等级 B、同区县；共 1 个候选网点');
  await shot(page, 'routing-1366');
  await page.fill('input[name=product_line]', 'GAME');
  await page.click('form button[type=submit]');
  await page.waitForSelector('text=没有符合条件的网点');
  assert.deepEqual(errors, []);
  await context.close();
});

test('phone layout: the outlet list fits a 390 px screen', async () => {
  const { context, page, errors } = await open('e2e_sup', { width: 390, height: 844 });
  await page.goto(server.url + '/#/outlets');
  await page.waitForSelector('.table-block');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await shot(page, 'list-390');
  await page.goto(server.url + '/#/outlets/coverage');
  await page.waitForSelector('canvas');
  await page.waitForTimeout(300);
  await shot(page, 'coverage-390');
  assert.deepEqual(errors, []);
  await context.close();
});
