// Browser test of the customer master (M1): type a phone in the search box, see the
// customer as a strong match with why, open the card (identities, consent, history);
// the create form's field errors and duplicate refusal; the merge dialog side by side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';
import zh from '../../web/i18n/zh-CN.js';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const PASSWORD = 'Customers-e2e-2024!';

let server, browser, token;
const made = {};

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  server = await startServer();
  await server.addUser('e2e_agent', 'agent', undefined, PASSWORD);
  await server.addUser('e2e_sup', 'supervisor', undefined, PASSWORD);
  token = await server.token('agent');
  const mk = async (body) => {
    const r = await server.api('/api/v1/customers', { token, body: { ...body, force: true } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  made.zhang = await mk({ name: '张伟', phone: '13800138000', email: 'zhang.wei@example.com', region: '310104', address: '上海市徐汇区漕溪北路 88 号' });
  made.zhang2 = await mk({ name: '張偉', phone: '13900008000', region: '310104' });
  made.li = await mk({ name: '李娜', phone: '021-6234 5678' });
  await server.api(`/api/v1/customers/${made.zhang.code}/consents`, { token, method: 'PUT', body: { sms: true, email: false } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openAs(login) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForSelector('.topbar');
  return { context, page, errors };
}

test('type a phone in the search box, see the customer with why, open the card', async () => {
  const { context, page, errors } = await openAs('e2e_agent');
  try {
    await page.click('nav a[data-route=customers]');
    await page.waitForURL(/#\/customers$/);
    const box = page.locator('[data-testid=cust-search]');
    await box.fill('+86 138-0013-8000');
    const row = page.locator(`[data-testid=cust-matches] a[data-code=${made.zhang.code}]`);
    await row.waitFor();
    assert.match(await row.textContent(), /张伟/);
    assert.match(await row.textContent(), new RegExp(zh['cust.strong'] ?? '确定匹配'));
    assert.match(await row.textContent(), /电话相同/);
    await page.screenshot({ path: path.join(SHOTS, 'aftersales-e2e-customers-search.png') });

    // a name in traditional characters lists both namesakes as possible matches
    await box.fill('張偉');
    await page.locator(`[data-testid=cust-matches] a[data-code=${made.zhang2.code}]`).waitFor();
    await page.locator(`[data-testid=cust-matches] a[data-code=${made.zhang.code}]`).waitFor();
    assert.match(await page.locator('[data-testid=cust-matches]').textContent(), /可能匹配/);

    // the last four digits find the landline customer
    await box.fill('5678');
    await page.locator(`[data-testid=cust-results] a[data-code=${made.li.code}]`).waitFor();

    // back to the phone, open the card
    await box.fill('13800138000');
    await row.waitFor();
    await row.click();
    await page.waitForURL(new RegExp(`#/customers/${made.zhang.code}$`));
    await page.waitForSelector('[data-testid=cust-card-name]');
    assert.equal(await page.textContent('[data-testid=cust-card-name]'), '张伟');
    assert.equal(await page.textContent('[data-testid=cust-card-code]'), made.zhang.code);
    assert.match(await page.textContent('[data-testid=cust-identities]'), /13800138000/);
    assert.match(await page.textContent('[data-testid=cust-identities]'), /zhang\.wei@example\.com/);
    assert.equal(await page.inputValue('#consent-sms'), 'yes');
    assert.equal(await page.inputValue('#consent-email'), 'no');
    await page.waitForSelector('[data-testid=cust-history] .cust-timeline li');
    const hist = await page.textContent('[data-testid=cust-history]');
    assert.match(hist, /短信营销许可：同意/);
    assert.match(hist, /邮件营销许可：拒绝/);
    assert.match(hist, /建档/);
    // record a consent from the card
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/customers/${made.zhang.code}/consents`) && r.status() === 200),
      page.selectOption('#consent-post', 'yes'),
    ]);
    assert.equal(await page.inputValue('#consent-post'), 'yes');
    await page.screenshot({ path: path.join(SHOTS, 'aftersales-e2e-customers-card.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('create form: field errors in red, a duplicate refused with the match, then forced', async () => {
  const { context, page, errors } = await openAs('e2e_agent');
  try {
    await page.goto(server.url + '/#/customers/new');
    await page.waitForSelector('[data-testid=cust-form]');
    await page.fill('input[name=phone]', '12345');
    await page.fill('input[name=email]', 'not-an-email');
    await page.click('[data-testid=cust-form] button[type=submit]');
    await page.waitForSelector('#f-name-error');
    assert.equal((await page.textContent('#f-name-error')).trim(), zh['field.required']);
    assert.equal((await page.textContent('#f-phone-error')).trim(), zh['field.invalid']);
    assert.equal((await page.textContent('#f-email-error')).trim(), zh['field.invalid']);

    await page.fill('input[name=name]', '张伟');
    await page.fill('input[name=phone]', '138 0013 8000');
    await page.fill('input[name=email]', '');
    await page.click('[data-testid=cust-form] button[type=submit]');
    await page.waitForSelector('[data-testid=cust-duplicate]');
    assert.match(await page.textContent('[data-testid=cust-duplicate]'), new RegExp(made.zhang.code));
    await page.click('[data-testid=cust-force]');
    await page.waitForURL(/#\/customers\/C\d{8}$/);
    await page.waitForSelector('[data-testid=cust-card-code]');
    const code = await page.textContent('[data-testid=cust-card-code]');
    assert.notEqual(code, made.zhang.code);
    made.forced = code;
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('merge dialog shows both records side by side and merges', async () => {
  const { context, page, errors } = await openAs('e2e_sup');
  try {
    await page.goto(server.url + `/#/customers/${made.zhang.code}`);
    await page.click('[data-testid=cust-merge]');
    await page.waitForURL(/\/merge$/);
    await page.fill('input[name=duplicate]', made.zhang2.code);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-testid=cust-compare]');
    const table = await page.textContent('[data-testid=cust-compare]');
    assert.match(table, new RegExp(made.zhang.code));
    assert.match(table, new RegExp(made.zhang2.code));
    assert.match(table, /13900008000/);
    await page.screenshot({ path: path.join(SHOTS, 'aftersales-e2e-customers-merge.png') });
    await page.click('[data-testid=cust-merge-go]');
    await page.waitForURL(new RegExp(`#/customers/${made.zhang.code}$`));
    await page.waitForFunction(() => /13900008000/.test(document.querySelector('[data-testid=cust-identities]')?.textContent ?? ''));
    // the old code opens the survivor
    await page.goto(server.url + `/#/customers/${made.zhang2.code}`);
    await page.waitForFunction((c) => document.querySelector('[data-testid=cust-card-code]')?.textContent === c, made.zhang.code);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the message language is chosen on the form and shown on the card', async () => {
  const { context, page, errors } = await openAs('e2e_agent');
  try {
    await page.goto(server.url + `/#/customers/${made.li.code}/edit`);
    await page.waitForSelector('[data-testid=cust-form]');
    assert.equal(await page.inputValue('select[name=lang]'), 'zh-CN');
    await page.selectOption('select[name=lang]', 'en');
    await page.click('[data-testid=cust-form] button[type=submit]');
    await page.waitForSelector('[data-testid=cust-card-code]');
    await page.locator('[data-testid=cust-identities] dd[data-lang=en]', { hasText: '英文' }).waitFor();
    const r = await server.api(`/api/v1/customers/${made.li.code}`, { token });
    assert.equal(r.json.lang, 'en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
