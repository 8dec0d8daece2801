// Browser test of the outbox screen (issue 11 item 5) in headless Chromium: a
// supervisor sees a sent message (status, attempts, time) and a failed one with its
// error, resends the failed one and sees it queued, then sent; the English screen too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../api/lib/server.mjs';
import { sql } from '../api/repairs-helpers.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const OK_PHONE = '13955507001';
const BAD_PHONE = '13955507002';
let server, browser, gateway, refuse = true;

async function register(phone, serial) {
  const r = await server.api('/api/v1/public/warranty-registrations', {
    body: { name: '唐僧', phone, model: 'HT-A9', serial, purchase_date: '2026-01-10' },
  });
  assert.equal(r.status, 201, r.text);
}

async function statusOf(phone) {
  return sql(server, `SELECT status FROM outbox WHERE recipient = '${phone}'`);
}

async function until(fn, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

before(async () => {
  // the SMS gateway: refuses BAD_PHONE for good (400) until told otherwise
  gateway = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => res.writeHead(refuse && JSON.parse(b).to === BAD_PHONE ? 400 : 200).end('{}'));
  });
  await new Promise((r) => gateway.listen(0, '127.0.0.1', r));
  server = await startServer({
    args: ['--sms-gateway', `http://127.0.0.1:${gateway.address().port}/sms`],
    env: { AFTERSALES_OUTBOX_INTERVAL: '1' },
  });
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  await register(OK_PHONE, 'E2E-OB-0001');
  await register(BAD_PHONE, 'E2E-OB-0002');
  await until(async () => (await statusOf(OK_PHONE)) === 'sent' && (await statusOf(BAD_PHONE)) === 'failed');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => gateway.close(r));
});

test('the outbox shows a sent message and resends a failed one', async () => {
  await asStaff(browser, server, 'supervisor', '#/outbox', async (page) => {
    const okRow = page.locator('tr', { hasText: OK_PHONE });
    await okRow.waitFor();
    assert.equal(await okRow.locator('[data-status]').getAttribute('data-status'), 'sent');
    assert.match(await okRow.innerText(), /已发送/);
    assert.match(await okRow.innerText(), /保修登记确认/);
    assert.equal(await okRow.locator('[data-resend]').count(), 0, 'a sent message has no resend button');
    const badRow = page.locator('tr', { hasText: BAD_PHONE });
    assert.match(await badRow.innerText(), /发送失败/);
    assert.match(await badRow.innerText(), /HTTP 400/);
    // the status filter
    await page.selectOption('select[name=status]', 'failed');
    await page.locator('tr', { hasText: OK_PHONE }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr', { hasText: BAD_PHONE }).count(), 1);
    const csv = await page.locator('[data-download=outbox-csv]').getAttribute('href');
    assert.match(csv, /status=failed/);
    assert.match(csv, /format=csv/);
    // resend: queued again, then sent by the sender
    refuse = false;
    await page.selectOption('select[name=status]', '');
    await page.locator('tr', { hasText: BAD_PHONE }).locator('[data-resend]').click();
    await page.locator('.notice', { hasText: '已重新排队发送' }).waitFor();
    await until(async () => (await statusOf(BAD_PHONE)) === 'sent');
    await page.reload();
    const again = page.locator('tr', { hasText: BAD_PHONE });
    await again.locator('[data-status=sent]').waitFor();
    assert.equal(await again.locator('[data-resend]').count(), 0);
  });
});

test('the outbox in English', async () => {
  await asStaff(browser, server, 'supervisor', '#/outbox', async (page) => {
    const row = page.locator('tr', { hasText: OK_PHONE });
    await row.waitFor();
    assert.match(await page.locator('h1').innerText(), /Outbox/);
    assert.match(await row.innerText(), /Sent/);
    assert.match(await row.innerText(), /Warranty confirmation/);
  }, { locale: 'en' });
});
