// Browser test of the administration screen (M16) in headless Chromium: an admin
// disables an agent whose page is open, and that page is logged out on its next
// request; the audit viewer shows the change (field names only); a supervisor sees the
// accounts without the buttons; the English screen too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { launch, asStaff, staffPage } from './lib/browser.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  const r = await server.run(['demo', '--customers', '20', '--repairs', '20']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an admin disables an agent: its open page is logged out on the next request; the audit shows it', async () => {
  const agent = await staffPage(browser, server, 'agent', '#/customers');
  try {
    await agent.page.waitForSelector('.topbar');
    await asStaff(browser, server, 'admin', '#/admin', async (page) => {
      await page.fill('input[name=q]', 'agent');
      const row = page.locator('tr', { hasText: 'agent' }).filter({ has: page.locator('[data-toggle=agent]') });
      await row.waitFor();
      assert.equal(await row.locator('[data-active]').getAttribute('data-active'), 'true');
      await row.locator('[data-toggle=agent]').click();
      await page.locator('.notice', { hasText: '账号 agent 已停用' }).waitFor();
      await row.locator('[data-active=false]').waitFor();
      assert.match(await row.innerText(), /已停用/);
      assert.equal(await page.locator('[data-toggle=admin]').count(), 0, 'no button on your own login');

      // the agent's open page: its next request is refused and it shows the login screen
      await agent.page.evaluate(() => { location.hash = '#/repairs'; });
      await agent.page.waitForSelector('input[name=login]');
      assert.equal(await agent.page.locator('.topbar').count(), 0);

      // the audit viewer
      await page.click('a[href="#/admin/audit"]');
      await page.fill('input[name=actor]', 'admin');
      await page.fill('input[name=entity]', 'user');
      const arow = page.locator('tr', { hasText: 'disable' });
      await arow.waitFor();
      const text = await arow.innerText();
      assert.match(text, /admin/);
      assert.match(text, /agent/);
      assert.match(text, /active/);
      const csv = await page.locator('[data-download=audit-csv]').getAttribute('href');
      assert.match(csv, /actor=admin/);
      assert.match(csv, /format=csv/);

      // enable again: the agent can log in
      await page.click('a[href="#/admin"]');
      await page.fill('input[name=q]', 'agent');
      await page.locator('[data-toggle=agent]', { hasText: '启用' }).click();
      await page.locator('.notice', { hasText: '账号 agent 已启用' }).waitFor();
    });
    await agent.context.close();
    await asStaff(browser, server, 'agent', '#/customers', async (page) => {
      await page.waitForSelector('.topbar');
    });
  } finally {
    await agent.context.close().catch(() => {});
  }
});

