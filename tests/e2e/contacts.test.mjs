// Browser test of the agent desk (issue 11, M9) in headless Chromium against `aftersales
// demo` data: the agent sets an extension, a simulated call (the CTI webhook) pops the
// caller's card on the agent's screen within 1 s, the hangup opens the wrap-up form,
// which logs the contact; the customer's timeline then shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const CUSTOMER = 'C00000047';
let server, browser, token, cti, phone;

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  token = await server.token('supervisor');
  const t = await server.run(['cti', 'token', 'pbx']);
  assert.equal(t.code, 0, t.stderr);
  cti = t.stdout.trim();
  const c = await server.api(`/api/v1/customers/${CUSTOMER}`, { token });
  assert.equal(c.status, 200, c.text);
  const p0 = (c.json.phones ?? [])[0];
  phone = typeof p0 === 'string' ? p0 : p0?.phone ?? p0?.number ?? p0?.value;
  assert.ok(phone, c.text);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const hook = async (body) => {
  const r = await server.api(`/api/v1/cti/${cti}`, { method: 'POST', body });
  assert.equal(r.status, 200, r.text);
};

test('a simulated call pops the customer card within 1 s; the wrap-up logs the contact; the timeline shows it', async () => {
  await asStaff(browser, server, 'agent', '#/contacts', async (page) => {
    await page.fill('input[name=extension]', '8001');
    await page.click('text=保存分机');
    await page.waitForSelector('[data-test=extension-saved]');
    await page.waitForSelector('[data-test=desk][data-live=yes]');
    // Webhook to card on screen within 1 s, the best of up to 3 calls: one slow render on
    // a loaded machine (CI) is not a failure, a pop that is always slow is. Each call
    // waits 5 s at most, well under the 15 s keep-alive ping, so a lost wake-up of the
    // event stream (the pop waiting for the next ping) fails too. bench/contacts.sh
    // measures the pop's p99 properly.
    let call, took = [];
    for (let i = 1; i <= 3 && !call; i++) {
      const id = `e2e-${i}`, t0 = Date.now();
      await hook({ event: 'newCall', from: '+86' + phone, to: '4008100000', direction: 'in', callId: id, user: ['8001'] });
      await page.waitForSelector(`[data-test=pop][data-call=${id}] [data-test=pop-card][data-customer=${CUSTOMER}]`, { timeout: 5000 })
        .catch(async (e) => { throw new Error(e.message + '\n' + phone + ' ' + await page.textContent('[data-test=desk]')); });
      took.push(Date.now() - t0);
      if (took.at(-1) < 1000) call = id;
    }
    assert.ok(call, `pops took ${took.join(', ')} ms`);
    await hook({ event: 'answer', callId: call, user: ['8001'] });
    await hook({ event: 'hangup', callId: call, cause: 'normalClearing' });
    await page.waitForSelector('[data-test=wrapup]');
    await page.selectOption('[data-test=wrapup] select[name=reason]', 'status_query');
    await page.fill('[data-test=wrapup] textarea[name=body]', '客户询问维修进度');
    await page.click('[data-test=wrapup] button[type=submit]');
    await page.waitForSelector('text=已记录联络');
  });
  const list = await server.api(`/api/v1/contacts?customer=${CUSTOMER}`, { token });
  assert.equal(list.status, 200);
  const [c] = list.json.items;
  assert.deepEqual([c.channel, c.reason, c.outcome, c.handled_by, c.body], ['phone', 'status_query', 'resolved', 'agent', '客户询问维修进度']);
  await asStaff(browser, server, 'agent', `#/customers/${CUSTOMER}`, async (page) => {
    await page.waitForSelector(`text=${c.code}`);
  });
});

test('a letter is logged by hand and found in the search; a supervisor changes a hotline', async () => {
  await asStaff(browser, server, 'agent', '#/contacts/log', async (page) => {
    await page.selectOption('select[name=log-channel]', 'letter');
    await page.fill('input[name=log-customer]', CUSTOMER);
    await page.selectOption('select[name=log-reason]', 'complaint');
    await page.fill('input[name=log-subject]', '来信：维修太慢');
    await page.click('[data-test=manual-log] button[type=submit]');
    const note = await page.textContent('text=已登记联络');
    const code = /CT\d+/.exec(note)[0];
    await page.selectOption('select[name=q-channel]', 'letter');
    await page.waitForSelector(`.table-block:has([data-downloads=contacts]) tbody tr:has-text("${code}")`);
  }, { expected: [401, 404, 409, 422] });
  const letters = await server.api(`/api/v1/contacts?channel=letter&customer=${CUSTOMER}`, { token });
  assert.deepEqual(letters.json.items.filter((x) => x.subject === '来信：维修太慢').map((x) => [x.reason, x.handled_by]), [['complaint', 'agent']]);
  await asStaff(browser, server, 'supervisor', '#/contacts/hotlines', async (page) => {
    await page.click('.table-block:has([data-downloads=hotlines]) tbody tr:has-text("4008100000") button');
    await page.fill('input[name=h-lines]', 'AV, TV');
    await page.click('[data-test=hotlines] button[type=submit]');
    await page.waitForSelector('text=热线 HE 已保存');
  });
  const h = await server.api('/api/v1/hotlines', { token });
  assert.deepEqual(h.json.items.find((x) => x.code === 'HE').product_lines, ['AV', 'TV']);
});

test('outlet staff log a walk-in on their contacts screen and see only their outlet\'s contacts', async () => {
  const mine = await server.token('outlet_manager', 'O0001');
  const repairs = await server.api('/api/v1/repairs?limit=1', { token: mine });
  assert.equal(repairs.status, 200, repairs.text);
  const repair = repairs.json.items[0].code;
  let code;
  await asStaff(browser, server, 'manager', '#/contacts', async (page) => {
    await page.waitForSelector('[data-test=manual-log]');
    assert.equal(await page.locator('[data-test=desk], [data-tab=desk]').count(), 0, 'no agent desk for outlet staff');
    assert.equal(await page.inputValue('select[name=log-channel]'), 'walk_in');
    await page.fill('input[name=log-customer]', CUSTOMER);
    await page.fill('input[name=log-repair]', repair);
    await page.selectOption('select[name=log-reason]', 'status_query');
    await page.fill('input[name=log-subject]', '到店查询进度');
    await page.click('[data-test=manual-log] button[type=submit]');
    const note = await page.textContent('text=已登记联络');
    code = /CT\d+/.exec(note)[0];
    await page.waitForSelector(`.table-block:has([data-downloads=contacts]) tbody tr:has-text("${code}")`);
  }, { expected: [401, 404, 409, 422] });
  const other = await server.token('technician', 'O0002');
  assert.equal((await server.api(`/api/v1/contacts/${code}`, { token: other })).status, 404);
  assert.equal((await server.api(`/api/v1/contacts/${code}`, { token: mine })).json.repair, repair);
});
