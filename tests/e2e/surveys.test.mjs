// Browser test of the satisfaction surveys (issue 13, M11) in headless Chromium: a
// customer answers a survey from its link on a phone-sized screen (questions in zh-CN,
// then English; the link then says it was used); an agent works a call-back task (the
// script, the answers taken on the phone); a supervisor sees the outlet ranking with
// each axis and the total, the downloads and the outlet's trend chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const PHONE = { width: 390, height: 844 };
let server, browser, admin, token;

before(async () => {
  server = await startServer({ args: ['--public-rate', '100000'] });
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  admin = await server.token('admin');
  const c = await server.api('/api/v1/customers', { token: admin, body: { name: '薛宝钗', phone: '13955507777', email: 'baochai@example.com' } });
  assert.equal(c.status, 201, c.text);
  const t = Math.floor(Date.now() / 1000);
  await sql(server, `INSERT INTO customer_consents (customer_id, channel, granted, updated_at, updated_by) SELECT id, 'email', 1, 0, 'e2e' FROM customers WHERE code = '${c.json.code}'`);
  await sql(server, `INSERT INTO repairs (code, customer_id, outlet_id, status, fault, registered_at, received_at, repaired_at, created_at, updated_at)
    SELECT 'RE2ESV1', c.id, o.id, 'repaired', '无声音', ${t}, ${t}, ${t}, ${t}, ${t} FROM customers c, outlets o WHERE c.code = '${c.json.code}' AND o.code = 'O0001'`);
  const d = await server.api('/api/v1/repairs/RE2ESV1/transitions', { token: admin, body: { to: 'delivered' } });
  assert.equal(d.status, 200, d.text);
  const payload = await sql(server, `SELECT payload FROM outbox WHERE template = 'survey_invitation' AND recipient = 'baochai@example.com'`);
  token = JSON.parse(payload).link.split('#')[1];
  // a customer with no consent asked: a call-back task
  const c2 = await server.api('/api/v1/customers', { token: admin, body: { name: '林黛玉', phone: '13955508888' } });
  assert.equal(c2.status, 201, c2.text);
  await sql(server, `INSERT INTO repairs (code, customer_id, outlet_id, status, fault, registered_at, received_at, repaired_at, created_at, updated_at)
    SELECT 'RE2ESV2', c.id, o.id, 'repaired', '无图像', ${t}, ${t}, ${t}, ${t}, ${t} FROM customers c, outlets o WHERE c.code = '${c2.json.code}' AND o.code = 'O0001'`);
  assert.equal((await server.api('/api/v1/repairs/RE2ESV2/transitions', { token: admin, body: { to: 'delivered' } })).status, 200);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a customer answers a survey from its link on a phone-sized screen, once', async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}/portal/survey.html#${token}`);
    await page.waitForSelector('fieldset[data-q=overall]');
    assert.match(await page.textContent('fieldset[data-q=overall] legend'), /总体而言/);
    await page.click('button[data-lang=en]');
    assert.equal(await page.textContent('fieldset[data-q=overall] legend'), 'Overall, how satisfied are you with this service?');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on a phone');
    // sending with a question unanswered is refused on the page
    await page.click('button.send');
    assert.equal(await page.textContent('.err'), 'Please score every question.');
    for (const [q, v] of [['first_impression', 5], ['repair_time', 4], ['attitude', 5], ['overall', 5], ['nps', 9]])
      await page.click(`fieldset[data-q=${q}] label:has(input[value="${v}"])`);
    await page.fill('textarea[name=comment]', '工程师很专业');
    await page.click('button.send');
    await page.waitForSelector('[data-state=done]');
    assert.equal(await page.textContent('[data-state=done]'), 'Thank you for your feedback!');
    assert.equal(await sql(server, `SELECT CAST(q_first AS TEXT) || CAST(q_time AS TEXT) || CAST(q_attitude AS TEXT) || CAST(q_overall AS TEXT) || ' ' || CAST(nps AS TEXT) || ' ' || comment FROM surveys s JOIN repairs r ON r.id = s.repair_id WHERE r.code = 'RE2ESV1'`), '5455 9 工程师很专业');
    await page.reload();
    await page.waitForSelector('[data-state=gone]');
    assert.match(await page.textContent('[data-state=gone]'), /used already or has expired/);
    await page.goto(`${server.url}/portal/survey.html#${token.slice(0, -2)}00`);
    await page.waitForSelector('[data-state=missing]');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an agent works a call-back task: the script, then the answers taken on the phone', async () => {
  const code = await sql(server, `SELECT s.code FROM surveys s JOIN repairs r ON r.id = s.repair_id WHERE r.code = 'RE2ESV2' AND s.channel = 'callback' AND s.status = 'open'`);
  assert.ok(code, 'the delivery made a call-back task');
  await asStaff(browser, server, 'agent', '#/surveys', async (page) => {
    await page.waitForSelector(`a[href="#/surveys/${code}"]`);
    await page.waitForSelector('[data-downloads=survey-callbacks] [data-format=xlsx]');
    await page.click(`a[href="#/surveys/${code}"]`);
    await page.waitForSelector('.sv-script');
    assert.match(await page.textContent('.sv-script'), /售后服务中心/);
    for (const q of ['first_impression', 'repair_time', 'attitude', 'overall'])
      await page.selectOption(`form[data-form=call] select[name=${q}]`, '4');
    await page.fill('form[data-form=call] input[name=note]', '客户满意');
    await page.click('form[data-form=call] button[type=submit]');
    await page.waitForSelector('[data-answers]');
    assert.equal(await page.textContent('[data-status]'), '已回复');
  });
  assert.equal(await sql(server, `SELECT status || ' ' || CAST(q_overall AS TEXT) || ' ' || answered_via FROM surveys WHERE code = '${code}'`), 'answered 4 callback');
});