test('an admin creates an account; at first login the new user must change the password', async () => {
  await asStaff(browser, server, 'admin', '#/admin', async (page) => {
    await page.click('summary');
    await page.fill('input[name=new_login]', 'hana');
    await page.fill('input[name=new_name]', '花');
    await page.fill('input[name=new_password]', 'short');
    await page.click('[data-testid=new-account] button[type=submit]');
    await page.locator('[data-testid=new-account] .banner').waitFor();
    await page.fill('input[name=new_password]', 'First-hana-0417');
    await page.click('[data-testid=new-account] button[type=submit]');
    await page.locator('.notice', { hasText: '账号 hana 已创建' }).waitFor();
    await page.locator('tr', { hasText: 'hana' }).waitFor();
  }, { expected: [401, 404, 409, 422] });
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  try {
    await page.goto(server.url + '/');
    await page.fill('input[name=login]', 'hana');
    await page.fill('input[name=password]', 'First-hana-0417');
    await page.click('form button[type=submit]');
    await page.locator('[data-testid=change-password]').waitFor();
    assert.equal(await page.locator('.topbar').count(), 0, 'no app before the change');
    await page.fill('input[name=current_password]', 'First-hana-0417');
    await page.fill('input[name=new_password]', 'qwertyuiop');
    await page.click('[data-testid=change-password] button[type=submit]');
    await page.locator('[data-testid=change-password] .banner').waitFor();
    await page.fill('input[name=new_password]', 'Hana-own-pass-2026');
    await page.click('[data-testid=change-password] button[type=submit]');
    await page.waitForSelector('.topbar');
    // a reload keeps the app: the change is stored
    await page.reload();
    await page.waitForSelector('.topbar');
  } finally {
    await context.close();
  }
  const r = await server.api('/api/v1/session', { body: { login: 'hana', password: 'Hana-own-pass-2026' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.must_change_password, false);
});

test('a supervisor sees the accounts read-only, in English', async () => {
  await asStaff(browser, server, 'supervisor', '#/admin', async (page) => {
    await page.locator('tr', { hasText: 'technician' }).first().waitFor();
    assert.match(await page.locator('h1').innerText(), /Staff accounts/);
    assert.match(await page.locator('.muted', { hasText: 'Supervisors' }).innerText(), /not change/);
    assert.equal(await page.locator('[data-toggle]').count(), 0);
    assert.equal(await page.locator('[data-download=users-xlsx]').count(), 1);
  }, { locale: 'en' });
});

test('my account: my sessions listed, one ended, then logged out everywhere', async () => {
  const other = await staffPage(browser, server, 'editor', '#/kb');
  try {
    await asStaff(browser, server, 'editor', '#/account', async (page) => {
      const rows = page.locator('tbody tr');
      await page.locator('[data-current]').waitFor();
      assert.equal(await rows.count(), 2);
      await page.locator('[data-end]').click();
      await page.locator('[data-end]').waitFor({ state: 'detached' });
      assert.equal(await rows.count(), 1);
      await other.page.evaluate(() => { location.hash = '#/kb?q=x'; location.reload(); });
      await other.page.waitForSelector('input[name=login]');
      await page.click('[data-testid=logout-everywhere]');
      await page.waitForSelector('input[name=login]');
    });
  } finally {
    await other.context.close();
  }
});

test("an admin changes an agent's role and outlet; a token is created (secret once) and revoked", async () => {
  await asStaff(browser, server, 'admin', '#/admin', async (page) => {
    await page.fill('input[name=q]', 'warehouse');
    await page.locator('[data-edit=warehouse]').click();
    await page.selectOption('select[name=edit_role]', 'technician');
    await page.click('[data-testid=edit-account] button[type=submit]');
    await page.locator('[data-testid=edit-account] .banner').waitFor(); // outlet roles need an outlet
    await page.fill('input[name=edit_outlet]', 'O0002');
    await page.click('[data-testid=edit-account] button[type=submit]');
    await page.locator('.notice', { hasText: '账号 warehouse 已修改' }).waitFor();
    const row = page.locator('tr', { hasText: 'O0002' }).filter({ has: page.locator('[data-edit=warehouse]') });
    await row.waitFor();

    await page.click('a[href="#/admin/tokens"]');
    await page.fill('input[name=token_name]', 'erp-sync');
    const later = new Date(Date.now() + 7 * 86400e3);
    const pad = (n) => String(n).padStart(2, '0');
    await page.fill('input[name=token_expires]', `${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T10:00`);
    await page.click('[data-testid=new-token] button[type=submit]');
    const secret = await page.locator('[data-secret]').innerText();
    assert.match(secret, /^ast_[0-9a-f]{64}$/);
    assert.equal((await server.api('/api/v1/me', { token: secret })).status, 200);
    const trow = page.locator('tr', { hasText: 'erp-sync' });
    await trow.locator('[data-state=active]').waitFor();
    await trow.locator('[data-revoke=erp-sync]').click();
    await page.locator('.notice', { hasText: '令牌 erp-sync 已吊销' }).waitFor();
    await trow.locator('[data-state=revoked]').waitFor();
    assert.equal((await server.api('/api/v1/me', { token: secret })).status, 401);
  }, { expected: [401, 422] });
  const me = await server.api('/api/v1/users/warehouse', { token: await server.token('admin') });
  assert.deepEqual([me.json.role, me.json.outlet], ['technician', 'O0002']);
});

test('email addresses: one sets one\'s own on my account; an admin sets an account\'s in the change form', async () => {
  await asStaff(browser, server, 'agent', '#/account', async (page) => {
    await page.fill('input[name=my_email]', 'not an address');
    await page.click('[data-testid=my-email] button[type=submit]');
    await page.locator('[data-testid=my-email] .banner').waitFor();
    await page.fill('input[name=my_email]', 'Agent.Desk@Example.com');
    await page.click('[data-testid=my-email] button[type=submit]');
    await page.locator('.notice', { hasText: 'Email saved' }).waitFor();
    assert.equal(await page.inputValue('input[name=my_email]'), 'agent.desk@example.com');
  }, { locale: 'en', expected: [401, 422] });
  await asStaff(browser, server, 'admin', '#/admin', async (page) => {
    await page.fill('input[name=q]', 'supervisor');
    await page.locator('[data-edit=supervisor]').click();
    await page.fill('input[name=edit_email]', 'agent.desk@example.com');
    await page.click('[data-testid=edit-account] button[type=submit]');
    await page.locator('[data-testid=edit-account] .banner').waitFor(); // taken by the agent
    await page.fill('input[name=edit_email]', 'lead@example.com');
    await page.click('[data-testid=edit-account] button[type=submit]');
    await page.locator('.notice', { hasText: '账号 supervisor 已修改' }).waitFor();
    await page.locator('tr', { hasText: 'lead@example.com' }).waitFor();
  }, { expected: [401, 409] });
});
