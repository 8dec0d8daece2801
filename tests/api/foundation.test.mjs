// The foundation: errors, auth, roles, CSRF, tokens, metrics, static files, shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, api, backend, BIN, ROOT } from './lib/server.mjs';

let s;
before(async () => {
    s = await startServer();
    await s.addUser('alice', 'agent', undefined, 'alice-password');
    await s.addUser('root', 'admin', undefined, 'root-password');
});
after(async () => {
    assert.equal(await s.stop(), 0, 'server exits 0 on SIGTERM');
});

test('healthz answers ok without credentials', async () => {
    const r = await s.api('/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
});

test('unknown routes answer 404 JSON, wrong methods 405', async () => {
    let r = await s.api('/api/v1/no-such-thing');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'not_found');
    r = await s.api('/api/v1/me', { method: 'PUT', body: {} });
    assert.equal(r.status, 405);
    assert.equal(r.json.error.code, 'method_not_allowed');
});

test('login: malformed JSON 400, wrong types 422 with fields, no JSON type 415', async () => {
    let r = await s.api('/api/v1/session', { body: '{"login": "alice",', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'bad_json');
    r = await s.api('/api/v1/session', { body: '[1,2]', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await s.api('/api/v1/session', { body: { login: 42, password: true } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.equal(r.json.error.fields.login, 'must be a string');
    assert.equal(r.json.error.fields.password, 'must be a string');
    r = await s.api('/api/v1/session', { body: { login: 'alice' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.password, 'required');
    r = await s.api('/api/v1/session', { body: 'login=alice', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 415);
});

test('a body over the limit answers 413 and logs nobody in', async () => {
    const big = JSON.stringify({ login: 'alice', password: 'alice-password', pad: 'x'.repeat(1100 * 1024) });
    const r = await s.api('/api/v1/session', { body: big, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'body_too_large');
    assert.equal(r.headers.get('set-cookie'), null);
});

test('a huge declared body is refused with 413 before it is sent', async () => {
    const net = await import('node:net');
    const { port } = new URL(s.url);
    const answer = await new Promise((resolve, reject) => {
        const sock = net.connect(Number(port), '127.0.0.1', () => {
            sock.write('POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                'Content-Length: 10000000000\r\n\r\n{"login":');
        });
        let got = '';
        sock.on('data', (d) => { got += d; });
        sock.on('close', () => resolve(got));
        sock.on('error', reject);
        setTimeout(() => { sock.destroy(); resolve(got); }, 5000);
    });
    assert.match(answer, /^HTTP\/1\.1 413/);
    assert.match(answer, /"body_too_large"/);
});

test('wrong password 401, right password logs in with an HttpOnly SameSite cookie', async () => {
    let r = await s.api('/api/v1/session', { body: { login: 'alice', password: 'nope-nope' } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'invalid_credentials');
    r = await s.api('/api/v1/session', { body: { login: 'nobody', password: 'nope-nope' } });
    assert.equal(r.status, 401);
    const me = await s.login('alice', 'alice-password');
    assert.match(me.setCookie, /HttpOnly/);
    assert.match(me.setCookie, /SameSite=Strict/);
    assert.equal(me.user.login, 'alice');
    assert.equal(me.user.role, 'agent');
    assert.equal(me.user.outlet, null);
    assert.match(me.csrf, /^[0-9a-f]{64}$/);
    r = await me.request('/api/v1/me');
    assert.equal(r.status, 200);
    assert.equal(r.json.user.login, 'alice');
    assert.equal(r.json.csrf_token, me.csrf);
});

test('no or bad credentials answer 401', async () => {
    let r = await s.api('/api/v1/me');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unauthenticated');
    r = await s.api('/api/v1/me', { headers: { Cookie: 'as_session=' + '0'.repeat(64) } });
    assert.equal(r.status, 401);
    r = await s.api('/api/v1/me', { token: 'ast_' + 'f'.repeat(64) });
    assert.equal(r.status, 401);
});

test('writes with a session need the CSRF token; logout ends the session', async () => {
    const me = await s.login('alice', 'alice-password');
    let r = await me.request('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': 'wrong' } });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'csrf');
    r = await me.request('/api/v1/me');
    assert.equal(r.status, 200, 'a refused logout changed nothing');
    r = await me.request('/api/v1/session', { method: 'DELETE' });
    assert.equal(r.status, 204);
    r = await me.request('/api/v1/me');
    assert.equal(r.status, 401);
});

test('bearer tokens authenticate; roles are enforced (403)', async () => {
    const admin = await s.token('admin');
    const agent = await s.token('agent', undefined, { name: 'crm-sync' });
    let r = await s.api('/api/v1/me', { token: agent });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.role, 'agent');
    assert.equal(r.json.user.login, 'token:crm-sync');
    r = await s.api('/metrics', { token: agent });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden');
    r = await s.api('/metrics', { token: admin });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain/);
    assert.match(r.text, /aftersales_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(r.text, /aftersales_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/me",le="\+Inf"\} \d+/);
    assert.match(r.text, /aftersales_db_seconds_total \d/);
});

test('SQLite commits in groups: concurrent writes all land, each after a WAL sync', { skip: backend() === 'postgres' && 'SQLite only' }, async (t) => {
    const admin = await s.token('admin');
    const stats = async () => {
        const r = await s.api('/metrics', { token: admin });
        assert.equal(r.status, 200);
        const n = (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(r.text)?.[1]);
        return { commits: n('aftersales_db_commits_total'), syncs: n('aftersales_db_wal_syncs_total') };
    };
    const before = await stats();
    assert.ok(Number.isInteger(before.commits) && Number.isInteger(before.syncs), 'the counters are on /metrics');
    const N = 40;
    const made = await Promise.all(Array.from({ length: N }, (_, i) => s.api('/api/v1/customers', {
        token: admin, body: { name: `并发 ${i}`, phone: `1390000${String(i).padStart(4, '0')}` } })));
    assert.deepEqual(made.map((r) => r.status), Array(N).fill(201));
    const after = await stats();
    const commits = after.commits - before.commits, syncs = after.syncs - before.syncs;
    // every create committed durably (at least one commit each, audit and all); the syncs
    // are shared, never more than the commits, and at least one was made
    assert.ok(commits >= N, `commits ${commits}`);
    assert.ok(syncs >= 1 && syncs <= commits, `syncs ${syncs} for ${commits} commits`);
    t.diagnostic(`${commits} commits, ${syncs} WAL syncs`);
});

test('repeated failed logins are rate-limited per login (429), even with the right password', async () => {
    await s.addUser('carol', 'agent', undefined, 'carol-password');
    let last;
    for (let i = 0; i < 11; i++)
        last = await s.api('/api/v1/session', { body: { login: 'carol', password: 'wrong-' + i } });
    assert.equal(last.status, 429);
    assert.equal(last.json.error.code, 'rate_limited');
    const r = await s.api('/api/v1/session', { body: { login: 'carol', password: 'carol-password' } });
    assert.equal(r.status, 429);
    // another login from the same address is not locked out by carol's
    const ok = await s.api('/api/v1/session', { body: { login: 'alice', password: 'alice-password' } });
    assert.equal(ok.status, 200);
});

test('failed logins are rate-limited per client address too, across logins', async () => {
    const t = await startServer();
    try {
        await t.addUser('erin', 'agent', undefined, 'erin-password');
        let last;
        for (let i = 0; i < 51; i++)
            last = await t.api('/api/v1/session', { body: { login: `guess${i}`, password: 'x-x-x-x-x' } });
        assert.equal(last.status, 429);
        const r = await t.api('/api/v1/session', { body: { login: 'erin', password: 'erin-password' } });
        assert.equal(r.status, 429, 'the address is locked out for every login');
    } finally {
        await t.stop();
    }
});

test('static files: the app, vendor modules on the allow-list only, no path escapes', async () => {
    let r = await s.api('/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const etag = r.headers.get('etag');
    assert.ok(etag);
    r = await s.api('/', { headers: { 'If-None-Match': etag } });
    assert.equal(r.status, 304);
    r = await s.api('/vendor/preact/package.json');
    assert.equal(r.status, 200);
    r = await s.api('/vendor/playwright-core/package.json');
    assert.equal(r.status, 404);
    r = await s.api('/vendor/preact/../playwright-core/package.json');
    assert.equal(r.status, 404);
    r = await s.api('/%2e%2e/Makefile');
    assert.equal(r.status, 404);
});

// SIGTERM while requests are in flight: they complete, the exit status is 0, and what
// they committed is there for the next server.
test('graceful shutdown finishes in-flight requests and loses nothing', async () => {
    const t = await startServer();
    await t.addUser('dave', 'agent', undefined, 'dave-password');
    // Argon2id makes each login take tens of milliseconds: a queue of them is in flight.
    const logins = Array.from({ length: 6 }, () =>
        api(t.url, '/api/v1/session', { body: { login: 'dave', password: 'dave-password' } }));
    await new Promise((r) => setTimeout(r, 40));
    const pid = await pidOf(t);
    process.kill(pid, 'SIGTERM');
    const results = await Promise.all(logins);
    for (const r of results) assert.equal(r.status, 200);
    assert.equal(await waitExit(pid), true);
    assert.match(t.logs().stderr, /SIGTERM: no new connections; finishing [1-9]\d* requests in flight/,
        'the signal came while requests were in flight');
    // a fresh server on the same database accepts every session those logins created
    const again = spawn(BIN, ['serve', '--db', t.db, '--listen', '127.0.0.1:0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise((resolve, reject) => {
        let out = '';
        again.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (http:\S+)/.exec(out);
            if (m) resolve(m[1]);
        });
        again.on('exit', () => reject(new Error('second server died')));
    });
    for (const r of results) {
        const cookie = /as_session=[0-9a-f]+/.exec(r.headers.get('set-cookie'))[0];
        const me = await api(url, '/api/v1/me', { headers: { Cookie: cookie } });
        assert.equal(me.status, 200);
    }
    const code2 = await new Promise((res) => { again.on('exit', (c) => res(c)); again.kill('SIGTERM'); });
    assert.equal(code2, 0);
    assert.equal(await t.stop(), 0, "the first server exited 0");
});

async function pidOf(t) {
    // the harness keeps the child process; find it by its database URL in /proc
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const p of readdirSync('/proc')) {
        if (!/^\d+$/.test(p)) continue;
        try {
            const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
            if (cmd[0] === BIN && cmd[1] === 'serve' && cmd.includes(t.db)) return Number(p);
        } catch { /* gone */ }
    }
    throw new Error('server process not found');
}

async function waitExit(pid) {
    for (let i = 0; i < 500; i++) {
        try { process.kill(pid, 0); } catch { return true; }
        await new Promise((r) => setTimeout(r, 20));
    }
    return false;
}
