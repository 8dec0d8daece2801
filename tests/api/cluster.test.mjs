// Several servers on one PostgreSQL (M16): three `aftersales serve` behind nginx
// (scripts/cluster); codes, sessions, the login limit, kill -9 and the outbox across them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runProcess, api, ROOT } from './lib/server.mjs';
import { sql, freshSerial, DEMO_PASSWORD } from './repairs-helpers.mjs';
import { startSink } from './sink-helpers.mjs';

const PG = process.env.AFTERSALES_TEST_PG;
const skip = PG ? false : 'needs PostgreSQL: runs in the api-pg suite (AFTERSALES_TEST_PG); one SQLite file has one server';

let owner, dir, url, servers, sink, customer;

async function login(base, loginName, password) {
    const res = await fetch(new URL('/api/v1/session', base), {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: loginName, password }),
    });
    const body = await res.json();
    const m = /as_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '');
    return { status: res.status, cookie: m ? `as_session=${m[1]}` : null, csrf: body.csrf_token };
}

const authed = (who) => ({ Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/json' });

before(async () => {
    if (skip) return;
    owner = await startServer({ backend: 'postgres' });
    const d = await owner.run(['demo']);
    assert.equal(d.code, 0, d.stderr);
    customer = await sql(owner, 'SELECT code FROM customers ORDER BY id LIMIT 1');
    sink = await startSink();
    dir = await mkdtemp(path.join(os.tmpdir(), 'cluster-'));
    await rm(dir, { recursive: true });
    const r = await runProcess(path.join(ROOT, 'scripts/cluster'), ['start', dir, '3', owner.db], {
        env: {
            CLUSTER_SERVE_ARGS: `--smtp smtp://127.0.0.1:${sink.port} --public-rate 100000 --threads 4`,
            AFTERSALES_OUTBOX_INTERVAL: '1',
        },
    });
    assert.equal(r.code, 0, r.stderr);
    url = r.stdout.trim().split('\n').pop();
    servers = (await readFile(path.join(dir, 'servers'), 'utf8')).trim().split('\n')
        .map((l) => { const [pid, u] = l.split(' '); return { pid: Number(pid), url: u }; });
    assert.equal(servers.length, 3);
});

after(async () => {
    if (skip) return;
    if (dir) await runProcess(path.join(ROOT, 'scripts/cluster'), ['stop', dir]);
    await sink?.remove();
    await owner?.stop();
});

const createRepair = (base, who) => fetch(new URL('/api/v1/repairs', base), {
    method: 'POST', headers: authed(who),
    body: JSON.stringify({ customer, serial: freshSerial('CL'), model: 'XR-75X90L', kind: 'carry_in', channel: 'phone', fault: '无法开机', outlet: 'O0001' }),
}).then(async (res) => ({ status: res.status, json: res.status === 201 ? await res.json() : null }))
    .catch(() => ({ status: 0 }));

const requestsIn = async (i, needle) =>
    (await readFile(path.join(dir, `serve-${i + 1}.log`), 'utf8')).split('\n').filter((l) => l.includes(needle)).length;

test('a login made through one server works on every server', { skip }, async () => {
    const who = await login(servers[0].url, 'agent', DEMO_PASSWORD);
    assert.equal(who.status, 200);
    for (const s of [...servers, { url }]) {
        const r = await api(s.url, '/api/v1/me', { headers: { Cookie: who.cookie } });
        assert.equal(r.status, 200, s.url);
        assert.equal(r.json.user.login, 'agent');
    }
});

test('a deactivated account is refused on every server on the next request', { skip }, async () => {
    await owner.addUser('frank', 'agent', undefined, 'frank-password');
    const who = await login(url, 'frank', 'frank-password');
    for (const s of servers) assert.equal((await api(s.url, '/api/v1/me', { headers: { Cookie: who.cookie } })).status, 200);
    await sql(owner, "UPDATE users SET active = 0 WHERE login = 'frank'");
    for (const s of servers) assert.equal((await api(s.url, '/api/v1/me', { headers: { Cookie: who.cookie } })).status, 401, s.url);
});

test('200 concurrent repair creations spread over three servers give 200 distinct codes', { skip }, async () => {
    const who = await login(url, 'agent', DEMO_PASSWORD);
    const before = await Promise.all(servers.map((_, i) => requestsIn(i, 'POST /api/v1/repairs')));
    const got = await Promise.all(Array.from({ length: 200 }, () => createRepair(url, who)));
    assert.deepEqual([...new Set(got.map((g) => g.status))], [201]);
    const codes = new Set(got.map((g) => g.json.code));
    assert.equal(codes.size, 200);
    const after = await Promise.all(servers.map((_, i) => requestsIn(i, 'POST /api/v1/repairs')));
    after.forEach((n, i) => assert.ok(n - before[i] >= 20, `server ${i + 1} served ${n - before[i]} of them`));
});

test('the login rate limit holds across servers (through the proxy)', { skip }, async () => {
    await owner.addUser('erin', 'agent', undefined, 'erin-password');
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(url, 'erin', 'wrong-' + i)).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429, 'ten misses spread over three servers are counted together');
    for (const s of servers) assert.equal((await login(s.url, 'erin', 'erin-password')).status, 429, s.url);
});

test('an outbox message is sent exactly once with three senders running', { skip }, async () => {
    await sql(owner, `INSERT INTO outbox (channel, recipient, template, payload, created_at) VALUES ('email', 'cluster@example.com', 'campaign', '{"lang":"en","title":"Cluster","text":"Once only."}', 1)`);
    let status = '';
    for (let i = 0; i < 100 && status !== 'sent'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await sql(owner, `SELECT status FROM outbox WHERE recipient = 'cluster@example.com'`);
    }
    assert.equal(status, 'sent');
    await new Promise((r) => setTimeout(r, 2500)); // three more passes of every sender
    const got = (await sink.messages()).filter((m) => m.headers.to?.includes('cluster@example.com'));
    assert.equal(got.length, 1);
    assert.match(got[0].headers.subject ?? '', /Cluster/);
});

test('kill -9 of one server during load loses no acknowledged write; the others keep answering', { skip }, async () => {
    const who = await login(url, 'agent', DEMO_PASSWORD);
    const victim = servers[2];
    const load = [];
    for (let i = 0; i < 150; i++) {
        load.push(createRepair(url, who));
        if (i === 50) process.kill(victim.pid, 'SIGKILL');
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const got = await Promise.all(load);
    const acked = got.filter((g) => g.status === 201).map((g) => g.json.code);
    assert.ok(acked.length >= 100, `${acked.length} of 150 acknowledged`);
    const list = acked.map((c) => `'${c}'`).join(',');
    assert.equal(Number(await sql(owner, `SELECT count(*) FROM repairs WHERE code IN (${list})`)), acked.length);
    for (const s of servers.slice(0, 2)) assert.equal((await api(s.url, '/healthz')).status, 200);
    const after = await Promise.all(Array.from({ length: 20 }, () => createRepair(url, who)));
    assert.deepEqual([...new Set(after.map((g) => g.status))], [201], 'the proxy routes around the dead server');
});
