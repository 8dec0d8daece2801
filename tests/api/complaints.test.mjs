// Complaints on SLA clocks with Chinese working calendars (issue 12, M10): calendars
// with the official 2026 schedule loaded from chinese-days, the SLA policy, complaints
// received around the 2026 Mid-Autumn and National Day holidays with due times worked
// out by hand here, pauses that move the due time by exactly the paused business time,
// the year listing and the missing-next-year warning, `aftersales import holidays`,
// complaint_response_24h against a count made here, bad input and outlet confinement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { makeRepair, outletBody, sql } from './network-helpers.mjs';

const OFFICE = {
    zone: 'Asia/Shanghai',
    weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']],
        thu: [['09:00', '18:00']], fri: [['09:00', '18:00']], sat: [], sun: [] },
    holidays: 'cn',
};
let s, admin, agent, tech, customer, dir;

before(async () => {
    s = await startServer({ env: { AFTERSALES_ESCALATION_INTERVAL: '1' } });
    [admin, agent] = [await s.token('admin'), await s.token('agent')];
    for (const [code, region] of [['KA', '310104'], ['KB', '110105']]) {
        const o = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, { region, covers: [region] }) });
        assert.equal(o.status, 201, o.text);
    }
    tech = await s.token('outlet_manager', 'KA');
    const c = await s.api('/api/v1/customers', { token: agent, body: { name: '投诉 客户', phone: '13800138123' } });
    assert.equal(c.status, 201, c.text);
    customer = c.json.code;
    dir = mkdtempSync(path.join(os.tmpdir(), 'complaints-'));
});
after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

const put = (p, body, token = admin) => s.api(p, { method: 'PUT', token, body });
const complain = (body, token = agent) => s.api('/api/v1/complaints', { token,
    body: { customer, channel: 'phone', text: '维修太慢', ...body } });
const act = (code, what, body = {}, token = agent) => s.api(`/api/v1/complaints/${code}/${what}`, { token, body });
const get = async (code, token = agent) => {
    const r = await s.api(`/api/v1/complaints/${code}`, { token });
    assert.equal(r.status, 200, r.text);
    return r.json;
};
const secs = (t) => Date.parse(t) / 1000;

test('the always calendar and the default policy exist; always cannot be changed', async () => {
    const a = await s.api('/api/v1/calendars/always', { token: agent });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.builtin, true);
    assert.deepEqual(a.json.weekly.sun, [['00:00', '24:00']]);
    const p = await s.api('/api/v1/sla-policies/complaint', { token: agent });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.calendar, 'always');
    assert.equal(p.json.first_response_hours, 24);
    assert.equal(p.json.resolution_hours, 72);
    const w = await put('/api/v1/calendars/always', OFFICE);
    assert.equal(w.status, 409, w.text);
    assert.equal(w.json.error.code, 'read_only');
});

