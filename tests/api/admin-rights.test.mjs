// Administration (M16), what an account may do and when it holds: an administrator
// changes a role and an outlet (the open session has the new rights on its next request),
// bearer tokens over the API (list, create, revoke, expiry; a person's token acting with
// the owner's current role and outlet), the session idle flag, a
// pending first password blocking every other route, a command-line disable seen by a
// running server on the next request, and the client address in the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runProcess, BIN, DEFAULT_PASSWORD } from './lib/server.mjs';
import { outletBody } from './network-helpers.mjs';

let s, admin, adminToken;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
    s = await startServer();
    adminToken = await s.token('admin');
    for (const code of ['OR001', 'OR002']) {
        const o = await s.api('/api/v1/outlets', { token: adminToken, body: outletBody(code) });
        assert.equal(o.status, 201, o.text);
    }
    await s.addUser('root', 'admin');
    admin = await s.login('root');
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

async function sqlRows(q) {
    const r = s.backend === 'postgres'
        ? await runProcess('psql', [s.db, '-qAtX', '-c', q])
        : await runProcess('sqlite3', [s.db, q]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean);
}

const auditOf = (login) => sqlRows(`SELECT actor || '|' || action || '|' || detail FROM audit`
    + ` WHERE entity = 'user' AND entity_code = '${login}' ORDER BY id;`);

test('change role and outlet: admin only, by version, outlet checked; the open session has the new rights at once', async () => {
    await s.addUser('sup', 'supervisor');
    await s.addUser('mia', 'agent');
    const sup = await s.login('sup');
    const mia = await s.login('mia');
    assert.equal((await mia.request('/api/v1/audit')).status, 403, 'an agent does not read the audit');
    const v1 = (await admin.request('/api/v1/users/mia')).json.version;

    const patch = (who, body) => who.request('/api/v1/users/mia', { method: 'PATCH', body });
    assert.equal((await patch(sup, { version: v1, role: 'supervisor' })).status, 403, 'supervisors read only');
    for (const [body, field] of [
        [{ version: v1, role: 'technician' }, 'outlet'],
        [{ version: v1, role: 'technician', outlet: 'NOPE1' }, 'outlet'],
        [{ version: v1, role: 'wizard' }, 'role'],
        [{ role: 'supervisor' }, 'version'],
        [{ version: v1, colour: 'red' }, 'colour'],
    ]) {
        const r = await patch(admin, body);
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.ok(r.json.error.fields[field], `${JSON.stringify(body)}: ${r.text}`);
    }
    assert.equal((await patch(admin, { version: v1 + 5, role: 'supervisor' })).status, 409, 'stale version');
    assert.equal((await admin.request('/api/v1/users/nobody', { method: 'PATCH', body: { version: 1, role: 'agent' } })).status, 404);
    assert.equal((await admin.request('/api/v1/users/root', { method: 'PATCH', body: { version: 1, role: 'agent' } })).status, 422, 'not your own role');
    assert.equal((await admin.request('/api/v1/users/mia')).json.version, v1, 'refusals changed nothing');
    assert.equal((await mia.request('/api/v1/audit')).status, 403);

    const up = await patch(admin, { version: v1, role: 'supervisor' });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.role, 'supervisor');
    assert.equal(up.json.version, v1 + 1);
    assert.equal((await mia.request('/api/v1/audit')).status, 200, 'the same session, the new rights, no wait');

    const tech = await patch(admin, { version: v1 + 1, role: 'technician', outlet: 'OR002' });
    assert.equal(tech.status, 200, tech.text);
    const me = await mia.request('/api/v1/me');
    assert.deepEqual([me.json.user.role, me.json.user.outlet], ['technician', 'OR002']);
    assert.equal((await mia.request('/api/v1/audit')).status, 403, 'the supervisor rights are gone');
    const moved = await patch(admin, { version: v1 + 2, outlet: 'OR001' });
    assert.equal(moved.json.outlet, 'OR001');
    assert.equal((await mia.request('/api/v1/me')).json.user.outlet, 'OR001');
    assert.equal((await patch(admin, { version: v1 + 3, outlet: null })).status, 422, 'a technician keeps an outlet');
    const back = await patch(admin, { version: v1 + 3, role: 'agent', outlet: null });
    assert.deepEqual([back.json.role, back.json.outlet], ['agent', null]);

    assert.deepEqual(await auditOf('mia'), [
        'root|update|{"fields":["role"]}',
        'root|update|{"fields":["role","outlet"]}',
        'root|update|{"fields":["outlet"]}',
        'root|update|{"fields":["role","outlet"]}',
    ]);
});

