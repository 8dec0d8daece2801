// --public-rate on several servers (M16 scale-out): on PostgreSQL the per-client budget of
// the public routes is counted in rate_limits, so two servers on one database share it.
// SQLite has one server and keeps the count in process (proxy.test.mjs covers that).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

const skip = process.env.AFTERSALES_TEST_PG ? false : 'needs PostgreSQL (AFTERSALES_TEST_PG): one SQLite file has one server';
let a, b;
before(async () => {
    if (skip) return;
    a = await startServer({ args: ['--public-rate', '4'] });
    b = await startServer({ sameDb: a, args: ['--public-rate', '4'] });
});
after(async () => {
    await b?.stop();
    await a?.stop();
});

test('the public-route limit holds across two servers on one PostgreSQL', { skip }, async () => {
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await (i % 2 ? b : a).api('/api/v1/public/models')).status);
    assert.deepEqual(got, [200, 200, 200, 200]);
    for (const s of [a, b]) {
        const r = await s.api('/api/v1/public/models');
        assert.equal(r.status, 429, 'the budget is spent on both servers together');
        assert.equal(r.headers.get('retry-after'), '60');
    }
});