test('the default policy: 24 h on the always calendar, due with the zone offset', async () => {
    const r = await complain({ received_at: '2026-10-01T10:30:00+08:00' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^K\d{6}\d{4}$/);
    assert.equal(r.json.first_response_due, '2026-10-02T10:30:00+08:00');
    assert.equal(r.json.resolution_due, '2026-10-04T10:30:00+08:00');
    assert.equal(r.json.status, 'received');
});

test('office calendar Mon-Fri 09:00-18:00 with cn: due times around Mid-Autumn and National Day', async () => {
    const c = await put('/api/v1/calendars/office', OFFICE);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.holidays, 'cn');
    const p = await put('/api/v1/sla-policies/complaint', { calendar: 'office', first_response_hours: 24,
        resolution_hours: 72, escalation: [0.75, 1.0] });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.json.escalation, [0.75, 1.0]);
    // Thu 09-24 17:00: 1 h that day; Fri-Sun Mid-Autumn off; Mon 28, Tue 29 9 h each;
    // Wed 30 09:00 + 5 h = 14:00. Resolution 72 h: 55 h by Sat 10-10 (Mon-Wed, Thu 8,
    // Fri 9, the make-up Saturday 10), then Mon 12 9 h and Tue 13 until 17:00.
    const a = await complain({ received_at: '2026-09-24T17:00:00+08:00' });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.first_response_due, '2026-09-30T14:00:00+08:00');
    assert.equal(a.json.resolution_due, '2026-10-13T17:00:00+08:00');
    // received on a National Day holiday: the clock starts Thu 10-08 09:00; 8th, 9th, then
    // the make-up Saturday 10-10 until 15:00
    const b = await complain({ received_at: '2026-10-03T11:00:00+08:00' });
    assert.equal(b.json.first_response_due, '2026-10-10T15:00:00+08:00');
    // received at closing on Wed 09-30: nothing that day, 10-08 and 10-09 9 h each, 6 h on 10-10
    const d = await complain({ received_at: '2026-09-30T10:00:00Z' }); // 18:00 +08:00
    assert.equal(d.json.first_response_due, '2026-10-10T15:00:00+08:00');
    // a pause across the whole National Day week (stored as it would be by pause/resume
    // then), recomputed when the calendar is saved: 09-30 15:00-18:00 and 10-08 09:00 to
    // 10-09 10:00 are 3 + 9 + 1 = 13 business hours, so 10-08 15:00 moves to the make-up
    // Saturday 10-10 10:00
    const e = await complain({ received_at: '2026-09-29T09:00:00+08:00' });
    assert.equal(e.json.first_response_due, '2026-10-08T15:00:00+08:00');
    await sql(s, `INSERT INTO complaint_pauses (complaint_id, started_at, ended_at, reason, started_by, ended_by)
        SELECT id, ${secs('2026-09-30T15:00:00+08:00')}, ${secs('2026-10-09T10:00:00+08:00')}, 'waiting on the customer', 'test', 'test'
        FROM complaints WHERE code = '${e.json.code}'`);
    const again = await put('/api/v1/calendars/office', { ...OFFICE, version: c.json.version });
    assert.equal(again.status, 200, again.text);
    const e2 = await get(e.json.code);
    assert.equal(e2.first_response_due, '2026-10-10T10:00:00+08:00');
    assert.equal(e2.pauses.length, 1);
    assert.equal(e2.pauses[0].start, '2026-09-30T15:00:00+08:00');
    assert.equal(e2.pauses[0].end, '2026-10-09T10:00:00+08:00');
    // a stale version is refused and changes nothing
    const stale = await put('/api/v1/calendars/office', { ...OFFICE, weekly: { ...OFFICE.weekly, sat: [['09:00', '12:00']] }, version: c.json.version });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.code, 'stale_version');
    assert.equal((await get(e.json.code)).first_response_due, '2026-10-10T10:00:00+08:00');
});

