// Browser test of orders (issue 14, M13) in headless Chromium: a customer places an
// order of accessories on a phone-sized portal, looks it up, changes it; a supervisor
// moves it to shipped on the staff screen and records payment; the customer then sees
// it shipped and can no longer change it. The battery check and feedback pages answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const PHONE = { width: 390, height: 844 };
const MOBILE = '13955507788';
let server, browser, code;

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  assert.equal(await server.stop(), 0);
});

async function portal(query = '', locale = 'zh-CN') {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: .* (404|409|422)/.test(m.text())) errors.push(m.text()); });
  await page.goto(`${server.url}/portal${query}`);
  return { context, page, errors };
}

test('a customer places and changes an order on a phone-sized screen', async () => {
  const { context, page, errors } = await portal('?tab=order');
  await page.fill('#q-ACC-NP-FW50', '2');
  await page.fill('#o-name', '顾小姐');
  await page.fill('#o-phone', MOBILE);
  await page.fill('#o-address', '上海市静安区南京西路 1 号');
  await page.click('#o-place button[type=submit]');
  const placed = page.locator('[data-placed]');
  await placed.waitFor();
  code = await placed.getAttribute('data-placed');
  assert.match(code, /^S\d{10}$/);
  // the lookup opened by itself with the code and tail filled in
  await page.locator(`[data-order="${code}"] .status[data-status=placed]`).waitFor();
  assert.equal(await page.locator('[data-total]').getAttribute('data-total'), String(2 * 39900));
  // nothing wider than the phone
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= PHONE.width, `page is ${wide}px wide on a ${PHONE.width}px phone`);
  await page.fill('[data-line="ACC-NP-FW50"]', '1');
  await page.click('#o-save');
  await page.locator('#o-note').waitFor();
  assert.equal(await page.locator('[data-total]').getAttribute('data-total'), String(39900));
  await page.screenshot({ path: path.join(SHOTS, 'orders-portal-phone.png'), fullPage: true });
  assert.equal(await sql(server, `SELECT total_fen FROM orders WHERE code = '${code}'`), String(39900));
  assert.deepEqual(errors, []);
  await context.close();
});

test('staff ship the order and record payment; the customer sees it shipped and can no longer change it', async () => {
  assert.ok(code);
  await asStaff(browser, server, 'supervisor', `#/orders?status=placed`, async (page) => {
    await page.locator(`[data-order-link="${code}"]`).click();
    for (const to of ['confirmed', 'picked', 'shipped']) {
      await page.locator(`[data-to=${to}]`).click();
      await page.locator(`[data-order="${code}"][data-status=${to}]`).waitFor();
    }
    await page.selectOption('select[name=method]', 'wechat');
    await page.fill('input[name=reference]', 'WX-778899');
    await page.click('[data-testid=record-paid]');
    await page.locator('[data-testid=order-paid]', { hasText: '已付' }).waitFor();
    assert.equal(await page.locator('[data-testid=save-lines]').count(), 0, 'no editing once shipped');
    await page.screenshot({ path: path.join(SHOTS, 'orders-staff-detail.png'), fullPage: true });
  });
  assert.equal(await sql(server, `SELECT status || ' ' || paid || ' ' || pay_method FROM orders WHERE code = '${code}'`), 'shipped 1 wechat');
  const { context, page, errors } = await portal('?tab=order', 'en-US');
  await page.click('[data-lang=en]');
  await page.fill('#o-code', code.toLowerCase());
  await page.fill('#o-tail', MOBILE.slice(-4));
  await page.click('#o-look button[type=submit]');
  await page.locator(`[data-order="${code}"] .status[data-status=shipped]`).waitFor();
  assert.equal(await page.locator('#o-save').count(), 0);
  assert.match(await page.locator('#o-locked').innerText(), /can no longer be changed/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the battery check and the feedback form answer on the phone', async () => {
  const { context, page, errors } = await portal('?tab=battery');
  await page.fill('#b-serial', 'SB10007919');
  await page.click('#b-form button[type=submit]');
  await page.locator('[data-result=genuine]').waitFor();
  await page.fill('#b-serial', 'FAKE-0000');
  await page.click('#b-form button[type=submit]');
  await page.locator('[data-result=unknown]').waitFor();
  await page.click('#tab-feedback');
  await page.selectOption('#f-category', 'praise');
  await page.fill('#f-text', '订购很方便');
  await page.fill('#f-contact', MOBILE);
  await page.click('#f-form button[type=submit]');
  const fb = await page.locator('[data-feedback]').getAttribute('data-feedback');
  assert.match(fb, /^F\d{8}$/);
  assert.equal(await sql(server, `SELECT f.category || ' ' || (f.customer_id IS NOT NULL) FROM feedback f WHERE f.code = '${fb}'`).then((s) => s.replace('true', '1')), 'praise 1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an outlet manager takes an order at the counter; it is reserved at the outlet', async () => {
  await asStaff(browser, server, 'manager', '#/orders', async (page) => {
    await page.click('[data-testid=new-order]');
    await page.fill('input[name=name]', '钱先生');
    await page.fill('input[name=phone]', '13955501122');
    await page.fill('input[name=new_part_0]', 'acc-sf-m128');
    await page.fill('input[name=new_qty_0]', '2');
    await page.click('[data-testid=order-form] button[type=submit]');
    await page.locator('[data-order][data-status=placed]').waitFor();
    const c = await page.locator('[data-order]').getAttribute('data-order');
    assert.equal(await page.locator('[data-testid=order-total]').innerText(), (2 * 459).toFixed(2));
    const row = await sql(server, `SELECT o.channel || ' ' || w.kind || ' ' || (w.outlet_id = o.outlet_id) FROM orders o JOIN warehouses w ON w.id = o.warehouse_id WHERE o.code = '${c}'`);
    assert.match(row, /^outlet outlet (1|t|true)$/);
  });
});
