// Administration (M16), the contract points: `aftersales user disable|enable LOGIN`
// (a disabled login's session and owned bearer tokens get 401; enable restores login),
// token expiry, and `aftersales restore FILE [--db PATH] [--force]` (backup → restore →
// kpi --check and identical record counts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, runProcess, BIN, DEFAULT_PASSWORD } from './lib/server.mjs';

let s;
const dir = mkdtempSync(path.join(os.tmpdir(), 'admin-'));
// The CLI is another process; a running server reads the account on every request, so
// no wait is needed (admin-rights.test.mjs checks the very next request).
const CACHE_MS = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
    s = await startServer();
    await s.addUser('alice', 'agent');
    await s.addUser('carol', 'agent');
});
after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await s.stop(), 0);
});

async function auditRows(login) {
    const q = `SELECT actor || '|' || action || '|' || entity || '|' || entity_code || '|' || detail`
        + ` FROM audit WHERE entity = 'user' AND entity_code = '${login}' ORDER BY id;`;
    const r = s.backend === 'postgres'
        ? await runProcess('psql', [s.db, '-qAtX', '-c', q])
        : await runProcess('sqlite3', [s.db, q]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean);
}

test('user disable: the open session and the owned token get 401; enable lets the login back in', async () => {
    const alice = await s.login('alice');
    const token = await s.token('agent', undefined, { name: 'alice-int' });
    const own = (await s.run(['token', 'create', '--role', 'agent', '--name', 'alice-own', '--user', 'alice'])).stdout.trim();
    assert.match(own, /^ast_[0-9a-f]{64}$/);
    assert.equal((await alice.request('/api/v1/me')).status, 200);
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 200);

    const d = await s.run(['user', 'disable', 'alice']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /user alice disabled/);
    await sleep(CACHE_MS);
    const me = await alice.request('/api/v1/me');
    assert.equal(me.status, 401, 'the session ended');
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 401, 'the token of the login is refused');
    assert.equal((await s.api('/api/v1/me', { token })).status, 200, 'a token of no login is not touched');
    await assert.rejects(s.login('alice'), /HTTP 401/, 'a disabled login cannot log in');
    // another account goes on working
    const carol = await s.login('carol');
    const cm = await carol.request('/api/v1/me');
    assert.equal(cm.status, 200);
    assert.match(cm.text, /"carol"/);

    const e = await s.run(['user', 'enable', 'alice']);
    assert.equal(e.code, 0, e.stderr);
    await sleep(CACHE_MS);
    const again = await s.login('alice');
    assert.equal((await again.request('/api/v1/me')).status, 200);
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 200, 'the token works again');
    assert.equal((await alice.request('/api/v1/me')).status, 401, 'the old session stays ended');

    assert.deepEqual(await auditRows('alice'), [
        'cli|disable|user|alice|{"fields":["active"]}',
        'cli|enable|user|alice|{"fields":["active"]}',
    ]);
});

test('user disable|enable: unknown login exit 1, bad usage exit 2, --help', async () => {
    const r = await s.run(['user', 'disable', 'nobody']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no login nobody/);
    assert.equal((await s.run(['user', 'disable'])).code, 2);
    assert.equal((await s.run(['user', 'frobnicate', 'alice'])).code, 2);
    const h = await s.run(['user', '--help'], { db: false });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /user disable LOGIN \| user enable LOGIN/);
});

test('a token past its expiry is refused', async () => {
    const r = await s.run(['token', 'create', '--role', 'agent', '--name', 'short', '--expires-in', '3']);
    assert.equal(r.code, 0, r.stderr);
    const t = r.stdout.trim();
    assert.equal((await s.api('/api/v1/me', { token: t })).status, 200);
    await sleep(3200);
    assert.equal((await s.api('/api/v1/me', { token: t })).status, 401);
    assert.equal((await s.run(['token', 'create', '--role', 'agent', '--expires-in', 'soon'])).code, 2);
    assert.equal((await s.run(['token', 'create', '--role', 'agent', '--user', 'nobody'])).code, 1);
});