test('the year listing shows 2026-10-10 as a make-up working day; the 2027 warning from 1 December', async () => {
    const r = await s.api('/api/v1/calendars/office?year=2026', { token: agent });
    assert.equal(r.status, 200, r.text);
    const byDay = Object.fromEntries(r.json.days.map((d) => [d.day, d]));
    assert.equal(byDay['2026-10-10'].kind, 'makeup_workday');
    assert.equal(byDay['2026-10-10'].month, 10);
    assert.match(byDay['2026-10-10'].source, /chinese-days 1\.5\.7 \(MIT\)/);
    assert.equal(byDay['2026-10-01'].kind, 'holiday');
    assert.equal(byDay['2026-10-01'].name_zh, '国庆节');
    assert.equal(r.json.days.filter((d) => d.kind === 'makeup_workday').length, 6);
    assert.equal(r.json.days.filter((d) => d.kind === 'holiday').length, 33);
    const now = new Date(Date.now() + 8 * 3600e3); // Shanghai wall clock
    const nextMissing = r.json.warnings.find((w) => w.code === 'next_year_missing');
    if (now.getUTCFullYear() === 2026 && now.getUTCMonth() === 11) {
        assert.ok(nextMissing, JSON.stringify(r.json.warnings));
        assert.equal(nextMissing.year, 2027);
    }
    const bad = await s.api('/api/v1/calendars/office?year=26', { token: agent });
    assert.equal(bad.status, 422, bad.text);
    const list = await s.api('/api/v1/calendars', { token: agent });
    assert.deepEqual(list.json.items.map((c) => c.name), ['always', 'hotline', 'office']); // hotline: the contact center's published hours (0010)
    const one = await s.api('/api/v1/calendars?limit=1', { token: agent });
    assert.deepEqual(one.json.items.map((c) => c.name), ['always']);
    const rest = await s.api(`/api/v1/calendars?limit=1&cursor=${one.json.next_cursor}`, { token: agent });
    assert.deepEqual(rest.json.items.map((c) => c.name), ['hotline']);
    const csv = await s.api('/api/v1/calendars?format=csv', { token: agent });
    assert.equal(csv.status, 200, csv.text);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    assert.equal(lines[0], 'name,zone,holidays,version,updated_at');
    assert.match(lines[3], /^office,Asia\/Shanghai,cn,\d+,/);
    assert.equal((await s.api('/api/v1/calendars/nope', { token: agent })).status, 404);
});

test('aftersales import holidays: all or nothing with FILE:LINE, then the warning goes', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'day,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n');
    const r = await s.run(['import', 'holidays', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bad\.csv:3: day/);
    assert.equal(await sql(s, "SELECT COUNT(*) FROM holidays WHERE day LIKE '2027-%'"), '0');
    const dup = path.join(dir, 'dup.csv');
    writeFileSync(dup, 'day,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,makeup_workday,元旦\n');
    assert.match((await s.run(['import', 'holidays', dup])).stderr, /dup\.csv:3: day/);
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, 'day,kind,name\n2027-01-01,holiday,元旦\n2027-02-07,makeup_workday,春节\n');
    const ok = await s.run(['import', 'holidays', good]);
    assert.equal(ok.code, 0, ok.stderr);
    const y = await s.api('/api/v1/calendars/office?year=2027', { token: agent });
    assert.deepEqual(y.json.days.map((d) => [d.day, d.kind, d.source]),
        [['2027-01-01', 'holiday', 'import good.csv'], ['2027-02-07', 'makeup_workday', 'import good.csv']]);
    assert.equal(y.json.warnings.find((w) => w.code === 'next_year_missing'), undefined);
    const help = await s.run(['import', '--help'], { db: false });
    assert.match(help.stdout + help.stderr, /import holidays FILE\.csv: day,kind,name/);
});

