// The demo's staff outlets (O0001, O0002: created with the demo logins, before the
// network) keep the network's 365-day opening hours, so their technicians can be booked
// on site like everyone else's. Both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let s, manager;
before(async () => {
    s = await startServer();
    const r = await s.run(['demo']);
    assert.equal(r.code, 0, r.stderr);
    manager = await s.token('admin');
});
after(async () => { assert.equal(await s.stop(), 0); });

test('the staff outlets are open every day like the other demo outlets', async () => {
    for (const code of ['O0001', 'O0002', 'O0003']) {
        const r = await s.api(`/api/v1/outlets/${code}`, { token: manager });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.hours.map((h) => h.weekday), [1, 2, 3, 4, 5, 6, 7], code);
        if (code === 'O0003') continue; // a network outlet, no demo technicians
        const day = new Date(Date.now() + 8 * 86400e3).toISOString().slice(0, 10);
        const sl = await s.api(`/api/v1/outlets/${code}/slots?date=${day}`, { token: manager });
        assert.equal(sl.status, 200, sl.text);
        assert.equal(sl.json.open, true, `${code} open on ${day}`);
        assert.ok(sl.json.technicians.some((x) => x.slots.length > 0), `${code} has free slots`);
    }
});