test('a supervisor sees the outlet ranking: each axis, the total, the downloads and the trend chart', async () => {
  const year = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4);
  const to = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const api = await server.api(`/api/v1/kpi/ranking?from=${year}-01-01&to=${to}`, { token: admin });
  assert.equal(api.status, 200, api.text);
  assert.ok(api.json.items.length >= 2, 'the demo has outlets to rank');
  const top = api.json.items[0];
  await asStaff(browser, server, 'supervisor', '#/ranking', async (page) => {
    await page.waitForSelector('[data-table=ranking] tbody tr');
    const first = await page.$$eval('[data-table=ranking] tbody tr:first-child td', (tds) => tds.map((td) => td.textContent.trim()));
    const f = (v) => (v === null ? '—' : v.toFixed(1));
    assert.deepEqual(first, ['1', top.outlet, top.name, f(top.quality), f(top.parts), f(top.contact), f(top.cost), f(top.total)]);
    assert.deepEqual(await page.$$eval('[data-table=ranking] thead th', (ths) => ths.map((th) => th.textContent.trim())),
      ['名次', '网点', '名称', '维修质量', '配件供应', '客户接触质量', '服务成本', '总分']);
    await page.waitForSelector(`[data-trend="${top.outlet}"] canvas`);
    await page.waitForSelector('[data-downloads=outlet-ranking] [data-format=csv]');
    // weights are read-only for a supervisor
    assert.equal(await page.getAttribute('input[name=w-quality]', 'disabled'), '');
    const second = api.json.items[1].outlet;
    await page.click(`[data-table=ranking] a[data-outlet="${second}"]`);
    await page.waitForSelector(`[data-trend="${second}"] canvas`);
  });
  await asStaff(browser, server, 'admin', '#/ranking', async (page) => {
    await page.waitForSelector('input[name=w-contact]');
    await page.fill('input[name=w-quality]', '0');
    await page.fill('input[name=w-parts]', '0');
    await page.fill('input[name=w-cost]', '0');
    await page.fill('input[name=w-contact]', '100');
    await page.click('form[data-form=weights] button[type=submit]');
    await page.waitForSelector('form[data-form=weights] .notice, form[data-form=weights] [role=status]');
  });
  const w = await server.api('/api/v1/kpi/ranking/weights', { token: admin });
  assert.deepEqual(w.json, { quality: 0, parts: 0, contact: 100, cost: 0 });
});

test('an outlet manager marks an on-site visit done on the outlet screen; its customer is surveyed', async () => {
  const c = await server.api('/api/v1/customers', { token: admin, body: { name: '贾探春', phone: '13955509999' } });
  assert.equal(c.status, 201, c.text);
  const t = Math.floor(Date.now() / 1000);
  await sql(server, `INSERT INTO repairs (code, customer_id, outlet_id, kind, status, fault, registered_at, received_at, created_at, updated_at)
    SELECT 'RE2ESV3', c.id, o.id, 'on_site', 'repairing', '不制冷', ${t}, ${t}, ${t}, ${t} FROM customers c, outlets o WHERE c.code = '${c.json.code}' AND o.code = 'O0001'`);
  // tomorrow 10:00 in Shanghai (the screen shows tomorrow's appointments first)
  const day = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const at = Date.parse(`${day}T10:00:00+08:00`) / 1000;
  await sql(server, `INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at, repair_code, created_at)
    SELECT 'AE2ESV3', t.id, t.outlet_id, ${at}, ${at + 3600}, 'RE2ESV3', ${t} FROM technicians t JOIN outlets o ON o.id = t.outlet_id WHERE o.code = 'O0001' ORDER BY t.id LIMIT 1`);
  await asStaff(browser, server, 'manager', '#/outlets/O0001', async (page) => {
    await page.click('[data-complete=AE2ESV3]');
    await page.waitForSelector('[data-testid=appointments] tr:has-text("AE2ESV3") td:has-text("是")');
  });
  assert.equal(await sql(server, `SELECT s.kind || ' ' || s.channel FROM surveys s JOIN appointments a ON a.id = s.appointment_id WHERE a.code = 'AE2ESV3'`), 'visit callback');
});
