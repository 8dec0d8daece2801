// Browser test of the contact-center agent's daily path in headless Chromium: a call
// comes in, the agent finds the caller by phone, opens the card, registers a repair for
// one of their units from the card (customer and unit prefilled) with the routing
// suggestion and its reason shown and overridable, and registers a warranty from the
// card. Also: server field reasons in the user's language, the card's history in the
// user's language with links, the coverage table's headers, the portal's field
// reasons, and no horizontal scrolling at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const PHONE_NO = '13987654321';
const SERIAL = 'E2E-DESK-TV-01';
const NOREGION_PHONE = '13987650000';

let server, browser, agentToken, customer, suggestion;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  agentToken = await server.token('agent');
  // a caller in Xuhui (310104), which the demo network covers for TVs, with a TV
  let x = await server.api('/api/v1/customers', { token: agentToken,
    body: { name: '诸葛明', phone: PHONE_NO, region: '310104' } });
  assert.equal(x.status, 201, x.text);
  customer = x.json.code;
  x = await server.api('/api/v1/warranty-registrations', { token: agentToken,
    body: { customer, model: 'KD-55X85K', serial: SERIAL, purchase_date: '2026-03-01' } });
  assert.equal(x.status, 201, x.text);
  x = await server.api('/api/v1/routing/suggest?region=310104&product_line=TV', { token: agentToken });
  assert.equal(x.status, 200, x.text);
  assert.ok(x.json.candidates.length >= 2, 'the demo network has several TV outlets for Xuhui');
  suggestion = x.json;
  // a caller without a region: cannot be routed
  x = await server.api('/api/v1/customers', { token: agentToken, body: { name: '无地区', phone: NOREGION_PHONE } });
  assert.equal(x.status, 201, x.text);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(url, { viewport = DESKTOP, locale = 'zh-CN', mobile = false } = {}) {
  const context = await browser.newContext({ viewport, locale, isMobile: mobile, hasTouch: mobile });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: .* (401|404|422)/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + url);
  return { context, page, errors };
}

async function staff(login, hash, opts) {
  const o = await open('/', opts);
  await o.page.fill('input[name=login]', login);
  await o.page.fill('input[name=password]', 'demo1234');
  await o.page.click('form button[type=submit]');
  await o.page.waitForSelector('.topbar');
  await o.page.goto(server.url + '/' + hash);
  return o;
}

