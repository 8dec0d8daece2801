// Browser test of segments (issue 13 item 5) in headless Chromium: a marketer builds a
// segment on the demo data (region prefix, consent for email), sees its count follow
// the filter and match a count made in SQL, saves it and finds it in the list with its
// downloads; launches a phone campaign on a segment, records a call's outcome and sees
// the results funnel; the English screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const alive = 'merged_into IS NULL AND erased_at IS NULL';

test('build a segment and see its count, then save it', async () => {
  const all = Number(await sql(server, `SELECT COUNT(*) FROM customers WHERE ${alive}`));
  const region = (await sql(server, `SELECT substr(region, 1, 2) FROM customers WHERE ${alive} AND region IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1`));
  const inRegion = Number(await sql(server, `SELECT COUNT(*) FROM customers WHERE ${alive} AND region LIKE '${region}%'`));
  const withEmail = Number(await sql(server, `SELECT COUNT(*) FROM customers c WHERE ${alive} AND region LIKE '${region}%' AND EXISTS (SELECT 1 FROM customer_consents k WHERE k.customer_id = c.id AND k.channel = 'email' AND k.granted = 1)`));
  assert.ok(all > inRegion && inRegion > 0, `demo data: ${all} customers, ${inRegion} in ${region}`);
  await asStaff(browser, server, 'marketer', '#/campaigns', async (page) => {
    const count = page.locator('[data-testid=sg-count]');
    await page.locator(`[data-testid=sg-count][data-count="${all}"]`).waitFor();
    assert.match(await count.innerText(), new RegExp(`符合条件的客户: ${all}`));
    await page.fill('input[name=region]', region);
    await page.locator(`[data-testid=sg-count][data-count="${inRegion}"]`).waitFor();
    await page.check('input[name=consent-email]');
    await page.locator(`[data-testid=sg-count][data-count="${withEmail}"]`).waitFor();
    assert.equal(await page.locator('table').first().locator('tbody tr').count(), Math.min(20, withEmail));
    await page.fill('input[name=region]', '1');
    await page.locator('.field-invalid input[name=region]').waitFor();
    await page.fill('input[name=region]', region);
    await page.fill('input[name=segment_name]', 'E2E 邮件客户');
    await page.click('[data-save]');
    await page.locator('.notice', { hasText: '已保存' }).waitFor();
    const row = page.locator('tr', { hasText: 'E2E 邮件客户' });
    await row.waitFor();
    assert.match(await row.innerText(), /"consent":\["email"\]/);
    assert.match(await page.locator('[data-download=segments-csv]').getAttribute('href'), /format=csv/);
  });
  const saved = await sql(server, `SELECT filter FROM segments WHERE name = 'E2E 邮件客户'`);
  assert.deepEqual(JSON.parse(saved), { consent: ['email'], region });
});

test('launch a phone campaign and record an outcome', async () => {
  const token = await server.token('marketer');
  const seg = await server.api('/api/v1/segments', { token, body: { name: 'E2E 电话客户', filter: { consent: ['phone'] } } });
  assert.equal(seg.status, 201, seg.text);
  const want = Number(await sql(server, `SELECT COUNT(*) FROM customers c WHERE ${alive} AND EXISTS (SELECT 1 FROM customer_consents k WHERE k.customer_id = c.id AND k.channel = 'phone' AND k.granted = 1) AND EXISTS (SELECT 1 FROM customer_phones p WHERE p.customer_id = c.id)`));
  assert.ok(want > 0, 'demo customers with phone consent');
  await asStaff(browser, server, 'marketer', '#/campaigns', async (page) => {
    await page.locator(`select[name=campaign_segment] option[value="${seg.json.code}"]`).waitFor({ state: 'attached' });
    await page.fill('input[name=campaign_name]', 'E2E 回访活动');
    await page.selectOption('select[name=campaign_segment]', seg.json.code);
    await page.selectOption('select[name=campaign_channel]', 'phone');
    await page.fill('input[name=campaign_title]', '新品体验');
    await page.fill('textarea[name=campaign_message]', '您好，这里是售后服务中心，邀请您体验新品。');
    await page.click('[data-create-campaign]');
    await page.locator('.notice', { hasText: '已创建' }).waitFor();
    const row = page.locator('tr', { hasText: 'E2E 回访活动' });
    await row.locator('[data-launch]').click();
    await page.locator('.notice', { hasText: `活动已启动: ${want} 位客户` }).waitFor();
    const section = page.locator('section[data-campaign]');
    await section.locator('[data-record]').first().waitFor();
    const first = section.locator('[data-target]').first();
    const customer = await first.getAttribute('data-target');
    await first.locator('select[name=outcome]').selectOption('interested');
    await first.locator('[data-record]').click();
    const done = section.locator('tr', { hasText: customer });
    await done.locator('[data-status=responded]').waitFor();
    assert.match(await done.innerText(), /有兴趣/);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-chart=funnel]');
      return el && JSON.parse(el.dataset.results).responded === 1;
    });
    const results = JSON.parse(await section.locator('[data-chart=funnel]').getAttribute('data-results'));
    assert.equal(results.targets, want);
    assert.equal(results.reached, 1);
  });
  const stored = await sql(server, `SELECT t.status || ' ' || t.attempts || ' ' || t.outcome FROM campaign_targets t JOIN campaigns k ON k.id = t.campaign_id WHERE k.name = 'E2E 回访活动' AND t.attempts > 0`);
  assert.equal(stored, 'responded 1 interested');
});

test('an agent works the phone list from the call lists: records an outcome and a call-back', async () => {
  const code = await sql(server, `SELECT code FROM campaigns WHERE name = 'E2E 回访活动'`);
  assert.ok(code, 'the launched phone campaign of the test before');
  await asStaff(browser, server, 'agent', '#/call-lists', async (page) => {
    const row = page.locator('tr', { hasText: 'E2E 回访活动' });
    await row.locator(`[data-open="${code}"]`).click();
    const section = page.locator(`section[data-campaign="${code}"]`);
    const target = section.locator('[data-target]').nth(1);
    await target.waitFor();
    const customer = await target.getAttribute('data-target');
    await target.locator('select[name=outcome]').selectOption('callback');
    await target.locator('input[name=next_call_at]').fill('2031-05-06T10:30');
    await target.locator('[data-record]').click();
    await section.locator('tr', { hasText: customer }).locator('text=/2031/').waitFor();
  });
  const stored = await sql(server, `SELECT t.attempts || ' ' || t.outcome || ' ' || (t.next_call_at IS NOT NULL) FROM campaign_targets t JOIN campaigns k ON k.id = t.campaign_id JOIN customers c ON c.id = t.customer_id WHERE k.name = 'E2E 回访活动' AND t.outcome = 'callback'`);
  assert.equal(stored, '1 callback 1');
});

test('the segment screen in English', async () => {
  await asStaff(browser, server, 'marketer', '#/campaigns', async (page) => {
    await page.locator('[data-testid=sg-count]').waitFor();
    assert.match(await page.locator('h1').innerText(), /Segments/);
    assert.match(await page.locator('[data-testid=sg-count]').innerText(), /Matching customers: \d+/);
  }, { locale: 'en' });
});
