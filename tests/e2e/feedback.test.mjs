// Browser test of the voice-of-the-customer screen (issue 13 item 2) in headless
// Chromium: a supervisor filters the feedback list (and its downloads follow the
// filter), opens an item and moves it new -> in progress -> closed, takes feedback at
// the counter; the English screen too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

let server, browser;
const made = {};

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  const pub = async (body) => {
    const x = await server.api('/api/v1/public/feedback', { body });
    assert.equal(x.status, 201, x.text);
    return x.json.code;
  };
  made.kiosk = await pub({ channel: 'kiosk', category: 'suggestion', text: '希望大厅多放几把椅子' });
  made.portal = await pub({ channel: 'portal', category: 'praise', text: '工程师非常耐心' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('filter the feedback, work an item to closed, take one at the counter', async () => {
  await asStaff(browser, server, 'supervisor', '#/feedback', async (page) => {
    await page.locator('tr', { hasText: made.kiosk }).waitFor();
    assert.match(await page.locator('h1').innerText(), /客户之声/);
    assert.match(await page.locator('tr', { hasText: made.kiosk }).innerText(), /自助终端/);
    await page.selectOption('select[name=channel]', 'kiosk');
    await page.locator('tr', { hasText: made.portal }).waitFor({ state: 'detached' });
    const csv = await page.locator('[data-download=voc-csv]').getAttribute('href');
    assert.match(csv, /channel=kiosk/);
    assert.match(csv, /format=csv/);
    assert.match(await page.locator('[data-download=voc-xlsx]').getAttribute('href'), /format=xlsx/);
    await page.locator(`[data-feedback-link=${made.kiosk}]`).click();
    await page.locator('[data-testid=voc-detail][data-status=new]').waitFor();
    await page.locator('[data-move=in_progress]').click();
    await page.locator('[data-testid=voc-detail][data-status=in_progress]').waitFor();
    await page.fill('textarea[name=note]', '已安排增加座椅');
    await page.locator('[data-testid=voc-save]').click();
    await page.locator('.notice', { hasText: '已保存' }).waitFor();
    await page.locator('[data-move=closed]').click();
    await page.locator('[data-testid=voc-detail][data-status=closed]').waitFor();
    assert.equal(await sql(server, `SELECT status || '|' || note FROM feedback WHERE code = '${made.kiosk}'`), 'closed|已安排增加座椅');
    // back to the list: the closed filter shows it
    await page.click('text=返回客户之声');
    await page.selectOption('select[name=status]', 'closed');
    await page.locator('tr', { hasText: made.kiosk }).locator('[data-status=closed]').waitFor();
    // the counter form
    await page.locator('[data-testid=voc-new-toggle]').click();
    await page.selectOption('select[name=new_category]', 'complaint');
    await page.fill('textarea[name=new_text]', '柜台排队时间太长');
    await page.locator('[data-testid=voc-submit]').click();
    await page.locator('.notice', { hasText: '已登记' }).waitFor();
    assert.equal(await sql(server, "SELECT channel || '|' || category || '|' || status FROM feedback WHERE text = '柜台排队时间太长'"), 'counter|complaint|new');
  });
});

test('the voice of the customer in English', async () => {
  await asStaff(browser, server, 'supervisor', '#/feedback', async (page) => {
    const row = page.locator('tr', { hasText: made.portal });
    await row.waitFor();
    assert.match(await page.locator('h1').innerText(), /Voice of the customer/);
    assert.match(await row.innerText(), /Praise/);
    assert.match(await row.innerText(), /Portal/);
  }, { locale: 'en' });
});

test('one feedback list: the orders screen links to it and the old #/orders/feedback lands on it', async () => {
  await asStaff(browser, server, 'supervisor', '#/orders', async (page) => {
    await page.locator('[data-testid=feedback-link]').click();
    await page.locator('[data-testid=voc-filters]').waitFor();
    assert.equal(await page.evaluate(() => location.hash), '#/feedback');
    await page.evaluate(() => { location.hash = '#/orders/feedback'; });
    await page.waitForFunction(() => location.hash === '#/feedback');
    await page.locator('[data-testid=voc-filters]').waitFor();
    await page.locator('tr', { hasText: made.portal }).waitFor();
    assert.equal(await page.locator('[data-downloads=feedback]').count(), 0, 'the old list is gone');
  });
  // warehouse staff, who reached the feedback through the orders screen, keep it
  await asStaff(browser, server, 'warehouse', '#/feedback', async (page) => {
    await page.locator('tr', { hasText: made.portal }).waitFor();
  });
});
