// Behind a proxy (M16): X-Forwarded-For / -Proto are believed only from --trusted-proxy peers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runProcess, BIN, backend } from './lib/server.mjs';

let open, trusting;
before(async () => {
    open = await startServer({ args: ['--public-rate', '3'] });
    trusting = await startServer({ args: ['--public-rate', '3', '--trusted-proxy', '10.9.0.0/16, 127.0.0.1,::1'] });
    for (const s of [open, trusting]) await s.addUser('alice', 'agent', undefined, 'alice-password');
});
after(async () => {
    await open?.stop();
    await trusting?.stop();
});

const lookup = (s, xff) => s.api('/api/v1/public/models', { headers: xff ? { 'X-Forwarded-For': xff } : {} });

async function spend(s, xff, n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push((await lookup(s, xff)).status);
    return out;
}

test('from an untrusted peer X-Forwarded-For is ignored: every forged address shares the peer\'s limit', async () => {
    assert.deepEqual(await spend(open, '198.51.100.1', 3), [200, 200, 200]);
    const r = await lookup(open, '198.51.100.2');
    assert.equal(r.status, 429, 'a new forged address does not buy a new budget');
    assert.equal(r.json.error.code, 'rate_limited');
    assert.equal((await lookup(open)).status, 429);
});

test('from a trusted peer the right-most untrusted X-Forwarded-For entry is the client', async () => {
    assert.deepEqual(await spend(trusting, '6.6.6.6, 198.51.100.1', 4), [200, 200, 200, 429]);
    // another client behind the same proxy has its own budget
    assert.deepEqual(await spend(trusting, '198.51.100.2, 10.9.4.4', 3), [200, 200, 200]);
    // the forged left-hand part does not change who 198.51.100.1 is
    assert.equal((await lookup(trusting, '7.7.7.7, 198.51.100.1')).status, 429);
    // the proxy's own requests (no header) count for the proxy
    assert.equal((await lookup(trusting)).status, 200);
});

test('logins and the access log name the believed client; the cookie is Secure only when a trusted proxy says https', async () => {
    const body = JSON.stringify({ login: 'alice', password: 'alice-password' });
    const post = (s, headers) => fetch(new URL('/api/v1/session', s.url), {
        method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers },
    });
    let res = await post(trusting, { 'X-Forwarded-For': '203.0.113.50', 'X-Forwarded-Proto': 'https' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie'), /; Secure/);
    res = await post(trusting, { 'X-Forwarded-For': '203.0.113.51' });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.headers.get('set-cookie'), /Secure/);
    res = await post(open, { 'X-Forwarded-For': '203.0.113.52', 'X-Forwarded-Proto': 'https' });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.headers.get('set-cookie'), /Secure/, 'an untrusted peer cannot claim https');
    await new Promise((r) => setTimeout(r, 200));
    const tlog = trusting.logs().stdout + trusting.logs().stderr;
    assert.match(tlog, /login alice from 203\.0\.113\.50/);
    assert.match(tlog, /login alice from 203\.0\.113\.51/);
    assert.match(tlog, /access POST \/api\/v1\/session 200 [\d.]+ms 203\.0\.113\.50\n/, 'the access log names the client');
    const olog = open.logs().stdout + open.logs().stderr;
    assert.doesNotMatch(olog, /203\.0\.113\.52/);
    assert.match(olog, /login alice from 127\.0\.0\.1/);
    assert.match(olog, /access POST \/api\/v1\/session 200 [\d.]+ms 127\.0\.0\.1\n/);
});

test('a bad --trusted-proxy list is refused with a clear message', async () => {
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1,']) {
        const r = await runProcess(BIN, ['serve', '--db', ':memory:', '--trusted-proxy', bad]);
        assert.equal(r.code, 2, bad);
        assert.match(r.stderr, /--trusted-proxy wants CIDR/);
    }
});

test('on PostgreSQL the login and portal limits hold across servers on one database', async (t) => {
    if (backend() !== 'postgres') return t.skip('needs PostgreSQL (AFTERSALES_TEST_PG): on SQLite there is one server');
    const a = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
    const b = await startServer({ sameDb: a, args: ['--trusted-proxy', '127.0.0.1'] });
    try {
        await a.addUser('dave', 'agent', undefined, 'dave-password');
        let last;
        for (let i = 0; i < 11; i++)
            last = await (i % 2 ? b : a).api('/api/v1/session', { body: { login: 'dave', password: 'wrong-' + i } });
        assert.equal(last.status, 429, 'ten misses split over two servers are counted together');
        for (const s of [a, b]) {
            const r = await s.api('/api/v1/session', { body: { login: 'dave', password: 'dave-password' } });
            assert.equal(r.status, 429);
        }
        // portal misses by one client (behind the proxy) are counted together too
        const miss = (s) => s.api('/api/v1/public/orders/NO-SUCH?phone_tail=0000',
            { headers: { 'X-Forwarded-For': '198.51.100.77' } });
        const statuses = [];
        for (let i = 0; i < 12; i++) statuses.push((await miss(i % 2 ? b : a)).status);
        assert.ok(statuses.slice(0, 10).every((x) => x === 404), statuses.join());
        assert.deepEqual(statuses.slice(10), [429, 429]);
        const other = await b.api('/api/v1/public/orders/NO-SUCH?phone_tail=0000',
            { headers: { 'X-Forwarded-For': '198.51.100.78' } });
        assert.equal(other.status, 404, 'another client is not locked out');
    } finally {
        await b.stop();
        await a.stop();
    }
});