test('pause and resume move the due times by exactly the paused business time; responses and resolve', async () => {
    const p = await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24, resolution_hours: 72 });
    assert.equal(p.status, 200, p.text);
    const c = await complain({ category: 'delay', severity: 'high' });
    assert.equal(c.status, 201, c.text);
    const code = c.json.code, due0 = secs(c.json.first_response_due), res0 = secs(c.json.resolution_due);
    const paused = await act(code, 'pause', { reason: '等待客户提供发票' });
    assert.equal(paused.status, 201, paused.text);
    assert.equal(paused.json.clock.paused, true);
    assert.equal(paused.json.first_response_due, null);
    assert.ok(paused.json.first_response_left_secs > 23 * 3600);
    assert.equal((await act(code, 'pause', { reason: 'again' })).status, 409);
    await new Promise((r) => setTimeout(r, 2100));
    const resumed = await act(code, 'resume');
    assert.equal(resumed.status, 200, resumed.text);
    const [pause] = resumed.json.pauses;
    assert.equal(pause.reason, '等待客户提供发票');
    assert.ok(pause.who && pause.resumed_by);
    const length = secs(pause.end) - secs(pause.start);
    assert.ok(length >= 2, `paused ${length} s`);
    assert.equal(secs(resumed.json.first_response_due) - due0, length);
    assert.equal(secs(resumed.json.resolution_due) - res0, length);
    assert.equal((await act(code, 'resume')).status, 409);
    const resp = await act(code, 'responses', { text: '已联系客户' });
    assert.equal(resp.status, 201, resp.text);
    assert.equal(resp.json.status, 'responded');
    assert.ok(resp.json.first_response_at);
    assert.equal(resp.json.clock.running, 'resolution');
    const stale = await act(code, 'transitions', { to: 'in_progress', version: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.code, 'stale_version');
    const prog = await act(code, 'transitions', { to: 'in_progress', version: resp.json.version });
    assert.equal(prog.status, 200, prog.text);
    const noNote = await act(code, 'resolve', {});
    assert.equal(noNote.status, 422);
    assert.equal((await get(code)).status, 'in_progress');
    const res = await act(code, 'resolve', { note: '已更换主板' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'resolved');
    assert.equal(res.json.resolution_note, '已更换主板');
    assert.deepEqual(res.json.timeline.map((e) => e.kind),
        ['received', 'pause', 'resume', 'response', 'in_progress', 'resolved']);
    const out = await sql(s, "SELECT channel || ' ' || recipient || ' ' || template FROM outbox WHERE template = 'complaint_resolved'");
    assert.equal(out, 'sms 13800138123 complaint_resolved');
    assert.equal((await act(code, 'transitions', { to: 'closed' })).json.status, 'closed');
    assert.equal((await act(code, 'transitions', { to: 'reopened' })).json.status, 'in_progress');
    const audit = await sql(s, `SELECT COUNT(*) FROM audit_log WHERE entity = 'complaint' AND entity_id = '${code}'`).catch(() => null);
    if (audit !== null) assert.ok(Number(audit) >= 7);
});

