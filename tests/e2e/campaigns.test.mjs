// Browser test of segments (issue 13 item 5) in headless Chromium: a marketer builds a
// segment on the demo data (region prefix, consent for email), sees its count follow
// the filter and match a count made in SQL, saves it and finds it in the list with its
// downloads; the English screen. (Campaigns, item 6, are not built yet.)
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

test('the segment screen in English', async () => {
  await asStaff(browser, server, 'marketer', '#/campaigns', async (page) => {
    await page.locator('[data-testid=sg-count]').waitFor();
    assert.match(await page.locator('h1').innerText(), /Segments/);
    assert.match(await page.locator('[data-testid=sg-count]').innerText(), /Matching customers: \d+/);
  }, { locale: 'en' });
});
