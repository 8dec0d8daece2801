// Browser test of market research (issue 13 item 7, M12) in headless Chromium: a
// marketer builds a questionnaire (single choice, scale, text), edits the draft and
// sends it to a segment; the customer answers it from the link on a phone-sized screen
// (then the link says it was used); a supervisor sees the counts and the bar charts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const PHONE = { width: 390, height: 844 };
let server, browser, segment, customer;

before(async () => {
  server = await startServer({ args: ['--public-rate', '100000'] });
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  const admin = await server.token('admin');
  const c = await server.api('/api/v1/customers', { token: admin, body: { name: '史湘云', phone: '13955509999', email: 'xiangyun@example.com', region: '540102' } });
  assert.equal(c.status, 201, c.text);
  customer = c.json.code;
  assert.equal((await server.api(`/api/v1/customers/${customer}/consents`, { token: admin, method: 'PUT', body: { email: true } })).status, 200);
  const seg = await server.api('/api/v1/segments', { token: await server.token('marketer'), body: { name: '西藏调研', filter: { region: '54', consent: ['email'] } } });
  assert.equal(seg.status, 201, seg.text);
  assert.equal(seg.json.count, 1);
  segment = seg.json.code;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

let code;

test('a marketer builds a questionnaire, edits the draft and sends it to a segment', async () => {
  await asStaff(browser, server, 'marketer', '#/research', async (page) => {
    await page.fill('input[name=title_zh]', '新品调研');
    await page.fill('input[name=title_en]', 'New product research');
    await page.fill('input[name=q1_zh]', '您最常用哪种产品？');
    await page.fill('input[name=q1_en]', 'Which product do you use most?');
    await page.fill('textarea[name=q1_options_zh]', '电视\n相机\n耳机');
    await page.fill('textarea[name=q1_options_en]', 'TV\nCamera\nHeadphones');
    await page.check('input[name=q1_required]');
    await page.click('[data-add-question]');
    await page.selectOption('select[name=q2_kind]', 'scale');
    await page.fill('input[name=q2_zh]', '满意程度');
    await page.fill('input[name=q2_en]', 'How satisfied are you?');
    await page.click('[data-add-question]');
    await page.selectOption('select[name=q3_kind]', 'text');
    await page.fill('input[name=q3_zh]', '其他建议');
    await page.fill('input[name=q3_en]', 'Anything else?');
    await page.click('[data-create-questionnaire]');
    await page.locator('.notice, [role=status]').first().waitFor();
    code = await sql(server, `SELECT code FROM questionnaires WHERE title_zh = '新品调研'`);
    assert.ok(code, 'saved');
    const q = JSON.parse(await sql(server, `SELECT questions FROM questionnaires WHERE code = '${code}'`));
    assert.deepEqual(q.map((x) => x.kind), ['single', 'scale', 'text']);
    assert.deepEqual(q[0].options.map((o) => o.en), ['TV', 'Camera', 'Headphones']);
    assert.deepEqual([q[1].min, q[1].max], [1, 5]);
    // a draft is edited in the builder (PUT with its version)
    await page.click(`[data-edit="${code}"]`);
    await page.locator(`[data-editing="${code}"]`).waitFor();
    assert.equal(await page.inputValue('textarea[name=q1_options_en]'), 'TV\nCamera\nHeadphones');
    await page.fill('input[name=title_en]', 'New product survey');
    await page.click('[data-create-questionnaire]');
    await page.locator('[data-editing=""]').waitFor();
    assert.equal(await sql(server, `SELECT title_en || ' ' || CAST(version AS TEXT) FROM questionnaires WHERE code = '${code}'`), 'New product survey 2');
    await page.locator(`[data-send-for="${code}"] select[name=send_segment] option[value="${segment}"]`).waitFor({ state: 'attached' });
    await page.selectOption(`[data-send-for="${code}"] select[name=send_segment]`, segment);
    await page.selectOption(`[data-send-for="${code}"] select[name=send_channel]`, 'email');
    await page.click(`[data-send="${code}"]`);
    await page.getByText('已发送给 1 位客户').waitFor();
    await page.locator(`[data-results="${code}"] [data-testid=rs-rate][data-recipients="1"]`).waitFor();
  });
});

test('the customer answers from the link on a phone-sized screen, once; a supervisor sees the counts', async () => {
  assert.ok(code, 'the first test sent it');
  const payload = JSON.parse(await sql(server, `SELECT payload FROM outbox WHERE template = 'research_invitation' AND recipient = 'xiangyun@example.com'`));
  const token = payload.link.split('#')[1];
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}/portal/research.html#${token}`);
    await page.waitForSelector('fieldset[data-q="1"]');
    assert.match(await page.textContent('fieldset[data-q="1"] legend'), /您最常用哪种产品？/);
    await page.click('button[data-lang=en]');
    assert.match(await page.textContent('fieldset[data-q="1"] legend'), /Which product do you use most\?/);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on a phone');
    await page.click('button.send');
    assert.equal(await page.textContent('.err'), 'Please answer every question marked *.');
    await page.click('fieldset[data-q="1"] label:has-text("Camera")');
    await page.click('fieldset[data-q="2"] label:has(input[value="4"])');
    await page.fill('textarea[name=q3]', '希望有更多门店');
    await page.click('button.send');
    await page.waitForSelector('[data-state=done]');
    assert.equal(await page.textContent('[data-state=done]'), 'Thank you for taking part!');
    await page.reload();
    await page.waitForSelector('[data-state=gone]');
    await page.goto(`${server.url}/portal/research.html#${token.slice(0, -2)}00`);
    await page.waitForSelector('[data-state=missing]');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
  await asStaff(browser, server, 'supervisor', '#/research', async (p) => {
    assert.equal(await p.locator('[data-create-questionnaire]').count(), 0, 'supervisors read only');
    await p.click(`[data-results-of="${code}"]`);
    await p.locator('[data-testid=rs-rate][data-responses="1"][data-recipients="1"]').waitFor();
    assert.match(await p.locator('[data-testid=rs-rate]').innerText(), /回收率 100\.0%/);
    assert.equal(await p.getAttribute('[data-qno="1"]', 'data-counts'), '[0,1,0]');
    assert.equal(await p.getAttribute('[data-qno="2"]', 'data-counts'), '[0,0,0,1,0]');
    assert.equal(await p.getAttribute('[data-qno="3"]', 'data-counts'), '["希望有更多门店"]');
    assert.equal(await p.locator('[data-qno="1"] canvas').count(), 1);
    assert.equal(await p.locator('[data-qno="2"] canvas').count(), 1);
    assert.equal(await p.locator('[data-downloads=questionnaire-answers] [data-format=xlsx]').count(), 1);
  });
});

test('a recipient whose invitation bounced shows so in the results, with the outbox error', async () => {
  const marketer = await server.token('marketer');
  const bi = (zh, en) => ({ zh, en });
  const q = await server.api('/api/v1/questionnaires', { token: marketer, body: { title: bi('退信调研', 'Bounce research'), questions: [{ kind: 'text', text: bi('建议', 'Ideas') }] } });
  assert.equal(q.status, 201, q.text);
  assert.equal((await server.api(`/api/v1/questionnaires/${q.json.code}/send`, { token: marketer, body: { segment, channel: 'email', version: 1 } })).status, 200);
  await sql(server, `UPDATE outbox SET status = 'bounced', last_error = 'bounced: 5.1.1' WHERE id = (SELECT r.outbox_id FROM research_recipients r JOIN questionnaires k ON k.id = r.questionnaire_id WHERE k.code = '${q.json.code}')`);
  await asStaff(browser, server, 'supervisor', '#/research', async (p) => {
    await p.click(`[data-results-of="${q.json.code}"]`);
    await p.locator(`[data-results="${q.json.code}"] [data-testid=rs-undelivered]`).waitFor();
    assert.equal(await p.locator('[data-testid=rs-undelivered]').innerText(), '未送达 1');
    const row = p.locator(`[data-results="${q.json.code}"] tr:has([data-rstatus=bounced])`);
    assert.match(await row.innerText(), /被退回[\s\S]*退信[\s\S]*bounced: 5\.1\.1/);
  });
});