test('complaint_response_24h equals a count made here', async () => {
    // on the always calendar: one answered within its day, one answered late, one
    // unanswered and overdue, one unanswered and not yet due
    const now = Date.now();
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const fast = await complain({ received_at: iso(now - 3600e3) });
    await act(fast.json.code, 'responses', { text: 'ok' });
    const late = await complain({ received_at: iso(now - 30 * 3600e3) });
    await act(late.json.code, 'responses', { text: 'late' });
    await complain({ received_at: iso(now - 26 * 3600e3) });
    await complain({ received_at: iso(now - 60e3) });
    const from = '2026-09-01', to = new Date(now + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
    const all = await s.api('/api/v1/complaints?limit=500', { token: agent });
    assert.equal(all.status, 200, all.text);
    const inPeriod = all.json.items.filter((c) => secs(c.received_at) >= secs(`${from}T00:00:00+08:00`));
    const hits = inPeriod.filter((c) => c.first_response_at && secs(c.first_response_at) <= secs(c.first_response_due));
    assert.ok(hits.length >= 2 && hits.length < inPeriod.length); // the fast one and the one resolved early
    const r = await s.run(['kpi', '--from', from, '--to', to, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const k = JSON.parse(r.stdout);
    assert.equal(k.complaint_response_24h, hits.length / inPeriod.length);
    const api = await s.api(`/api/v1/kpi/turnaround?from=${from}&to=${to}`, { token: admin });
    if (api.status === 200) assert.equal(api.json.total.complaint_response_24h, hits.length / inPeriod.length);
    const none = JSON.parse((await s.run(['kpi', '--from', '2020-01-01', '--to', '2020-02-01', '--json'])).stdout);
    assert.equal(none.complaint_response_24h, null);
});

test('escalation steps fire once each, from serve and from concurrent passes', async () => {
    const p = await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24,
        resolution_hours: 72, escalation: [0.75, 1.0] });
    assert.equal(p.status, 200, p.text);
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const warn = await complain({ received_at: iso(Date.now() - 20 * 3600e3) }); // 75 % used, not 100 %
    const breach = await complain({ received_at: iso(Date.now() - 30 * 3600e3) }); // both
    const fresh = await complain({}); // none
    const steps = async (code) => (await get(code)).timeline.filter((e) => e.kind === 'escalation').map((e) => e.note).sort();
    // the scheduler inside serve (every second here) fires them
    let w = [];
    for (let i = 0; i < 50 && w.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        w = await steps(warn.json.code);
    }
    assert.deepEqual(w, ['first_response 75%']);
    // two more passes at once (as two servers on one database would) fire nothing again
    const runs = await Promise.all([s.run(['escalate']), s.run(['escalate']), s.run(['escalate'])]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await steps(warn.json.code), ['first_response 75%']);
    assert.deepEqual(await steps(breach.json.code), ['first_response 100% (breach)', 'first_response 75%']);
    assert.deepEqual(await steps(fresh.json.code), []);
    const fired = await sql(s, `SELECT COUNT(*) FROM complaint_escalations e JOIN complaints k ON k.id = e.complaint_id
        WHERE k.code IN ('${warn.json.code}', '${breach.json.code}')`);
    assert.equal(fired, '3');
    const queued = await sql(s, `SELECT COUNT(*) FROM outbox WHERE template IN ('complaint_escalation', 'complaint_breach')
        AND payload LIKE '%${breach.json.code}%'`);
    assert.equal(queued, '2');
});

test('the queue is sorted by time left and filtered by status; downloads', async () => {
    const r = await s.api('/api/v1/complaints?status=received&limit=2', { token: agent });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.every((c) => c.status === 'received'));
    const rest = await s.api(`/api/v1/complaints?status=received&limit=500&cursor=${r.json.next_cursor}`, { token: agent });
    const items = [...r.json.items, ...rest.json.items];
    const running = items.filter((c) => !c.clock.paused).map((c) => secs(c.first_response_due));
    assert.deepEqual(running, [...running].sort((a, b) => a - b));
    assert.equal((await s.api('/api/v1/complaints?status=nope', { token: agent })).status, 422);
    // severity and outlet filters; each clock's business time left
    const high = await s.api('/api/v1/complaints?severity=high&limit=500', { token: agent });
    assert.equal(high.status, 200, high.text);
    const allItems = (await s.api('/api/v1/complaints?limit=500', { token: agent })).json.items;
    assert.deepEqual(high.json.items.map((c) => c.code), allItems.filter((c) => c.severity === 'high').map((c) => c.code));
    assert.ok(high.json.items.length >= 1);
    assert.equal((await s.api('/api/v1/complaints?severity=apocalyptic', { token: agent })).status, 422);
    const badOutlet = await s.api('/api/v1/complaints?outlet=NOPE', { token: agent });
    assert.equal(badOutlet.status, 422, badOutlet.text);
    assert.ok(badOutlet.json.error.fields.outlet);
    for (const c of allItems) {
        if (c.clock.paused || !c.clock.running) continue;
        const which = c.clock.running === 'first_response' ? 'first_response_seconds_left' : 'resolution_seconds_left';
        assert.ok(Math.abs(c.clock[which] - c.clock.business_seconds_left) <= 2, JSON.stringify(c.clock));
        if (c.first_response_at) assert.equal(c.clock.first_response_seconds_left, null);
    }
    const csvHigh = await s.api('/api/v1/complaints?severity=high&format=csv', { token: agent });
    assert.equal(csvHigh.text.trim().split(/\r?\n/).length, high.json.items.length + 1);
    const csv = await s.api('/api/v1/complaints?format=csv', { token: agent });
    assert.equal(csv.status, 200);
    assert.match(csv.text, /^\uFEFF?code,status,customer/);
});

