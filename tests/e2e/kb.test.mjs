// Browser test of the information base (issue 14, M2 and M14) in headless Chromium: an
// editor writes an FAQ (the preview shows it; a script in the body is dropped on save)
// and submits it; the editor may not publish, a supervisor does; the lobby kiosk at
// 1080x1920 finds it by a two-character query and opens it; after the idle time
// (?idle=2 here, 60 s by default) the kiosk is back home with every field empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../api/lib/server.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const TITLE = '蓝牙耳机如何配对新手机';
let server, browser, code;

before(async () => {
  server = await startServer({ args: ['--public-rate', '100000'], env: { AFTERSALES_ESCALATION_INTERVAL: '0' } });
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an editor writes and submits an FAQ; a supervisor publishes it', async () => {
  await asStaff(browser, server, 'editor', '#/kb/new', async (page) => {
    await page.waitForSelector('[data-testid=kb-editor]');
    await page.fill('input[name=kb_title]', TITLE);
    await page.click('[data-rt=source][aria-pressed=false]'); // the HTML source, typed as is
    await page.fill('textarea[name=kb_body]', '<p>长按耳机电源键 7 秒进入配对模式，再在手机蓝牙设置中选择 WH-1000XM5。</p><script>alert(1)</script>');
    await page.fill('input[name=kb_models]', 'WH-1000XM5');
    const preview = page.frameLocator('[data-testid=kb-preview]');
    await preview.locator('text=进入配对模式').waitFor();
    await page.click('[data-testid=kb-save]');
    await page.waitForSelector('[data-testid=kb-status][data-status=draft]');
    code = (await page.textContent('h1')).split(' ')[0];
    assert.match(code, /^K\d{6}$/);
    assert.equal(await page.inputValue('textarea[name=kb_body]'), '<p>长按耳机电源键 7 秒进入配对模式，再在手机蓝牙设置中选择 WH-1000XM5。</p>');
    await page.click('[data-step=review]');
    await page.waitForSelector('[data-testid=kb-status][data-status=review]');
    assert.equal(await page.locator('[data-step=published]').count(), 0, 'an editor has no publish button');
  });
  await asStaff(browser, server, 'supervisor', '#/kb', async (page) => {
    await page.click('[data-tab=review]');
    await page.click(`a[data-code=${code}]`);
    await page.click('[data-step=published]');
    await page.waitForSelector('[data-testid=kb-status][data-status=published]');
    // the history shows every version, newest first
    await page.waitForSelector('tbody tr >> nth=2');
    const states = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(states, ['已发布', '待审核', '草稿']);
  });
});

test('the rich-text editor: headings, bold, a list, a link and an uploaded image, stored sanitised', async () => {
  // a 1x1 PNG
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await asStaff(browser, server, 'editor', '#/kb/new', async (page) => {
    await page.waitForSelector('[data-testid=kb-editor]');
    await page.fill('input[name=kb_title]', '富文本测试 ' + TITLE);
    const area = page.locator('[data-testid=rt-area]');
    await area.click();
    await page.keyboard.type('遥控器配对');
    await page.click('[data-rt=h2]');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.click('[data-rt=p]');
    await page.click('[data-rt=bold]');
    await page.keyboard.type('先装电池');
    await page.click('[data-rt=bold]');
    await page.keyboard.press('Enter');
    await page.click('[data-rt=ul]');
    await page.keyboard.type('按住配对键');
    page.once('dialog', (d) => d.accept('javascript:alert(1)'));
    await page.click('[data-rt=link]');
    await page.locator('[data-testid=rt-note]', { hasText: /http/ }).waitFor();
    await page.keyboard.press('End');
    await page.setInputFiles('[data-rt-file]', { name: 'dot.png', mimeType: 'image/png', buffer: png });
    await area.locator('img').waitFor();
    const preview = page.frameLocator('[data-testid=kb-preview]');
    await preview.locator('h2', { hasText: '遥控器配对' }).waitFor();
    await page.click('[data-testid=kb-save]');
    await page.waitForSelector('[data-testid=kb-status][data-status=draft]');
    const saved = (await page.textContent('h1')).split(' ')[0];
    const a = await server.api(`/api/v1/kb/articles/${saved}`, { token: await server.token('editor') });
    assert.equal(a.status, 200, a.text);
    assert.match(a.json.body, /<h2>遥控器配对<\/h2>/);
    assert.match(a.json.body, /<(b|strong)>先装电池<\/(b|strong)>/);
    assert.match(a.json.body, /<ul><li>按住配对键/);
    assert.match(a.json.body, /<img src="\/api\/v1\/public\/kb\/images\/[^"]+"/);
    assert.doesNotMatch(a.json.body, /javascript:/);
    const img = a.json.body.match(/src="([^"]+)"/)[1];
    const got = await fetch(server.url + img);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
  });
});

test('the kiosk (1080x1920) finds it by two characters, and resets after idle', async () => {
  const context = await browser.newContext({ viewport: { width: 1080, height: 1920 }, locale: 'zh-CN', hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url + '/kiosk?idle=2');
    await page.waitForSelector('#kb-q');
    assert.equal(await page.getAttribute('#tab-search', 'aria-selected'), 'true');
    // touch targets are large in kiosk mode
    const box = await page.locator('#tab-news').boundingBox();
    assert.ok(box.height >= 80, `tab height ${box.height}`);
    await page.fill('#kb-q', '配对');
    await page.click('.kb-go');
    await page.waitForSelector(`.kb-item[data-code=${code}]`);
    await page.screenshot({ path: path.join(SHOTS, 'kb-kiosk.png') });
    await page.click(`.kb-item[data-code=${code}]`);
    await page.waitForSelector(`[data-article=${code}]`);
    assert.match(await page.textContent('.kb-body'), /进入配对模式/);
    // another visitor starts typing on the repair status tab, then walks away
    await page.click('#tab-status');
    await page.fill('#code', 'R2611240001');
    await page.fill('#tail', '1234');
    await page.waitForFunction(() => document.querySelector('#tab-search')?.getAttribute('aria-selected') === 'true', null, { timeout: 6000 });
    assert.equal(await page.inputValue('#kb-q'), '');
    assert.equal(await page.locator('#code').count(), 0);
    assert.equal(await page.locator('.kb-item[data-results]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an agent finds internal and public articles from the desk', async () => {
  await asStaff(browser, server, 'agent', '#/kb', async (page) => {
    await page.fill('input[name=kb_q]', '背光');
    await page.click('[data-testid=kb-search] button[type=submit]');
    await page.waitForSelector('[data-testid=kb-search] [data-results]');
    const titles = await page.locator('[data-testid=kb-search] li strong').allTextContents();
    assert.ok(titles.includes('X85K 背光闪烁的检修步骤'), titles.join());
  });
});

test('on a phone, in English: the news and promotions pages list the demo articles and open one', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url + '/portal?tab=news');
    await page.waitForSelector('.kb-item');
    const titles = await page.locator('.kb-title').allTextContents();
    assert.ok(titles.includes('Service hotline hours extended'), titles.join(' | '));
    await page.click('#tab-promotions');
    await page.waitForSelector('.kb-item');
    await page.click('.kb-item >> text=Genuine battery trade-in: 20% off');
    await page.waitForSelector('.kb-article[lang=en]');
    await page.click('.kb-twin');
    await page.waitForSelector('.kb-article[lang=zh-CN]');
    assert.match(await page.textContent('.kb-article h2'), /原装电池以旧换新/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
    await page.screenshot({ path: path.join(SHOTS, 'kb-portal-phone.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