test('bearer tokens over the API: own list (admin all, with owner), create with expiry (secret once), revoke; expired and revoked get 401', async () => {
    await s.addUser('nina', 'agent');
    await s.addUser({ login: 'otto', role: 'technician', outlet: 'OR001' });
    const nina = await s.login('nina');
    const otto = await s.login('otto');
    const soon = (sec) => new Date(Date.now() + sec * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const [body, field] of [[{ expires_at: soon(3600) }, 'name'], [{ name: 'x' }, 'expires_at'],
        [{ name: 'x', expires_at: '2000-01-01T00:00:00Z' }, 'expires_at'], [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
        [{ name: 'x', expires_at: soon(3 * 366 * 86400) }, 'expires_at']]) {
        const r = await nina.request('/api/v1/tokens', { body });
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.ok(r.json.error.fields[field], r.text);
    }
    const c = await nina.request('/api/v1/tokens', { body: { name: 'nina-sync', expires_at: soon(3) } });
    assert.equal(c.status, 201, c.text);
    assert.match(c.json.token, /^ast_[0-9a-f]{64}$/);
    assert.deepEqual([c.json.name, c.json.role, c.json.owner, c.json.state], ['nina-sync', 'agent', 'nina', 'active']);
    const long = (await nina.request('/api/v1/tokens', { body: { name: 'nina-long', expires_at: soon(86400) } })).json;
    const ot = (await otto.request('/api/v1/tokens', { body: { name: 'otto-tab', expires_at: soon(86400) } })).json;
    assert.equal(ot.outlet, 'OR001', "the token acts with its owner's outlet");

    const me = await s.api('/api/v1/me', { token: c.json.token });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.role, 'agent');
    assert.equal((await s.api('/api/v1/tokens', { token: c.json.token, body: { name: 'y', expires_at: soon(60) } })).status, 422, 'a token makes no tokens');

    const mine = (await nina.request('/api/v1/tokens')).json.items;
    assert.deepEqual(mine.map((x) => x.name), ['nina-long', 'nina-sync'], 'own tokens only, newest first');
    assert.equal(JSON.stringify(mine).includes('ast_'), false, 'the secret is never listed');
    const all = (await admin.request('/api/v1/tokens')).json.items;
    assert.deepEqual(all.filter((x) => x.owner).map((x) => [x.name, x.owner]).slice(0, 3),
        [['otto-tab', 'otto'], ['nina-long', 'nina'], ['nina-sync', 'nina']]);
    const csv = await admin.fetch('/api/v1/tokens?format=csv');
    assert.equal(csv.status, 200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'id,name,role,outlet,owner,state,created_at,expires_at,revoked_at');
    assert.equal((await admin.fetch('/api/v1/tokens?format=xlsx')).status, 200);

    // revoke: not another person's (404), then refused on the very next request
    assert.equal((await otto.request(`/api/v1/tokens/${long.id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await s.api('/api/v1/me', { token: long.token })).status, 200);
    const rv = await nina.request(`/api/v1/tokens/${long.id}`, { method: 'DELETE' });
    assert.equal(rv.status, 200, rv.text);
    assert.equal(rv.json.state, 'revoked');
    assert.equal((await s.api('/api/v1/me', { token: long.token })).status, 401, 'revoked: refused at once');
    assert.equal((await nina.request(`/api/v1/tokens/${long.id}`, { method: 'DELETE' })).status, 409);
    // an admin revokes anyone's
    assert.equal((await admin.request(`/api/v1/tokens/${ot.id}`, { method: 'DELETE' })).status, 200);
    assert.equal((await s.api('/api/v1/me', { token: ot.token })).status, 401);

    // expiry
    await sleep(3200);
    assert.equal((await s.api('/api/v1/me', { token: c.json.token })).status, 401, 'past its expiry');
    assert.equal((await nina.request('/api/v1/tokens')).json.items.find((x) => x.id === c.json.id).state, 'expired');
    const rows = await sqlRows(`SELECT actor || '|' || action || '|' || detail FROM audit WHERE entity = 'token' AND entity_code = '${long.id}' ORDER BY id;`);
    assert.deepEqual(rows, ['nina|create|{"fields":["name","expires_at"]}', 'nina|revoke|{"fields":["revoked_at"]}']);
});

test("a person's bearer token acts with the owner's current role and outlet, and not while the owner is disabled", async () => {
    await s.addUser('tok', 'admin');
    const tok = await s.login('tok');
    const soon = new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const t = await tok.request('/api/v1/tokens', { body: { name: 'tok-sync', expires_at: soon } });
    assert.equal(t.status, 201, t.text);
    const viaToken = (path) => s.api(path, { token: t.json.token });
    assert.equal((await viaToken('/api/v1/audit')).status, 200, 'an admin token reads the audit');

    const v = (await admin.request('/api/v1/users/tok')).json.version;
    const down = await admin.request('/api/v1/users/tok', { method: 'PATCH', body: { version: v, role: 'technician', outlet: 'OR002' } });
    assert.equal(down.status, 200, down.text);
    const me = await viaToken('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([me.json.user.role, me.json.user.outlet], ['technician', 'OR002'], 'the demoted owner, at once');
    assert.equal((await viaToken('/api/v1/audit')).status, 403, 'the admin rights went with the role');
    assert.equal((await viaToken('/api/v1/users')).status, 403);
    const listed = (await admin.request('/api/v1/tokens')).json.items.find((x) => x.id === t.json.id);
    assert.deepEqual([listed.role, listed.outlet, listed.owner], ['technician', 'OR002', 'tok'], 'listed as it acts');
    const moved = await admin.request('/api/v1/users/tok', { method: 'PATCH', body: { version: v + 1, outlet: 'OR001' } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await viaToken('/api/v1/me')).json.user.outlet, 'OR001', 'and the outlet');

    assert.equal((await admin.request('/api/v1/users/tok/disable', { method: 'POST' })).status, 200);
    assert.equal((await viaToken('/api/v1/me')).status, 401, 'a disabled owner: refused');
    assert.equal((await admin.request('/api/v1/users/tok/enable', { method: 'POST' })).status, 200);
    assert.equal((await viaToken('/api/v1/me')).status, 200, 'enabled again: the token works, as a technician');
    assert.equal((await viaToken('/api/v1/audit')).status, 403);

    // A token made on the command line (no owner) keeps the role it was made with.
    const cli = await s.token('supervisor');
    assert.equal((await s.api('/api/v1/me', { token: cli })).json.user.role, 'supervisor');
});

test('serve --session-idle / --session-max: a short idle setting ends an unused session; bad values exit 2', async () => {
    await s.addUser('pia', 'agent');
    const short = await startServer({ sameDb: s, args: ['--session-idle', '2', '--session-max', '3600'],
        env: { AFTERSALES_SESSION_IDLE: '600' } });
    try {
        const a = await short.login('pia');
        for (let i = 0; i < 3; i++) {
            await sleep(800);
            assert.equal((await a.request('/api/v1/me')).status, 200, `used: alive at ${(i + 1) * 0.8} s`);
        }
        await sleep(3000);
        assert.equal((await a.request('/api/v1/me')).status, 401, 'idle for longer than 2 s (the flag wins over the environment)');
        const res = await fetch(new URL('/api/v1/session', short.url), { method: 'POST',
            headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'pia', password: DEFAULT_PASSWORD }) });
        assert.match(res.headers.get('set-cookie'), /Max-Age=3600/, 'the cookie lives as long as the session may');
    } finally {
        await short.stop();
    }
    for (const bad of [['--session-idle', '0'], ['--session-max', 'soon'], ['--session-idle', '-5']]) {
        const r = await runProcess(BIN, ['serve', '--db', s.db, '--listen', '127.0.0.1:0', ...bad]);
        assert.equal(r.code, 2, bad.join(' '));
        assert.match(r.stderr, /--session-idle and --session-max want SECONDS/);
    }
    const h = await runProcess(BIN, ['serve', '--help']);
    assert.match(h.stdout, /--session-idle SECONDS/);
    assert.match(h.stdout, /--session-max SECONDS/);
});

test('a pending first password blocks every other route with 403 password_change_required, server-side', async () => {
    const c = await admin.request('/api/v1/users', { body: { login: 'quin', role: 'supervisor', password: 'First-quin-0417' } });
    assert.equal(c.status, 201, c.text);
    const q = await s.login('quin', 'First-quin-0417');
    assert.equal((await q.request('/api/v1/me')).json.must_change_password, true);
    for (const [path, opts] of [['/api/v1/customers', {}], ['/api/v1/users', {}], ['/api/v1/me/sessions', {}],
        ['/api/v1/tokens', { body: { name: 'sneak', expires_at: '2030-01-01T00:00:00Z' } }],
        ['/api/v1/me/sessions', { method: 'DELETE' }]]) {
        const r = await q.request(path, opts);
        assert.equal(r.status, 403, `${opts.method ?? (opts.body ? 'POST' : 'GET')} ${path}`);
        assert.equal(r.json.error.code, 'password_change_required');
    }
    assert.equal((await admin.request('/api/v1/tokens')).json.items.some((x) => x.name === 'sneak'), false, 'nothing was made');
    const ok = await q.request('/api/v1/me/password', { body: { current_password: 'First-quin-0417', new_password: 'Quin-own-pass-2026' } });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await q.request('/api/v1/customers')).status, 200, 'open once changed');

    // a reset puts the block back; logout stays open
    assert.equal((await admin.request('/api/v1/users/quin/password', { body: { password: 'Reset-quin-0099' } })).status, 200);
    const again = await s.login('quin', 'Reset-quin-0099');
    assert.equal((await again.request('/api/v1/users')).json.error.code, 'password_change_required');
    assert.equal((await again.request('/api/v1/session', { method: 'DELETE' })).status, 204);
    assert.equal((await again.request('/api/v1/me')).status, 401);
});

test('aftersales user disable on the command line: a running server refuses the session and owned token on the very next request', async () => {
    await s.addUser('rita', 'agent');
    const rita = await s.login('rita');
    const own = (await s.run(['token', 'create', '--role', 'agent', '--name', 'rita-own', '--user', 'rita'])).stdout.trim();
    // warm: many requests just before, so nothing may be remembered from them
    for (let i = 0; i < 20; i++) {
        assert.equal((await rita.request('/api/v1/me')).status, 200);
        assert.equal((await s.api('/api/v1/me', { token: own })).status, 200);
    }
    const d = await s.run(['user', 'disable', 'rita']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal((await rita.request('/api/v1/me')).status, 401, 'no wait: the next request');
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 401);
    assert.equal((await s.run(['user', 'enable', 'rita'])).code, 0);
    assert.equal((await s.api('/api/v1/me', { token: own })).status, 200, 'the token works again at once');
});

test('audit rows keep the client address the server believed (X-Forwarded-For only from a trusted proxy), in the viewer and its downloads', async () => {
    await s.addUser('sam', 'agent');
    await s.addUser('tia', 'agent');
    const trusting = await startServer({ sameDb: s, args: ['--trusted-proxy', '127.0.0.1,::1'] });
    try {
        const via = await trusting.login('root');
        const fwd = { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9' };
        assert.equal((await via.request('/api/v1/users/sam/disable', { method: 'POST', headers: fwd })).status, 200);
        // the untrusting server ignores the header
        assert.equal((await admin.request('/api/v1/users/tia/disable', { method: 'POST', headers: fwd })).status, 200);
    } finally {
        await trusting.stop();
    }
    assert.equal((await s.run(['user', 'enable', 'sam'])).code, 0);
    const rows = (await admin.request('/api/v1/audit?entity=user&code=sam')).json.items;
    assert.deepEqual(rows.map((x) => [x.action, x.client]), [['enable', null], ['disable', '203.0.113.9']]);
    const tia = (await admin.request('/api/v1/audit?entity=user&code=tia')).json.items;
    assert.match(tia[0].client, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    const csv = await admin.fetch('/api/v1/audit?format=csv&entity=user&code=sam');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'id,at,actor,action,entity,code,fields,client');
    assert.match(lines[1], /,cli,enable,user,sam,active,$/);
    assert.match(lines[2], /,root,disable,user,sam,active,203\.0\.113\.9$/);
    assert.equal((await admin.fetch('/api/v1/audit?format=xlsx&entity=user')).status, 200);
});

test('a token used every 200 ms is refused from its expiry on (no cached answer outlives it)', async () => {
    await s.addUser('uma', 'agent');
    const uma = await s.login('uma');
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const t = (await uma.request('/api/v1/tokens', { body: { name: 'uma-short', expires_at: at.toISOString().replace(/\.\d+Z$/, 'Z') } })).json;
    const seen = [];
    while (Date.now() < at.getTime() + 600) {
        const st = (await s.api('/api/v1/me', { token: t.token })).status;
        seen.push([Date.now() - at.getTime(), st]);
        await sleep(200);
    }
    for (const [dt, st] of seen) {
        if (dt < -50) assert.equal(st, 200, `${dt} ms before the expiry`);
        if (dt > 50) assert.equal(st, 401, `${dt} ms after the expiry`);
    }
});