test('outlet staff see only their outlet\'s complaints (404 for another\'s)', async () => {
    const mine = await makeRepair(s, 'KA'), theirs = await makeRepair(s, 'KB');
    const own = (rep) => sql(s, `UPDATE repairs SET customer_id = (SELECT id FROM customers WHERE code = '${customer}') WHERE code = '${rep}'`);
    await own(mine);
    await own(theirs);
    const a = await complain({ repair: mine });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.outlet, 'KA');
    const b = await complain({ repair: theirs });
    assert.equal(b.status, 201, b.text);
    assert.equal((await s.api(`/api/v1/complaints/${a.json.code}`, { token: tech })).status, 200);
    const hidden = await s.api(`/api/v1/complaints/${b.json.code}`, { token: tech });
    const missing = await s.api('/api/v1/complaints/K0000000000', { token: tech });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.text, missing.text);
    assert.equal((await act(b.json.code, 'pause', { reason: 'x' }, tech)).status, 404);
    const list = await s.api('/api/v1/complaints?limit=500', { token: tech });
    assert.deepEqual(list.json.items.map((c) => c.code), [a.json.code]);
    const byOutlet = await s.api('/api/v1/complaints?outlet=KB&limit=500', { token: agent });
    assert.deepEqual(byOutlet.json.items.map((c) => c.code), [b.json.code]);
    const theirsByTech = await s.api('/api/v1/complaints?outlet=KB&limit=500', { token: tech });
    assert.deepEqual(theirsByTech.json.items, []);
    // a repair of another customer is refused
    const wrong = await complain({ repair: await makeRepair(s, 'KA') });
    assert.equal(wrong.status, 422);
});

