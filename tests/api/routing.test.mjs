// Routing a new repair (issue 6): constructed cases where the expected outlet is known:
// inactive, suspended, not covering, unauthorised, full, farther, loaded. Both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { outletBody, addRepairs } from './network-helpers.mjs';

let s, admin, agent;
before(async () => {
    s = await startServer();
    [admin, agent] = await Promise.all([s.token('admin'), s.token('agent')]);
    const mk = async (code, extra) => {
        const r = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, extra) });
        assert.equal(r.status, 201, r.text);
    };
    // customer in 天河区 440106 (广州 440100, 广东 440000), product line TV
    await mk('NEAR', { grade: 'B', capacity: 10 });
    await mk('INACT', { grade: 'A', capacity: 100, covers: ['440100'], active: false });
    await mk('SUSP', { grade: 'A', capacity: 100, suspended_from: '2020-01-01', suspended_until: '2099-01-01' });
    await mk('EXPIRED', { type: 'agent', grade: 'A', capacity: 100, contract_start: '2020-01-01', contract_end: '2021-12-31' });
    await mk('UNAUTH', { grade: 'A', capacity: 100, product_lines: ['PC'] });
    await mk('NOCOV', { grade: 'A', capacity: 100, covers: ['440104', '440300'] });
    await mk('FULL', { grade: 'A', capacity: 2 });
    await mk('FAR', { grade: 'B', capacity: 10, region: '440305', covers: ['440000'] });
    await addRepairs(s, 'FULL', 2, 'diagnosing');
});
after(async () => { await s?.stop(); });

const suggest = (region, line, token = agent) =>
    s.api(`/api/v1/routing/suggest?region=${region}&product_line=${line}`, { token });

test('only active, covering, authorised outlets are candidates; full ones last; nearer first', async () => {
    const r = await suggest('440106', 'TV');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outlet, 'NEAR');
    assert.deepEqual(r.json.candidates.map((c) => c.code), ['NEAR', 'FAR', 'FULL']);
    const [near, far, full] = r.json.candidates;
    assert.equal(near.distance, 'county');
    assert.equal(far.distance, 'province');
    assert.equal(full.full, true);
    assert.equal(full.open_repairs, 2);
    assert.equal(near.load, 0);
    assert.match(r.json.reason, /^chosen because it is active, covers 440106 and is authorised for TV; load 0\/10/);
    assert.match(r.json.reason, /next best FAR/);
});

test('workload balances: a loaded near outlet loses to an idle farther one; finished repairs do not count', async () => {
    await addRepairs(s, 'NEAR', 9, 'repairing');      // load 0.9
    await addRepairs(s, 'FAR', 6, 'repaired');        // not open
    await addRepairs(s, 'FAR', 3, 'delivered');
    await addRepairs(s, 'FAR', 3, 'cancelled');
    const r = await suggest('440106', 'TV');
    assert.equal(r.json.outlet, 'FAR', JSON.stringify(r.json.candidates));
    assert.equal(r.json.candidates[0].open_repairs, 0);
    assert.equal(r.json.candidates[1].code, 'NEAR');
    assert.equal(r.json.candidates[1].open_repairs, 9);
});

test('an outlet covering the province serves a county elsewhere in it; none for other lines or places', async () => {
    let r = await suggest('440305', 'TV');
    assert.equal(r.json.outlet, 'FAR');
    assert.equal(r.json.candidates[0].distance, 'county');
    r = await suggest('440106', 'GAME');
    assert.equal(r.status, 200);
    assert.equal(r.json.outlet, null);
    assert.deepEqual(r.json.candidates, []);
    assert.match(r.json.reason, /no active outlet covers 440106 and is authorised for GAME/);
    r = await suggest('110105', 'TV');
    assert.equal(r.json.outlet, null);
});

test('re-activating an outlet makes it a candidate again', async () => {
    const o = (await s.api('/api/v1/outlets/INACT', { token: admin })).json;
    const r = await s.api('/api/v1/outlets/INACT', { token: admin, method: 'PATCH', body: { version: o.version, active: true } });
    assert.equal(r.status, 200, r.text);
    const g = await suggest('440106', 'TV');
    assert.equal(g.json.outlet, 'INACT', 'grade A, idle, covers the city');
    assert.equal(g.json.candidates[0].distance, 'county');
});

test('bad requests and roles', async () => {
    let r = await suggest('440100', 'TV');
    assert.equal(r.status, 422, 'a city is not a county');
    assert.ok(r.json.error.fields.region);
    r = await s.api('/api/v1/routing/suggest?region=440106', { token: agent });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.product_line);
    r = await suggest('440106', 'TV', await s.token('technician', 'NEAR'));
    assert.equal(r.status, 403);
    r = await s.api('/api/v1/routing/suggest?region=440106&product_line=TV');
    assert.equal(r.status, 401);
});