const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('a call comes in: the agent finds the caller by phone and registers a repair from the card, routed with the reason', async () => {
  const { context, page, errors } = await staff('agent', '#/customers');
  await page.fill('[data-testid=cust-search]', PHONE_NO);
  await page.click(`[data-testid=cust-matches] a[data-code=${customer}]`);
  await page.waitForSelector('[data-testid=cust-card-name]');
  // the card lists the caller's products, each with a shortcut
  await page.waitForSelector(`[data-testid=cust-units] li[data-serial=${SERIAL}]`);
  assert.match(await page.textContent('[data-testid=cust-units]'), /保修至 \d{4}-\d{2}-\d{2} · 保修期内/);
  await page.screenshot({ path: path.join(SHOTS, 'desk-card.png'), fullPage: true });
  await page.click('[data-testid=cust-new-repair]');
  await page.waitForURL(new RegExp(`#/repairs/new\\?customer=${customer}$`));
  await page.waitForSelector('.customer-picked');
  assert.match(await page.textContent('.customer-picked'), /诸葛明/);
  assert.equal(await page.inputValue('select[name=unit]'), SERIAL);
  // the suggested outlet and why, before submitting
  const sug = await page.waitForSelector('[data-testid=routing-suggested]');
  assert.equal(await sug.getAttribute('data-outlet'), suggestion.outlet);
  assert.match(await sug.textContent(), new RegExp(suggestion.outlet));
  const why = await page.textContent('[data-testid=routing-why]');
  assert.match(why, /选择理由：在营、覆盖该区县并获 TV 授权/);
  assert.match(why, new RegExp(`共 ${suggestion.candidates.length} 个候选网点`));
  assert.equal(await page.inputValue('select[name=outlet_choice]'), '');
  await page.screenshot({ path: path.join(SHOTS, 'desk-repair-suggested.png'), fullPage: true });
  await page.fill('textarea[name=fault]', '开机黑屏');
  await page.click('form[aria-label="登记维修"] button[type=submit]');
  await page.waitForURL(/#\/repairs\/R\d+/);
  await page.waitForSelector('.repair-head');
  // routed automatically: the detail says where and why
  assert.match(await page.textContent('.repair-head'), new RegExp(`\\(${suggestion.outlet}\\)`));
  assert.match(await page.textContent('[data-testid=routed-why]'), /选择理由：/);
  await page.screenshot({ path: path.join(SHOTS, 'desk-repair-routed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the agent overrides the suggestion with another candidate', async () => {
  const other = suggestion.candidates[1].code;
  const { context, page, errors } = await staff('agent', `#/repairs/new?customer=${customer}`, { locale: 'en-US' });
  await page.waitForSelector('[data-testid=routing-suggested]');
  assert.match(await page.textContent('[data-testid=routing-why]'), /^Chosen because it is active, covers the county and is authorised for TV/);
  await page.selectOption('select[name=outlet_choice]', other);
  await page.fill('textarea[name=fault]', 'No sound');
  await page.click('form[aria-label="Register a repair"] button[type=submit]');
  await page.waitForURL(/#\/repairs\/R\d+/);
  await page.waitForSelector('.repair-head');
  assert.match(await page.textContent('.repair-head'), new RegExp(`\\(${other}\\)`));
  assert.equal(await page.locator('[data-testid=routed-why]').count(), 0);
  // "another outlet": a typed code, with the server's reason next to the field in the user's language
  await page.goto(server.url + `/#/repairs/new?customer=${customer}`);
  await page.waitForSelector('[data-testid=routing-suggested]');
  await page.selectOption('select[name=outlet_choice]', '__other');
  await page.fill('input[name=outlet]', 'NOPE1');
  await page.fill('textarea[name=fault]', 'No sound');
  await page.click('form[aria-label="Register a repair"] button[type=submit]');
  await page.waitForSelector('#f-outlet-error');
  assert.equal(await page.textContent('#f-outlet-error'), 'Unknown or inactive outlet');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a caller without a region: the form says why there is no suggestion; the reason for the outlet is in Chinese', async () => {
  const { context, page, errors } = await staff('agent', '#/repairs/new');
  await page.fill('input[name=lookup_phone]', NOREGION_PHONE);
  await page.click('form[aria-label="查找客户"] button[type=submit]');
  await page.waitForSelector('.customer-picked');
  await page.fill('input[name=model]', 'KD-55X85K');
  await page.waitForSelector('[data-testid=routing][data-status=need_region]');
  assert.match(await page.textContent('[data-testid=routing-note]'), /客户没有区县级地区代码/);
  await page.fill('textarea[name=fault]', '无图像');
  await page.click('form[aria-label="登记维修"] button[type=submit]');
  await page.waitForSelector('#f-outlet-error');
  assert.equal(await page.textContent('#f-outlet-error'), '必填：客户没有区县级地区代码，无法自动派修');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the agent registers a warranty from the card; the history is in Chinese and links to the records', async () => {
  const { context, page, errors } = await staff('agent', `#/customers/${customer}`);
  await page.click('[data-testid=cust-new-warranty]');
  await page.waitForURL(new RegExp(`#/warranty\\?customer=${customer}$`));
  assert.equal(await page.inputValue('form[aria-label="登记保修"] input[name=customer]'), customer);
  await page.fill('form[aria-label="登记保修"] input[name=model]', 'XR-75X90L');
  await page.fill('form[aria-label="登记保修"] input[name=serial]', 'E2E-DESK-TV-02');
  await page.fill('form[aria-label="登记保修"] input[name=purchase_date]', '2026-05-01');
  await page.click('form[aria-label="登记保修"] button[type=submit]');
  await page.waitForSelector('form[aria-label="登记保修"] [role=status]');
  assert.match(await page.textContent('form[aria-label="登记保修"]'), /已登记，保修至 2028-04-30/);
  await page.goto(server.url + `/#/customers/${customer}`);
  await page.waitForSelector('[data-testid=cust-units] li[data-serial=E2E-DESK-TV-02]');
  await page.waitForSelector('[data-testid=cust-history] a[href^="#/repairs/R"]');
  const history = await page.textContent('[data-testid=cust-history]');
  assert.match(history, /已登记 · /);
  assert.doesNotMatch(history, /\bregistered\b/);
  assert.equal(await page.locator('[data-testid=cust-history] a[href="#/warranty/E2E-DESK-TV-02"]').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('at phone width the card and the repair form fit without sideways scrolling', async () => {
  const { context, page, errors } = await staff('agent', `#/customers/${customer}`, { viewport: PHONE, mobile: true });
  await page.waitForSelector('[data-testid=cust-units] li');
  assert.ok(await noSideScroll(page), 'card scrolls sideways');
  // the language switch stays on one line
  const h = await page.evaluate(() => document.querySelector('.topbar .lang-switch').getBoundingClientRect().height);
  assert.ok(h < 40, `language switch is ${h}px high`);
  await page.screenshot({ path: path.join(SHOTS, 'desk-card-phone.png'), fullPage: true });
  await page.click('[data-testid=cust-new-repair]');
  await page.waitForSelector('[data-testid=routing-suggested]');
  assert.ok(await noSideScroll(page), 'repair form scrolls sideways');
  await page.screenshot({ path: path.join(SHOTS, 'desk-repair-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a caller nobody matches: "new customer" opens the form with the number already typed', async () => {
  const { context, page, errors } = await staff('agent', '#/customers');
  await page.fill('[data-testid=cust-search]', '139 1111 2222');
  await page.click('[data-testid=cust-new-from-search]');
  await page.waitForSelector('[data-testid=cust-form]');
  assert.equal(await page.inputValue('input[name=phone]'), '139 1111 2222');
  await page.fill('input[name=name]', '新来电');
  await page.click('[data-testid=cust-form] button[type=submit]');
  await page.waitForSelector('[data-testid=cust-card-name]');
  assert.equal(await page.textContent('[data-testid=cust-card-name]'), '新来电');
  // a warranty looked up by serial offers a repair for that very unit
  await page.goto(server.url + '/#/warranty/E2E-DESK-TV-02');
  const link = await page.waitForSelector(`a[href^="#/repairs/new?customer=${customer}"]`);
  assert.equal(await link.getAttribute('href'), `#/repairs/new?customer=${customer}&serial=E2E-DESK-TV-02`);
  await link.click();
  await page.waitForSelector('.customer-picked');
  await page.waitForFunction(() => document.querySelector('select[name=unit]')?.value === 'E2E-DESK-TV-02');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the coverage table is labelled in the user\'s language; the staff outlet shows its opening hours; at-risk repairs in Chinese', async () => {
  const { context, page, errors } = await staff('supervisor', '#/outlets/coverage');
  await page.waitForSelector('[data-testid=coverage-summary]');
  const heads = await page.locator('.table th').allTextContents();
  assert.deepEqual(heads.map((s) => s.trim()), ['区划代码', '省份', '已覆盖', '县级区域总数', '覆盖率']);
  assert.equal(await page.locator('a[download="coverage.xlsx"]').textContent(), '下载 Excel');
  await page.goto(server.url + '/#/outlets/O0001');
  await page.waitForSelector('[data-testid=outlet-hours]');
  assert.match(await page.textContent('[data-testid=outlet-hours]'), /营业时间: 每天 08:30-20:30/);
  // the KPI dashboard's repairs about to run late: statuses in Chinese, codes open the repair
  await page.goto(server.url + '/#/kpi');
  await page.waitForSelector('[data-table=at-risk] tbody tr');
  const statuses = await page.locator('[data-table=at-risk] tbody tr td:nth-child(3)').allTextContents();
  assert.ok(statuses.length > 0);
  for (const st of statuses) assert.match(st.trim(), /^(已收件|检测中|已报价|已确认报价|等待零件|维修中)$/);
  await page.click('[data-table=at-risk] tbody tr:first-child a[href^="#/repairs/R"]');
  await page.waitForSelector('.repair-head');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the portal explains a refused phone number in the customer\'s language', async () => {
  const { context, page, errors } = await open('/portal?tab=warranty', { viewport: PHONE, mobile: true });
  await page.waitForSelector('#warranty-form select option[value="XR-75X90L"]', { state: 'attached' });
  await page.fill('#w-name', '赵云');
  await page.fill('#w-phone', '12345');
  await page.selectOption('#w-model', 'XR-75X90L');
  await page.fill('#w-serial', 'E2E-DESK-TV-03');
  await page.fill('#w-date', '2026-02-15');
  await page.click('#warranty-form button[type=submit]');
  await page.waitForSelector('#warranty-answer .answer.bad');
  assert.equal(await page.textContent('#e-phone'), '请填写有效的手机号或座机号码');
  assert.ok(await noSideScroll(page));
  assert.deepEqual(errors, []);
  await context.close();
});