const TABLES = ['customers', 'units', 'repairs', 'repair_events', 'outlets', 'users', 'complaints', 'audit'];

async function counts(file) {
    const q = TABLES.map((t) => `SELECT '${t}', count(*) FROM ${t};`).join('\n');
    const r = await runProcess('sqlite3', [file, q]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
}

test('restore: backup → restore → kpi --check and identical counts; refuses to overwrite without --force', async () => {
    const live = path.join(dir, 'live.db');
    const bak = path.join(dir, 'backup.db');
    const restored = path.join(dir, 'restored.db');
    const run = (args) => runProcess(BIN, args);
    let r = await run(['demo', '--customers', '40', '--repairs', '150', '--db', live]);
    assert.equal(r.code, 0, r.stderr);
    r = await run(['backup', bak, '--db', live]);
    assert.equal(r.code, 0, r.stderr);
    r = await run(['restore', bak, '--db', restored]);
    assert.equal(r.code, 0, r.stderr);
    r = await run(['kpi', '--check', '--db', restored]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const before = await counts(live);
    assert.match(before, /repairs\|150/);
    assert.equal(await counts(restored), before);

    // an existing database is not overwritten without --force
    r = await runProcess(BIN, ['user', 'add', 'zed', '--role', 'agent', '--db', restored], { input: DEFAULT_PASSWORD + '\n' });
    assert.equal(r.code, 0, r.stderr);
    const changed = await counts(restored);
    assert.notEqual(changed, before);
    r = await run(['restore', bak, '--db', restored]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exists; give --force/);
    assert.equal(await counts(restored), changed, 'nothing changed');
    r = await run(['restore', bak, '--db', restored, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await counts(restored), before, 'the backup replaced it');

    // not an aftersales database: exit 1, the target untouched (not even created)
    const junk = path.join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all\n');
    const fresh = path.join(dir, 'fresh.db');
    r = await run(['restore', junk, '--db', fresh]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not an aftersales database/);
    assert.equal(existsSync(fresh), false);
    r = await run(['restore', path.join(dir, 'missing.db'), '--db', fresh]);
    assert.equal(r.code, 1);
    assert.equal((await run(['restore', '--db', fresh])).code, 2);
    r = await run(['restore', bak, '--db', 'postgres://127.0.0.1/x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pg_restore/);
});

test('accounts API: disable ends the session at once on this server; supervisors read but cannot change (403)', async () => {
    await s.addUser('adm', 'admin');
    await s.addUser('sup', 'supervisor');
    await s.addUser('dave', 'agent');
    const adm = await s.login('adm');
    const sup = await s.login('sup');
    const dave = await s.login('dave');
    const own = (await s.run(['token', 'create', '--role', 'agent', '--name', 'dave-own', '--user', 'dave'])).stdout.trim();
    assert.equal((await dave.request('/api/v1/me')).status, 200, 'cached now');
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 200, 'cached now');

    const list = await sup.request('/api/v1/users?q=dav');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.items.map((u) => [u.login, u.role, u.active]), [['dave', 'agent', true]]);
    assert.equal((await sup.request('/api/v1/users/dave/disable', { method: 'POST' })).status, 403);
    assert.equal((await dave.request('/api/v1/me')).status, 200, 'the 403 changed nothing');

    const d = await adm.request('/api/v1/users/dave/disable', { method: 'POST' });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.active, false);
    // no wait: the next request on this server is refused
    assert.equal((await dave.request('/api/v1/me')).status, 401);
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 401);
    assert.equal((await adm.request('/api/v1/me')).status, 200, 'the admin goes on');
    assert.deepEqual((await sup.request('/api/v1/users?active=false')).json.items.map((u) => u.login), ['dave']);

    assert.equal((await adm.request('/api/v1/users/adm/disable', { method: 'POST' })).status, 422, 'not your own');
    assert.equal((await adm.request('/api/v1/users/nobody/disable', { method: 'POST' })).status, 404);
    assert.equal((await sup.request('/api/v1/users?active=maybe')).status, 422);
    assert.equal((await s.login('dave').catch((e) => e.message)).startsWith('login dave: HTTP 401'), true);

    const e = await adm.request('/api/v1/users/dave/enable', { method: 'POST' });
    assert.equal(e.status, 200);
    assert.equal(e.json.active, true);
    assert.equal((await (await s.login('dave')).request('/api/v1/me')).status, 200);
    const rows = await auditRows('dave');
    assert.deepEqual(rows, ['adm|disable|user|dave|{"fields":["active"]}', 'adm|enable|user|dave|{"fields":["active"]}']);

    const csv = await sup.fetch('/api/v1/users?format=csv&q=dave');
    assert.equal(csv.status, 200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'login,name,role,outlet,active,created_at,updated_at,version,email');
    assert.match(lines[1], /^dave,dave,agent,,true,/);
    const x = await sup.fetch('/api/v1/users?format=xlsx');
    assert.equal(x.status, 200);
    assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
});

test('audit viewer: filters by actor, record, action and time; field names only; CSV and XLSX', async () => {
    await s.addUser('aud', 'admin');
    await s.addUser('sup2', 'supervisor');
    await s.addUser('erin', 'agent');
    const aud = await s.login('aud');
    const sup = await s.login('sup2');
    const t0 = new Date(Date.now() - 2000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.equal((await aud.request('/api/v1/users/erin/disable', { method: 'POST' })).status, 200);
    assert.equal((await aud.request('/api/v1/users/erin/enable', { method: 'POST' })).status, 200);
    assert.equal((await aud.request('/api/v1/users/erin/disable', { method: 'POST' })).status, 200);

    const all = await sup.request('/api/v1/audit?actor=aud&entity=user&code=erin');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json.items.map((x) => [x.actor, x.action, x.entity, x.code, x.fields]), [
        ['aud', 'disable', 'user', 'erin', 'active'],
        ['aud', 'enable', 'user', 'erin', 'active'],
        ['aud', 'disable', 'user', 'erin', 'active'],
    ]);
    const dis = await sup.request('/api/v1/audit?actor=aud&action=disable');
    assert.deepEqual(dis.json.items.map((x) => x.action), ['disable', 'disable']);
    assert.equal((await sup.request(`/api/v1/audit?actor=aud&from=${t0}`)).json.items.length, 3);
    assert.equal((await sup.request(`/api/v1/audit?actor=aud&to=${t0}`)).json.items.length, 0);
    assert.equal((await sup.request('/api/v1/audit?actor=nobody')).json.items.length, 0);
    assert.equal((await sup.request('/api/v1/audit?from=yesterday')).status, 422);

    // pages: two then one, no row twice
    const p1 = await sup.request('/api/v1/audit?actor=aud&limit=2');
    assert.equal(p1.json.items.length, 2);
    assert.ok(p1.json.next_cursor);
    const p2 = await sup.request(`/api/v1/audit?actor=aud&limit=2&cursor=${encodeURIComponent(p1.json.next_cursor)}`);
    assert.deepEqual(p2.json.items.map((x) => x.id), [all.json.items[2].id]);

    const csv = await sup.fetch('/api/v1/audit?format=csv&actor=aud');
    assert.equal(csv.status, 200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'id,at,actor,action,entity,code,fields,client');
    assert.equal(lines.length, 4);
    assert.match(lines[1], /,aud,disable,user,erin,active,127.0.0.1$/);
    const x = await sup.fetch('/api/v1/audit?format=xlsx&actor=aud');
    assert.equal(x.status, 200);
    assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
    // agents do not read the audit
    await s.addUser('fred', 'agent');
    assert.equal((await (await s.login('fred')).request('/api/v1/audit')).status, 403);
});

test('create an account: password policy, first password must be changed, supervisors 403', async () => {
    await s.addUser('boss', 'admin');
    await s.addUser('sup3', 'supervisor');
    const boss = await s.login('boss');
    const sup = await s.login('sup3');
    const body = { login: 'gina', name: '吉娜', role: 'agent', password: 'First-pass-0417' };
    assert.equal((await sup.request('/api/v1/users', { body })).status, 403);
    for (const [password, why] of [['short1!', /at least 10/], ['gina', /at least 10/],
        ['1234567890', /too common/], ['Password123', /too common/], ['aaaaaaaaaaaa', /too common/]]) {
        const r = await boss.request('/api/v1/users', { body: { ...body, password } });
        assert.equal(r.status, 422, password);
        assert.match(JSON.stringify(r.json), why, password);
    }
    const same = await boss.request('/api/v1/users', { body: { ...body, login: 'gina.long.login', password: 'gina.long.login' } });
    assert.equal(same.status, 422);
    assert.match(same.text, /must not be the login/);
    const tech = await boss.request('/api/v1/users', { body: { ...body, role: 'technician' } });
    assert.equal(tech.status, 422, 'outlet staff need an outlet');
    assert.equal((await sup.request('/api/v1/users?q=gina')).json.items.length, 0, 'bad input changed nothing');

    const c = await boss.request('/api/v1/users', { body });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual([c.json.login, c.json.name, c.json.role, c.json.active], ['gina', '吉娜', 'agent', true]);
    assert.equal((await boss.request('/api/v1/users', { body })).status, 409);

    const first = await s.login('gina', 'First-pass-0417');
    const me = await first.request('/api/v1/me');
    assert.equal(me.json.must_change_password, true);
    const bad = await first.request('/api/v1/me/password', { body: { current_password: 'wrong-wrong-1', new_password: 'My-own-pass-2026' } });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /current_password/);
    const common = await first.request('/api/v1/me/password', { body: { current_password: 'First-pass-0417', new_password: 'qwertyuiop' } });
    assert.equal(common.status, 422);
    const ok = await first.request('/api/v1/me/password', { body: { current_password: 'First-pass-0417', new_password: 'My-own-pass-2026' } });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await first.request('/api/v1/me')).json.must_change_password, false, 'this session goes on');
    await assert.rejects(s.login('gina', 'First-pass-0417'), /HTTP 401/);
    const next = await s.login('gina', 'My-own-pass-2026');
    assert.equal((await next.request('/api/v1/me')).json.must_change_password, false);

    const rows = await auditRows('gina');
    assert.deepEqual(rows, [
        'boss|create|user|gina|{"fields":["login","name","role","outlet","password"]}',
        'gina|password|user|gina|{"fields":["password"]}',
    ]);
    assert.equal(rows.join().includes('Pass'), false, 'no password in the audit');
});

