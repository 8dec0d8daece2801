// The mail screens in headless Chromium (issue 11 item 4): a GBK message with an
// RFC 2231 GBK attachment stored by `aftersales mail-in` is listed under its customer,
// opens with its decoded subject, sender and body, and its attachment, the raw message
// and the list's CSV download what the server stored; in zh-CN and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../api/lib/server.mjs';
import { launch, asStaff } from './lib/browser.mjs';
import { message, wordB, ext2231 } from '../api/mail-helpers.mjs';

let server, browser, id, customer;
const PDF = Buffer.concat([Buffer.from('%PDF-1.4 '), Buffer.from([0, 0xff, 0x80, 1])]);

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  const token = await server.token('agent');
  const c = await server.api('/api/v1/customers', { token, body: { name: '邮件 客户', email: 'mail.e2e@example.com' } });
  assert.equal(c.status, 201, c.text);
  customer = c.json.code;
  const m = await server.run(['mail-in'], { input: message({
    from: `${wordB('邮件客户', 'GBK', 'gb2312')} <mail.e2e@example.com>`, subject: wordB('电视没有声音', 'GBK', 'gb2312'),
    body: { text: '您好，喆堃的电视没有声音。', charset: 'GBK', label: 'gb2312' },
    attachments: [{ type: 'application/pdf', filenameParam: `filename*=${ext2231('发票.pdf', 'GBK')}`, data: PDF }] }) });
  assert.equal(m.code, 0, m.stderr);
  id = /stored mail (\d+)/.exec(m.stdout)[1];
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the list of a customer\'s mail opens the message; the attachment and the CSV download', async () => {
  await asStaff(browser, server, 'agent', `#/mail?customer=${customer}`, async (page) => {
    const link = page.locator(`[data-mail="${id}"]`);
    await link.waitFor();
    assert.equal(await link.textContent(), '电视没有声音');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=mail-csv]')]);
    const text = readFileSync(await csv.path(), 'utf8');
    assert.match(text, /电视没有声音/);
    assert.equal(text.trim().split('\r\n').length, 2, 'the header and the one message of this customer');
    await link.click();
    await page.waitForSelector(`[data-mail-view="${id}"]`);
    assert.equal(await page.textContent('h1'), '电视没有声音');
    assert.equal(await page.textContent('[data-from]'), '邮件客户 <mail.e2e@example.com>');
    assert.equal(await page.textContent('[data-body]'), '您好，喆堃的电视没有声音。');
    assert.equal(await page.textContent('[data-attachment="1"]'), '发票.pdf');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-attachment="1"]')]);
    assert.deepEqual(readFileSync(await dl.path()), PDF);
    assert.equal(dl.suggestedFilename(), '发票.pdf');
  });
});

test('the message view in English', async () => {
  await asStaff(browser, server, 'agent', `#/mail/${id}`, async (page) => {
    await page.waitForSelector(`[data-mail-view="${id}"]`);
    const body = await page.textContent('body');
    assert.match(body, /Attachments/);
    assert.match(body, /Message · Sender address · Acknowledged automatically/);
  }, { locale: 'en-US' });
});