test('bad input gets a clear error and changes nothing', async () => {
    const before = await sql(s, 'SELECT COUNT(*) FROM complaints');
    const cal = await s.api('/api/v1/calendars/office', { token: agent });
    const raw = await s.api('/api/v1/complaints', { token: agent, body: '{"customer":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(raw.status, 400, raw.text);
    for (const [body, field] of [
        [{ customer: 'C99999999' }, 'customer'],
        [{ text: 42 }, 'text'],
        [{ channel: 'pigeon' }, 'channel'],
        [{ received_at: 'yesterday' }, 'received_at'],
        [{ severity: 'apocalyptic' }, 'severity'],
        [{ repair: 'R0000000000' }, 'repair'],
        [{ colour: 'red' }, 'colour'],
    ]) {
        const r = await complain(body);
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(r.json.error.fields[field], `${field}: ${r.text}`);
    }
    for (const [body, field] of [
        [{ ...OFFICE, zone: 'Mars/Olympus' }, 'zone'],
        [{ ...OFFICE, weekly: { ...OFFICE.weekly, mon: [['9:00', '18:00']] } }, 'weekly'],
        [{ ...OFFICE, weekly: { ...OFFICE.weekly, mon: [['09:00', '25:00']] } }, 'weekly'],
        [{ ...OFFICE, weekly: { funday: [] } }, 'weekly'],
        [{ ...OFFICE, holidays: 'mars' }, 'holidays'],
        [{ ...OFFICE, exceptions: [{ day: '2026-13-01', kind: 'holiday' }] }, 'exceptions'],
        [{ ...OFFICE, exceptions: [{ day: '2026-12-24', kind: 'special_hours' }] }, 'exceptions'],
    ]) {
        const r = await put('/api/v1/calendars/office', body);
        assert.equal(r.status, 422, `${field}: ${r.text}`);
        assert.ok(r.json.error.fields[field], r.text);
    }
    const badPolicy = await put('/api/v1/sla-policies/complaint', { calendar: 'nope', first_response_hours: 24, resolution_hours: 72 });
    assert.equal(badPolicy.status, 422);
    assert.ok(badPolicy.json.error.fields.calendar);
    const badHours = await put('/api/v1/sla-policies/complaint', { calendar: 'office', first_response_hours: '24', resolution_hours: 72 });
    assert.equal(badHours.status, 422);
    assert.equal((await put('/api/v1/calendars/office', OFFICE, agent)).status, 403);
    assert.equal((await put('/api/v1/sla-policies/complaint', { calendar: 'office', first_response_hours: 1, resolution_hours: 2 }, tech)).status, 403);
    assert.equal((await complain({}, tech)).status, 403);
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM complaints'), before);
    const after = await s.api('/api/v1/calendars/office', { token: agent });
    assert.equal(after.json.version, cal.json.version);
    assert.equal((await s.api('/api/v1/sla-policies/complaint', { token: agent })).json.calendar, 'always');
    // an exception of the calendar's own wins over the official schedule
    const own = await put('/api/v1/calendars/office', { ...OFFICE, exceptions: [{ day: '2026-10-10', kind: 'holiday', source: '公司通知' }] });
    assert.equal(own.status, 200, own.text);
    const y = await s.api('/api/v1/calendars/office?year=2026', { token: agent });
    const d = y.json.days.find((x) => x.day === '2026-10-10');
    assert.equal(d.kind, 'holiday');
    assert.equal(d.source, '公司通知');
});

test('reopening keeps the resolution time used: the clock runs again from the reopen, the resolved spans do not count', async () => {
    const p = await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24, resolution_hours: 72 });
    assert.equal(p.status, 200, p.text);
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const recv = Math.floor(Date.now() / 1000) - 50 * 3600; // 50 of the 72 hours used
    const c = await complain({ received_at: iso(recv * 1000) });
    assert.equal(c.status, 201, c.text);
    const code = c.json.code;
    assert.equal(secs(c.json.resolution_due), recv + 72 * 3600);
    const resp = await act(code, 'responses', { text: '已联系客户' });
    assert.equal(resp.status, 201, resp.text);
    const frDue = secs(resp.json.first_response_due);
    const wait = () => new Promise((r) => setTimeout(r, 2100));
    const at = (j, kind) => j.timeline.filter((e) => e.kind === kind).map((e) => secs(e.at));
    // resolved at t1, reopened at t2: the resolution clock stood still in between
    const r1 = await act(code, 'resolve', { note: '已更换主板' });
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.json.clock.running, null);
    await wait();
    const o1 = await act(code, 'transitions', { to: 'reopened', note: '客户说还是坏的' });
    assert.equal(o1.status, 200, o1.text);
    assert.equal(o1.json.status, 'in_progress');
    assert.equal(o1.json.resolved_at, null);
    const [t1] = at(o1.json, 'resolved'), [t2] = at(o1.json, 'reopened');
    assert.equal(t1, secs(r1.json.resolved_at));
    assert.ok(t2 - t1 >= 2, `resolved for ${t2 - t1} s`);
    assert.equal(secs(o1.json.resolution_due), recv + 72 * 3600 + (t2 - t1));
    assert.equal(o1.json.clock.running, 'resolution');
    assert.equal(o1.json.clock.paused, false);
    // 22 h were left when it was resolved; they are left again now (give or take the
    // seconds this test takes)
    const left = o1.json.clock.business_seconds_left;
    assert.ok(left <= 22 * 3600 && left > 22 * 3600 - 30, `left ${left}`);
    assert.equal(secs(o1.json.first_response_due), frDue); // the first response clock is done
    // then a pause, and a second resolve, close and reopen: each span counts out once
    await act(code, 'pause', { reason: '等待客户寄回' });
    await wait();
    const resumed = await act(code, 'resume');
    assert.equal(resumed.status, 200, resumed.text);
    const [pause] = resumed.json.pauses;
    const paused = secs(pause.end) - secs(pause.start);
    assert.equal(secs(resumed.json.resolution_due), recv + 72 * 3600 + (t2 - t1) + paused);
    const r2 = await act(code, 'resolve', { note: '再次维修' });
    assert.equal(r2.status, 200, r2.text);
    assert.equal((await act(code, 'transitions', { to: 'closed' })).json.status, 'closed');
    await wait();
    const o2 = await act(code, 'transitions', { to: 'reopened' });
    assert.equal(o2.status, 200, o2.text);
    const [, t3] = at(o2.json, 'resolved'), [, t4] = at(o2.json, 'reopened');
    assert.ok(t4 - t3 >= 2);
    assert.equal(secs(o2.json.resolution_due), recv + 72 * 3600 + (t2 - t1) + paused + (t4 - t3));
    // a policy edit recomputes from the event log and keeps every span
    const p2 = await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24, resolution_hours: 80 });
    assert.equal(p2.status, 200, p2.text);
    assert.equal(secs((await get(code)).resolution_due), recv + 80 * 3600 + (t2 - t1) + paused + (t4 - t3));
    assert.equal((await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24, resolution_hours: 72 })).status, 200);
});