test('sessions: the idle timeout is renewed by use; the absolute lifetime ends it anyway', async () => {
    await s.addUser('ivan', 'agent');
    const idle = await startServer({ sameDb: s, env: { AFTERSALES_SESSION_IDLE: '3', AFTERSALES_SESSION_MAX: '60' } });
    const life = await startServer({ sameDb: s, env: { AFTERSALES_SESSION_IDLE: '60', AFTERSALES_SESSION_MAX: '3' } });
    try {
        const a = await idle.login('ivan');
        for (let i = 0; i < 5; i++) {
            await sleep(1000);
            assert.equal((await a.request('/api/v1/me')).status, 200, `used every second: alive at ${i + 1} s`);
        }
        await sleep(4500);
        assert.equal((await a.request('/api/v1/me')).status, 401, 'idle for longer than 3 s');

        const b = await life.login('ivan');
        await sleep(1000);
        assert.equal((await b.request('/api/v1/me')).status, 200);
        await sleep(3300);
        assert.equal((await b.request('/api/v1/me')).status, 401, 'older than the 3 s lifetime');
    } finally {
        await idle.stop();
        await life.stop();
    }
});

test('sessions: listed on my page, one ended, logout everywhere; a new id at each login', async () => {
    await s.addUser('jane', 'agent');
    const one = await s.login('jane');
    const two = await s.login('jane');
    const list = await one.request('/api/v1/me/sessions');
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 2);
    assert.deepEqual(list.json.items.map((x) => x.current).sort(), [false, true]);
    const other = list.json.items.find((x) => !x.current);
    assert.equal((await one.request(`/api/v1/me/sessions/${other.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await two.request('/api/v1/me')).status, 401, 'that session ended at once');
    assert.equal((await one.request('/api/v1/me')).status, 200);
    assert.equal((await one.request(`/api/v1/me/sessions/${other.id}`, { method: 'DELETE' })).status, 404);
    // another person's session is not mine to end
    const kim = await (async () => { await s.addUser('kim', 'agent'); return s.login('kim'); })();
    const kimId = (await kim.request('/api/v1/me/sessions')).json.items[0].id;
    assert.equal((await one.request(`/api/v1/me/sessions/${kimId}`, { method: 'DELETE' })).status, 404);
    assert.equal((await kim.request('/api/v1/me')).status, 200);

    // logging in again with the old cookie: a new session id, the old one ends
    const res = await fetch(new URL('/api/v1/session', s.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: one.cookie },
        body: JSON.stringify({ login: 'jane', password: DEFAULT_PASSWORD }),
    });
    assert.equal(res.status, 200);
    const fresh = /as_session=([^;]*)/.exec(res.headers.get('set-cookie'))[1];
    assert.notEqual(`as_session=${fresh}`, one.cookie);
    assert.equal((await one.request('/api/v1/me')).status, 401, 'the old id ended at login');

    const three = await s.login('jane');
    const four = await s.login('jane');
    assert.equal((await three.request('/api/v1/me/sessions', { method: 'DELETE' })).status, 204);
    assert.equal((await three.request('/api/v1/me')).status, 401);
    assert.equal((await four.request('/api/v1/me')).status, 401, 'logged out everywhere');
    const token = await s.token('agent');
    const tl = await s.api('/api/v1/me/sessions', { token });
    assert.equal(tl.status, 200);
    assert.deepEqual(tl.json.items, [], 'a token has no sessions');
    assert.equal((await s.api('/api/v1/me/sessions', { token, method: 'DELETE' })).status, 404);
    assert.equal((await s.api('/api/v1/me/password', { token, body: { current_password: 'x', new_password: 'Some-long-pass-1' } })).status, 422);
});

test('reset a password (admin): sessions end, the new first password must be changed', async () => {
    await s.addUser('root2', 'admin');
    await s.addUser('sup4', 'supervisor');
    await s.addUser('lena', 'agent');
    const root = await s.login('root2');
    const sup = await s.login('sup4');
    const lena = await s.login('lena');
    assert.equal((await sup.request('/api/v1/users/lena/password', { body: { password: 'Reset-pass-0099' } })).status, 403);
    assert.equal((await root.request('/api/v1/users/lena/password', { body: { password: 'qwertyuiop' } })).status, 422);
    assert.equal((await root.request('/api/v1/users/nobody/password', { body: { password: 'Reset-pass-0099' } })).status, 404);
    assert.equal((await lena.request('/api/v1/me')).status, 200, 'refusals changed nothing');
    const r = await root.request('/api/v1/users/lena/password', { body: { password: 'Reset-pass-0099' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await lena.request('/api/v1/me')).status, 401, 'her session ended at once');
    const again = await s.login('lena', 'Reset-pass-0099');
    assert.equal((await again.request('/api/v1/me')).json.must_change_password, true);
    assert.deepEqual(await auditRows('lena'), ['root2|reset_password|user|lena|{"fields":["password"]}']);
});
