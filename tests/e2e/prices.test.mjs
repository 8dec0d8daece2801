// Browser test of the price guide and quotes screens (issue 10 items 7 and 8, SPEC
// M8) in headless Chromium: a supervisor filters the price guide and sees a row with
// its labour and cap; a price above the cap and a cap below a price are refused in the
// amount's field; the outlet's technician quotes a paid repair (a level, two parts, an
// unknown part refused on its line) and sees total = labour + parts and the repair
// quoted; the customer's approval is recorded with who and when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const DESKTOP = { width: 1366, height: 768 };
const MODEL = 'XR-75X90L'; // TV line
const PARTS = { 'E2E-MB-1': 12345, 'E2E-KEY-2': 880 };

let server, browser, token, code;

/** Parts in the catalog: `aftersales import parts` when it exists, else SQL. */
async function addParts() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prices-e2e-'));
  const file = path.join(dir, 'parts.csv');
  writeFileSync(file, 'number,description,models,price_fen,superseded_by,source\n' +
    Object.entries(PARTS).map(([n, p]) => `${n},测试零件 ${n},${MODEL},${p},,domestic`).join('\n') + '\n');
  const r = await server.run(['import', 'parts', file]);
  if (r.code === 0) return;
  assert.match(r.stderr, /unknown kind parts/, r.stderr);
  for (const [n, p] of Object.entries(PARTS))
    await sql(server, `INSERT INTO parts (number, description, price_fen, source, created_at, updated_at) VALUES ('${n}', '测试零件', ${p}, 'domestic', 0, 0)`);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  token = await server.token('supervisor');
  await addParts();
  // a paid repair (a model, no registered unit) at O0001, being diagnosed
  let x = await server.api('/api/v1/customers', { token, body: { name: '林黛玉', phone: '13955501234' } });
  assert.equal(x.status, 201, x.text);
  x = await server.api('/api/v1/repairs', { token, body: { customer: x.json.code, model: MODEL, fault: '无图像', outlet: 'O0001' } });
  assert.equal(x.status, 201, x.text);
  code = x.json.code;
  for (const to of ['received', 'diagnosing']) {
    x = await server.api(`/api/v1/repairs/${code}/transitions`, { token, body: { to } });
    assert.equal(x.status, 200, x.text);
  }
  assert.equal(x.json.in_warranty, false);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function staff(login, hash, locale = 'zh-CN') {
  const context = await browser.newContext({ viewport: DESKTOP, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: .* (401|404|422)/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('form button[type=submit]');
  await page.waitForSelector('.topbar');
  await page.goto(server.url + '/' + hash);
  return { context, page, errors };
}

test('the price guide: filter by line, level and region; a row with its labour and cap', async () => {
  const { context, page, errors } = await staff('supervisor', '#/');
  await page.click('nav a[data-route=prices]');
  await page.waitForSelector('[data-region="000000"]');
  await page.selectOption('select[name=product_line]', 'TV');
  await page.selectOption('select[name=level]', 'B');
  await page.fill('input[name=region]', '440000');
  await page.press('input[name=region]', 'Tab');
  await page.waitForSelector('[data-region="310000"]', { state: 'detached' });
  const rows = page.locator('.table-block tbody tr');
  assert.deepEqual(await page.$$eval('.table-block tbody [data-region]', (s) => s.map((x) => x.dataset.region)), ['440000', '440100']);
  const gz = rows.filter({ has: page.locator('[data-region="440100"]') });
  assert.match(await gz.textContent(), /广州市/);
  assert.equal(await gz.locator('[data-labour]').textContent(), '354.00');
  assert.equal(await gz.locator('[data-cap]').textContent(), '382.50'); // the province's cap binds
  const want = await server.api('/api/v1/prices?product_line=TV&level=B&region=440100', { token });
  assert.equal(want.json.items[0].labour_fen, 35400);
  // the downloads carry the filters
  const href = await page.getAttribute('[data-download=prices-csv]', 'href');
  assert.match(href, /product_line=TV/);
  assert.match(href, /level=B/);
  assert.match(href, /region=440000/);
  // the caps
  await page.click('button[data-tab=caps]');
  await page.waitForSelector('[data-downloads=price-caps]');
  assert.deepEqual(await page.$$eval('.table-block tbody [data-region]', (s) => s.map((x) => x.dataset.region)), ['440000']);
  await page.screenshot({ path: path.join(SHOTS, 'prices-guide.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a price above the cap and a cap below a price are refused in the amount field; a price below it is set', async () => {
  const { context, page, errors } = await staff('supervisor', '#/prices');
  await page.waitForSelector('[data-testid=price-form]');
  await page.selectOption('select[name=set_product_line]', 'TV');
  await page.selectOption('select[name=set_level]', 'B');
  await page.fill('input[name=set_region]', '440100');
  await page.fill('input[name=set_amount]', '400');
  await page.click('[data-testid=price-form] button[type=submit]');
  const err = await page.waitForSelector('#f-set_amount-error');
  assert.match(await err.textContent(), /高于地区 440000 的上限 382\.50 元/);
  assert.equal(await page.getAttribute('#f-set_amount', 'aria-invalid'), 'true');
  await page.screenshot({ path: path.join(SHOTS, 'prices-above-cap.png') });
  let x = await server.api('/api/v1/prices?product_line=TV&level=B&region=440100', { token });
  assert.equal(x.json.items[0].labour_fen, 35400, 'nothing changed');
  // a cap below the price
  await page.selectOption('select[name=set_kind]', 'cap');
  await page.fill('input[name=set_amount]', '300');
  await page.click('[data-testid=price-form] button[type=submit]');
  await page.waitForFunction(() => /低于地区 \d{6} 已有的工时价格/.test(document.querySelector('#f-set_amount-error')?.textContent || ''));
  // bad input is refused before it is sent
  await page.selectOption('select[name=set_kind]', 'price');
  await page.fill('input[name=set_amount]', '12.345');
  await page.click('[data-testid=price-form] button[type=submit]');
  await page.waitForFunction(() => /两位小数/.test(document.querySelector('#f-set_amount-error')?.textContent || ''));
  // a price under the cap is stored and listed
  await page.fill('input[name=set_amount]', '360');
  await page.click('[data-testid=price-form] button[type=submit]');
  await page.waitForSelector('[data-testid=price-saved]');
  assert.equal(await page.locator('#f-set_amount-error').count(), 0);
  x = await server.api('/api/v1/prices?product_line=TV&level=B&region=440100', { token });
  assert.equal(x.json.items[0].labour_fen, 36000);
  // the list shows it; its row's "change" fills the form
  await page.selectOption('select[name=product_line]', 'TV');
  await page.waitForSelector('[data-edit="AV-A-000000"]', { state: 'detached' });
  await page.waitForSelector('[data-edit="TV-B-440100"]');
  await page.fill('input[name=set_amount]', '');
  await page.click('[data-edit="TV-B-440100"]');
  await page.waitForFunction(() => document.querySelector('input[name=set_amount]').value === '360.00');
  assert.equal(await page.inputValue('input[name=set_region]'), '440100');
  assert.equal(await page.inputValue('select[name=set_level]'), 'B');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the technician quotes a paid repair: total = labour + parts, the repair is quoted; the approval is recorded', async () => {
  const labour = await server.api(`/api/v1/repairs/${code}/labour`, { token });
  assert.equal(labour.status, 200, labour.text);
  const b = labour.json.levels.find((l) => l.level === 'B').labour_fen;
  const { context, page, errors } = await staff('tech', `#/repairs/${code}`);
  await page.waitForSelector('[data-testid=quote-form]');
  assert.match(await page.textContent('select[name=quote_level] option[value=B]'), new RegExp(`¥${(b / 100).toFixed(2)}`));
  await page.selectOption('select[name=quote_level]', 'B');
  await page.fill('input[name=part_0]', 'E2E-MB-1');
  await page.fill('input[name=qty_0]', '2');
  await page.click('[data-testid=add-part]');
  await page.fill('input[name=part_1]', 'NO-SUCH-PART');
  await page.click('[data-testid=quote-form] button[type=submit]');
  const err = await page.waitForSelector('#f-part_1-error');
  assert.match(await err.textContent(), /目录中没有这个零件/);
  assert.equal(await page.getAttribute('[data-status]', 'data-status'), 'diagnosing');
  await page.fill('input[name=part_1]', 'e2e-key-2');
  await page.click('[data-testid=quote-form] button[type=submit]');
  await page.waitForSelector('.repair-head [data-status=quoted]');
  const charge = page.locator('[data-charge=quote]');
  await charge.waitFor();
  const parts = 2 * PARTS['E2E-MB-1'] + PARTS['E2E-KEY-2'];
  assert.equal(Number(await charge.getAttribute('data-total')), b + parts);
  assert.equal(await charge.locator('[data-labour]').textContent(), `¥${(b / 100).toFixed(2)}`);
  assert.equal(await charge.locator('[data-parts]').textContent(), `¥${(parts / 100).toFixed(2)}`);
  assert.equal(await charge.locator('strong[data-total]').textContent(), `¥${((b + parts) / 100).toFixed(2)}`);
  assert.equal(await charge.locator('[data-part]').count(), 2);
  assert.match(await page.textContent('[data-testid=quote-decision]'), /等待客户答复/);
  assert.equal(await page.locator('[data-testid=quote-form]').count(), 0, 'a quoted repair is not quoted again');
  await page.screenshot({ path: path.join(SHOTS, 'prices-quote-zh.png'), fullPage: true });
  // the customer approves: the ordinary transition button
  await page.click('button[data-to=approved]');
  await page.waitForSelector('.repair-head [data-status=approved]');
  await page.waitForSelector('[data-charge=quote][data-decision=approved]');
  assert.match(await page.textContent('[data-testid=quote-decision]'), /客户已确认：tech/);
  const x = await server.api(`/api/v1/repairs/${code}/charges`, { token });
  assert.equal(x.json.items.at(-1).decision, 'approved');
  assert.equal(x.json.items.at(-1).decided_by, 'tech');
  assert.equal(x.json.items.at(-1).total_fen, b + parts);
  const r = await server.api(`/api/v1/repairs/${code}`, { token });
  assert.equal(r.json.quote_fen, b + parts);
  await page.screenshot({ path: path.join(SHOTS, 'prices-quote-approved.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('an agent sees the quote and its decision but no quote form; in English', async () => {
  const { context, page, errors } = await staff('agent', `#/repairs/${code}`, 'en-US');
  await page.waitForSelector('[data-charge=quote][data-decision=approved]');
  assert.match(await page.textContent('[data-testid=quote-decision]'), /Approved by the customer: tech/);
  assert.equal(await page.locator('[data-testid=quote-form]').count(), 0);
  await page.goto(server.url + '/#/prices');
  await page.waitForSelector('[data-region="000000"]');
  assert.equal(await page.locator('[data-testid=price-form]').count(), 0, 'agents do not set prices');
  assert.match(await page.textContent('main h1'), /Price guide/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an in-warranty repair records its warranty cost instead of a quote', async () => {
  const purchased = new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10);
  let x = await server.api('/api/v1/warranty-registrations', { token,
    body: { name: '薛宝钗', phone: '13955505678', model: MODEL, serial: 'E2E-WC-0001', purchase_date: purchased } });
  assert.equal(x.status, 201, x.text);
  x = await server.api('/api/v1/repairs', { token, body: { customer: x.json.customer?.code || x.json.customer, serial: 'E2E-WC-0001', fault: '无声音', outlet: 'O0001' } });
  assert.equal(x.status, 201, x.text);
  const wcode = x.json.code;
  x = await server.api(`/api/v1/repairs/${wcode}/transitions`, { token, body: { to: 'received' } });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.in_warranty, true);
  const labour = await server.api(`/api/v1/repairs/${wcode}/labour`, { token });
  const a = labour.json.levels.find((l) => l.level === 'A').labour_fen;
  const { context, page, errors } = await staff('tech', `#/repairs/${wcode}`);
  await page.waitForSelector('[data-testid=quote-panel][data-kind=warranty] [data-testid=quote-form]');
  await page.selectOption('select[name=quote_level]', 'A');
  await page.fill('input[name=part_0]', 'E2E-KEY-2');
  await page.click('[data-testid=quote-form] button[type=submit]');
  const charge = page.locator('[data-charge=warranty]');
  await charge.waitFor();
  assert.equal(Number(await charge.getAttribute('data-total')), a + PARTS['E2E-KEY-2']);
  assert.equal(await page.getAttribute('.repair-head [data-status]', 'data-status'), 'received', 'a warranty cost moves nothing');
  assert.equal(await page.locator('[data-testid=quote-decision]').count(), 0);
  x = await server.api(`/api/v1/repairs/${wcode}/charges`, { token });
  assert.equal(x.json.items.length, 1);
  assert.equal(x.json.items[0].kind, 'warranty');
  assert.equal(x.json.items[0].total_fen, a + PARTS['E2E-KEY-2']);
  assert.deepEqual(errors, []);
  await context.close();
});