test('escalation fires once with two servers on one database', async () => {
    // the second server runs its own scheduler every second on the same database (on
    // SQLite too: two servers may share a file, see foundation.test.mjs)
    const s2 = await startServer({ sameDb: s, env: { AFTERSALES_ESCALATION_INTERVAL: '1' } });
    try {
        const p = await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24,
            resolution_hours: 72, escalation: [0.5, 0.75, 1.0] });
        assert.equal(p.status, 200, p.text);
        const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
        const codes = [];
        for (let i = 0; i < 20; i++) { // all three steps of the first response clock are due
            const c = await s2.api('/api/v1/complaints', { token: await s2.token('agent'),
                body: { customer, channel: 'phone', text: `两台服务器 ${i}`, received_at: iso(Date.now() - 30 * 3600e3) } });
            assert.equal(c.status, 201, c.text);
            codes.push(c.json.code);
        }
        // and passes from the command line at the same time
        const runs = await Promise.all([s.run(['escalate']), s2.run(['escalate']), s.run(['escalate'])]);
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        const list = codes.map((c) => `'${c}'`).join(',');
        const count = (q) => sql(s, q);
        let n = '0';
        for (let i = 0; i < 100 && n !== String(3 * codes.length); i++) {
            await new Promise((r) => setTimeout(r, 100));
            n = await count(`SELECT COUNT(*) FROM complaint_escalations e JOIN complaints k ON k.id = e.complaint_id WHERE k.code IN (${list})`);
        }
        assert.equal(n, String(3 * codes.length));
        await new Promise((r) => setTimeout(r, 2500)); // both schedulers pass again
        assert.equal(await count(`SELECT COUNT(*) FROM complaint_events e JOIN complaints k ON k.id = e.complaint_id
            WHERE k.code IN (${list}) AND e.kind = 'escalation'`), String(3 * codes.length));
        const queued = await count(`SELECT COUNT(*) FROM outbox WHERE template IN ('complaint_escalation', 'complaint_breach')
            AND (${codes.map((c) => `payload LIKE '%"${c}"%'`).join(' OR ')})`);
        assert.equal(queued, String(3 * codes.length));
        for (const c of codes.slice(0, 3))
            assert.deepEqual((await get(c)).timeline.filter((e) => e.kind === 'escalation').map((e) => e.note).sort(),
                ['first_response 100% (breach)', 'first_response 50%', 'first_response 75%']);
        // nothing is left due: the next step is the resolution clock's, after a response
        assert.equal(await count(`SELECT COUNT(*) FROM complaints WHERE code IN (${list}) AND next_step_at IS NOT NULL`), '0');
    } finally {
        await s2.stop();
        assert.equal((await put('/api/v1/sla-policies/complaint', { calendar: 'always', first_response_hours: 24,
            resolution_hours: 72, escalation: [0.75, 1.0] })).status, 200);
    }
});
