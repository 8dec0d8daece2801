// On-site visit appointments (issue 6): technician slots within the outlet's opening
// hours (weekday hours and exceptions), no double-booking even when requests race,
// confinement for outlet staff. Both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { outletBody, sql } from './network-helpers.mjs';

let s, admin, agent, tech, techB;
// a Wednesday well in the future, and the Thursday after it
const DAY = '2031-01-08', HOLIDAY = '2031-01-09';
before(async () => {
    s = await startServer();
    [admin, agent] = await Promise.all([s.token('admin'), s.token('agent')]);
    const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '09:00', closes: '13:00' }));
    let r = await s.api('/api/v1/outlets', { token: admin, body: outletBody('AP1', { hours,
        hours_exceptions: [{ day: HOLIDAY, note: '休息' }] }) });
    assert.equal(r.status, 201, r.text);
    r = await s.api('/api/v1/outlets', { token: admin, body: outletBody('AP2', { region: '110105', covers: ['110105'] }) });
    assert.equal(r.status, 201, r.text);
    tech = (await s.api('/api/v1/technicians', { token: admin, body: { outlet: 'AP1', name: '上门 甲' } })).json.code;
    techB = (await s.api('/api/v1/technicians', { token: admin, body: { outlet: 'AP2', name: '上门 乙' } })).json.code;
});
after(async () => { await s?.stop(); });

const book = (body, token = agent) => s.api('/api/v1/appointments', { token, body });

test('slots follow the opening hours, exceptions and bookings', async () => {
    let r = await s.api(`/api/v1/outlets/AP1/slots?date=${DAY}`, { token: agent });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.open, true);
    assert.equal(r.json.opens, '09:00');
    const mine = r.json.technicians.find((t) => t.code === tech);
    assert.deepEqual(mine.slots.map((x) => x.starts_at),
        ['2031-01-08T01:00:00Z', '2031-01-08T02:00:00Z', '2031-01-08T03:00:00Z', '2031-01-08T04:00:00Z']);
    r = await s.api(`/api/v1/outlets/AP1/slots?date=${HOLIDAY}`, { token: agent });
    assert.equal(r.json.open, false);
    assert.deepEqual(r.json.technicians[0].slots, []);
    r = await s.api('/api/v1/outlets/AP1/slots?date=2031-01-11', { token: agent });  // Saturday
    assert.equal(r.json.open, false);

    r = await book({ technician: tech, starts_at: `${DAY}T10:00:00+08:00`, minutes: 90, repair: 'R1', note: '电视上门' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^A\d{6}$/);
    assert.equal(r.json.starts_at, '2031-01-08T02:00:00Z');
    assert.equal(r.json.ends_at, '2031-01-08T03:30:00Z');
    assert.equal(r.json.outlet, 'AP1');
    r = await s.api(`/api/v1/outlets/AP1/slots?date=${DAY}&technician=${tech}`, { token: agent });
    assert.deepEqual(r.json.technicians[0].slots.map((x) => x.starts_at), ['2031-01-08T01:00:00Z', '2031-01-08T04:00:00Z']);
    const audit = await sql(s, "SELECT COUNT(*) FROM audit WHERE entity = 'appointment'");
    assert.equal(audit, '1');
});

test('no double-booking, outside hours refused', async () => {
    let r = await book({ technician: tech, starts_at: `${DAY}T11:00:00+08:00` });
    assert.equal(r.status, 409, 'overlaps 10:00-11:30');
    assert.equal(r.json.error.code, 'conflict');
    r = await book({ technician: tech, starts_at: `${DAY}T08:00:00+08:00` });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.starts_at);
    r = await book({ technician: tech, starts_at: `${DAY}T12:30:00+08:00` });
    assert.equal(r.status, 422, 'would end after closing');
    r = await book({ technician: tech, starts_at: `${HOLIDAY}T10:00:00+08:00` });
    assert.equal(r.status, 422, 'closed that day');
    r = await book({ technician: tech, starts_at: 'tomorrow' });
    assert.equal(r.status, 422);
    r = await book({ technician: 'T999999', starts_at: `${DAY}T09:00:00+08:00` });
    assert.equal(r.status, 422);
    // ten racing requests for the same free hour: exactly one wins
    const race = await Promise.all(Array.from({ length: 10 }, () =>
        book({ technician: tech, starts_at: `${DAY}T12:00:00+08:00` })));
    assert.deepEqual(race.map((x) => x.status).sort(), [201, ...Array(9).fill(409)]);
    const n = await sql(s, `SELECT COUNT(*) FROM appointments a JOIN technicians t ON t.id = a.technician_id
        WHERE t.code = '${tech}' AND a.cancelled_at IS NULL`);
    assert.equal(n, '2');
});

test('cancel frees the slot; outlet staff only see and book their own outlet', async () => {
    const list = await s.api(`/api/v1/appointments?date=${DAY}&outlet=AP1`, { token: agent });
    assert.equal(list.json.items.length, 2);
    const code = list.json.items[0].code;
    const mgrB = await s.token('outlet_manager', 'AP2');
    let r = await s.api(`/api/v1/appointments/${code}/cancel`, { token: mgrB, method: 'POST', body: {} });
    assert.equal(r.status, 404);
    r = await s.api(`/api/v1/appointments?date=${DAY}`, { token: mgrB });
    assert.deepEqual(r.json.items, []);
    r = await book({ technician: tech, starts_at: `${DAY}T09:00:00+08:00` }, mgrB);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.technician, 'no such technician');
    r = await s.api(`/api/v1/outlets/AP1/slots?date=${DAY}`, { token: mgrB });
    assert.equal(r.status, 404);
    r = await book({ technician: techB, starts_at: `${DAY}T09:00:00+08:00` }, mgrB);
    assert.equal(r.status, 201, r.text);

    r = await s.api(`/api/v1/appointments/${code}/cancel`, { token: agent, method: 'POST', body: {} });
    assert.equal(r.status, 200);
    assert.equal(r.json.cancelled, true);
    r = await s.api(`/api/v1/appointments/${code}/cancel`, { token: agent, method: 'POST', body: {} });
    assert.equal(r.status, 409);
    r = await book({ technician: tech, starts_at: `${DAY}T10:00:00+08:00` });
    assert.equal(r.status, 201, 'the cancelled slot is free again');
});
