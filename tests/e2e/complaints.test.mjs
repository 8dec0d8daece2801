// Browser test of the complaint screens (issue 12, M10) in headless Chromium against
// `aftersales demo` data (the office calendar Mon-Fri 09:00-18:00 with the cn holidays):
// an agent logs a complaint from the customer card and sees its first-response clock in
// business hours; pauses it (the pause row shows, the clock says paused), resumes,
// responds, and resolves (the note is required, refused in its field); the queue is
// sorted by time left with overdue and paused clocks shown as such; the calendar editor
// shows 2026-10-10 as a working Saturday and the National Day holidays, and saves a
// special-hours day. Screenshots of the queue and the month view (Chinese).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../api/lib/server.mjs';
import { launch, asStaff } from './lib/browser.mjs';

const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const CUSTOMER = 'C00000047';

let server, browser, token;

before(async () => {
  server = await startServer({ env: { AFTERSALES_ESCALATION_INTERVAL: '0' } });
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  token = await server.token('supervisor');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = async (p) => {
  const r = await server.api(p, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test('log a complaint from the customer card, pause, resume, respond and resolve it', async () => {
  await asStaff(browser, server, 'agent', `#/customers/${CUSTOMER}`, async (page) => {
    await page.click('[data-testid=cust-new-complaint]');
    await page.waitForSelector('[data-testid=cp-form-customer]');
    await page.selectOption('select[name=channel]', 'wechat');
    await page.selectOption('select[name=category]', 'delay');
    await page.selectOption('select[name=severity]', 'high');
    // one of the customer's repairs, which brings its outlet
    await page.waitForSelector('select[name=repair] option[value^=R]', { state: 'attached' });
    const repairs = await api(`/api/v1/repairs?customer=${CUSTOMER}&limit=50`);
    const repair = repairs.items[0];
    await page.selectOption('select[name=repair]', repair.code);
    await page.fill('textarea[name=text]', '电视送修两周仍未修好，要求尽快处理');
    await page.click('[data-testid=cp-form] button[type=submit]');
    await page.waitForSelector('[data-testid=cp-code]');
    const code = (await page.textContent('[data-testid=cp-code]')).trim();
    assert.match(code, /^K\d{10}$/);
    assert.match(page.url(), new RegExp(`#/complaints/${code}$`));
    const c = await api(`/api/v1/complaints/${code}`);
    assert.equal(c.customer.code, CUSTOMER);
    assert.equal(c.channel, 'wechat');
    assert.equal(c.severity, 'high');
    assert.equal(c.policy.calendar, 'office');
    assert.equal(c.repair, repair.code);
    assert.equal(c.outlet, repair.outlet?.code ?? repair.outlet);
    assert.equal(await page.getAttribute(`[data-testid=cp-facts] a[href="#/repairs/${repair.code}"]`, 'href'), `#/repairs/${repair.code}`);
    assert.equal(await page.locator(`[data-testid=cp-facts] a[href="#/outlets/${c.outlet}"]`).count(), 1);
    assert.equal(await page.textContent('[data-testid=cp-text]'), '电视送修两周仍未修好，要求尽快处理');
    // the clock: 24 business hours from now on the office calendar, shown as hours left
    const left = page.locator('[data-testid=cp-left-first_response]');
    assert.equal(await left.getAttribute('data-clock'), 'left');
    const secs = Number(await left.getAttribute('data-secs'));
    assert.ok(secs > 24 * 3600 - 300 && secs <= 24 * 3600, `${secs} business seconds left`);
    assert.match(await left.textContent(), /剩余 2[34] 小时 \d+ 分/);
    assert.ok((await page.textContent('[data-testid=cp-due-first_response]')).includes('2026') ||
      (await page.textContent('[data-testid=cp-due-first_response]')).match(/\d{4}/));
    // pause: the row shows with its reason and who; the clock says paused
    await page.fill('input[name=pause]', '等待客户提供购买发票');
    await page.click('form[data-action=pause] button[type=submit]');
    await page.waitForSelector('[data-pause=open]');
    const row = await page.textContent('[data-pause=open]');
    assert.match(row, /等待客户提供购买发票/);
    assert.match(row, /agent/);
    assert.match(row, /暂停中/);
    assert.equal(await left.getAttribute('data-clock'), 'paused');
    assert.match(await left.textContent(), /已暂停 · 剩余/);
    assert.equal((await api(`/api/v1/complaints/${code}`)).clock.paused, true);
    // the queue shows it paused too
    const q = await api('/api/v1/complaints?status=received&limit=500');
    assert.equal(q.items.find((x) => x.code === code).clock.paused, true);
    // resume
    await page.click('button[data-do=resume]');
    await page.waitForSelector('[data-pause=closed]');
    assert.equal(await page.locator('[data-pause=open]').count(), 0);
    assert.equal(await left.getAttribute('data-clock'), 'left');
    // respond
    await page.fill('textarea[name=respond]', '已致电客户致歉，安排网点主管跟进');
    await page.click('form[data-action=respond] button[type=submit]');
    await page.waitForSelector('[data-testid=cp-status][data-status=responded]');
    assert.match(await page.textContent('[data-clock-row=first_response]'), /按时/);
    // resolve: the note is required, refused in its field, nothing changes
    await page.click('form[data-action=resolve] button[type=submit]');
    await page.waitForSelector('form[data-action=resolve] .field-error');
    assert.ok((await page.textContent('form[data-action=resolve] .field-error')).trim().length > 0);
    assert.equal((await api(`/api/v1/complaints/${code}`)).status, 'responded');
    await page.screenshot({ path: path.join(SHOTS, 'complaints-detail.png'), fullPage: true });
    await page.fill('textarea[name=resolve]', '网点已免费重新维修，客户确认满意');
    await page.click('form[data-action=resolve] button[type=submit]');
    await page.waitForSelector('[data-testid=cp-status][data-status=resolved]');
    assert.equal(await page.textContent('[data-testid=cp-note]'), '网点已免费重新维修，客户确认满意');
    assert.deepEqual(await page.$$eval('[data-testid=cp-timeline] li', (li) => li.map((x) => x.dataset.event)),
      ['received', 'pause', 'resume', 'response', 'resolved']);
    const done = await api(`/api/v1/complaints/${code}`);
    assert.equal(done.status, 'resolved');
    assert.equal(done.pauses.length, 1);
    assert.equal(done.pauses[0].who, 'agent');
    // close, then the card's history links to it
    await page.click('button[data-do=closed]');
    await page.waitForSelector('[data-testid=cp-status][data-status=closed]');
  });
});

test('the queue: sorted by time left, overdue and paused clocks shown as such, filters', async () => {
  await asStaff(browser, server, 'supervisor', '#/complaints', async (page) => {
    await page.waitForSelector('[data-testid=cp-queue] tbody tr');
    // the demo's forgotten complaints come first, overdue
    const first = page.locator('[data-testid=cp-queue] tbody tr').first();
    assert.equal(await first.locator('[data-clock]').getAttribute('data-clock'), 'overdue');
    assert.match(await first.textContent(), /已超时 \d+ 小时/);
    // running clocks by business time left, ascending
    const secs = await page.$$eval('[data-testid=cp-queue] tbody [data-clock=left], [data-testid=cp-queue] tbody [data-clock=overdue]',
      (s) => s.map((x) => Number(x.dataset.secs)));
    assert.ok(secs.length > 5);
    assert.deepEqual(secs, [...secs].sort((a, b) => a - b));
    await page.screenshot({ path: path.join(SHOTS, 'complaints-queue.png'), fullPage: false });
    // paused ones come after the running ones, marked paused
    for (let i = 0; i < 12 && !(await page.locator('[data-testid=cp-queue] [data-paused]').count()); i++) {
      await page.click('button:has-text("加载更多")');
      await page.waitForTimeout(200);
    }
    const paused = page.locator('[data-testid=cp-queue] tbody tr:has([data-paused])').first();
    assert.equal(await paused.locator('[data-clock]').getAttribute('data-clock'), 'paused');
    assert.match(await paused.textContent(), /已暂停/);
    // the severity filter reaches the list and its downloads
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/complaints?') && r.url().includes('severity=critical')),
      page.selectOption('select[name=severity]', 'critical'),
    ]);
    await page.waitForFunction(() => (document.querySelector('[data-download=complaints-csv]')?.href || '').includes('severity=critical'));
    const sev = await page.$$eval('[data-testid=cp-queue] tbody tr', (trs) => trs.map((tr) => tr.children[3].textContent.trim()));
    assert.ok(sev.length > 0 && sev.every((s) => s === '紧急'), sev.join(','));
    const all = await api('/api/v1/complaints?severity=critical&limit=500');
    assert.equal(sev.length, Math.min(all.items.length, 50));
  });
});

test('the calendar editor: 2026-10-10 is a working Saturday, the holidays are marked; a special day saved', async () => {
  await asStaff(browser, server, 'admin', '#/calendars', async (page) => {
    await page.waitForSelector('[data-testid=policy-form]');
    assert.equal(await page.inputValue('select[name=policy_calendar]'), 'office');
    // the policy: a bad number is refused in its field, a good one saved
    const before = await api('/api/v1/sla-policies/complaint');
    await page.fill('input[name=policy_fr]', '0');
    await page.click('[data-testid=policy-form] button[type=submit]');
    await page.waitForSelector('[data-testid=policy-form] .field-error');
    assert.equal((await api('/api/v1/sla-policies/complaint')).version, before.version);
    await page.fill('input[name=policy_fr]', '24');
    await page.click('[data-testid=policy-form] button[type=submit]');
    await page.waitForSelector('[data-testid=policy-saved]');
    const after = await api('/api/v1/sla-policies/complaint');
    assert.equal(after.version, before.version + 1);
    assert.equal(after.first_response_hours, 24);
    assert.deepEqual(after.escalation, before.escalation);
    await page.click('a[data-calendar=office]');
    await page.waitForSelector('[data-testid=cal-months]');
    for (let i = 0; i < 5 && (await page.getAttribute('[data-testid=cal-months]', 'data-year')) !== '2026'; i++) {
      const y = Number(await page.getAttribute('[data-testid=cal-months]', 'data-year'));
      await page.click(`button[data-year-step="${y > 2026 ? -1 : 1}"]`);
      await page.waitForSelector(`[data-testid=cal-months][data-year="${y > 2026 ? y - 1 : y + 1}"]`);
    }
    const day = (d) => page.locator(`[data-day="${d}"]`);
    assert.equal(await day('2026-10-10').getAttribute('data-kind'), 'makeup_workday');
    assert.equal(await day('2026-10-10').getAttribute('data-weekday'), 'sat');
    assert.equal(await day('2026-10-10').getAttribute('data-working'), 'true');
    assert.match(await day('2026-10-10').textContent(), /班/);
    assert.match(await day('2026-10-10').getAttribute('title'), /调休上班/);
    for (const d of ['2026-10-01', '2026-10-07', '2026-09-25', '2026-02-17']) {
      assert.equal(await day(d).getAttribute('data-kind'), 'holiday', d);
      assert.equal(await day(d).getAttribute('data-working'), 'false', d);
    }
    assert.equal(await day('2026-10-17').getAttribute('data-kind'), 'closed'); // an ordinary Saturday
    assert.equal(await day('2026-10-12').getAttribute('data-working'), 'true');
    assert.equal(await page.locator('[data-kind=makeup_workday]').count(), 6);
    // the warning the API gives (from 1 December while next year's schedule is missing)
    const cal = await api('/api/v1/calendars/office?year=2026');
    const missing = cal.warnings.find((w) => w.code === 'next_year_missing');
    assert.equal(await page.locator('[data-testid=cal-warning][data-code=next_year_missing]').count(), missing ? 1 : 0);
    if (missing) assert.match(await page.textContent('[data-testid=cal-warning][data-code=next_year_missing]'), new RegExp(`${missing.year} 年的法定节假日安排尚未导入`));
    await day('2026-10-10').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=cal-year]').screenshot({ path: path.join(SHOTS, 'complaints-calendar-months.png') });
    // a special-hours day with its source, saved and shown in the grid
    await page.click('button[data-do=add-exception]');
    await page.fill('input[name=exc_day_0]', '2026-12-24');
    await page.selectOption('select[name=exc_kind_0]', 'special_hours');
    await page.fill('input[name=exc_hours_0]', '09:00-12:00, 13:00-15:00');
    await page.fill('input[name=exc_source_0]', '公司通知');
    await page.click('[data-testid=cal-form] button[type=submit]');
    await page.waitForSelector('[data-testid=cal-saved]');
    await page.waitForSelector('[data-day="2026-12-24"][data-kind=special_hours]');
    const saved = await api('/api/v1/calendars/office');
    assert.deepEqual(saved.exceptions, [{ day: '2026-12-24', kind: 'special_hours', source: '公司通知',
      hours: [['09:00', '12:00'], ['13:00', '15:00']] }]);
    // a bad window is refused in the weekly field and changes nothing
    await page.fill('input[name=week_mon]', '9:00-25:00');
    await page.click('[data-testid=cal-form] button[type=submit]');
    await page.waitForSelector('[data-testid=cal-weekly-error]');
    assert.equal((await api('/api/v1/calendars/office')).version, saved.version);
  });
});

test('outlet staff see only their outlet\'s complaints (English); another outlet\'s is not found', async () => {
  await asStaff(browser, server, 'manager', '#/complaints', async (page) => {
    await page.waitForSelector('[data-testid=cp-queue] tbody tr');
    assert.equal(await page.locator('input[name=outlet]').count(), 0);
    assert.match(await page.textContent('[data-testid=cp-queue] thead'), /Time left \(business hours\)/);
    const outlets = await page.$$eval('[data-testid=cp-queue] tbody tr', (trs) => trs.map((tr) => tr.children[5].textContent.trim()));
    assert.ok(outlets.length > 0 && outlets.every((o) => o === 'O0001'), outlets.join(','));
    const mine = await server.api('/api/v1/complaints?outlet=O0001&limit=500', { token });
    assert.equal(outlets.length, Math.min(mine.json.items.length, 50));
    const other = (await server.api('/api/v1/complaints?outlet=O0002&limit=1', { token })).json.items[0];
    assert.ok(other, 'the demo has a complaint at O0002');
    await page.goto(`${server.url}/#/complaints/${other.code}`);
    await page.waitForSelector('.banner-error');
    assert.equal(await page.locator('[data-testid=cp-facts]').count(), 0);
  }, { locale: 'en-US' });
});
