// Administration (M16), what an account may do and when it holds: an administrator
// changes a role and an outlet (the open session has the new rights on its next request),
// bearer tokens over the API (list, create, revoke, expiry), the session idle flag, a
// pending first password blocking every other route, a command-line disable seen by a
// running server on the next request, and the client address in the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runProcess } from './lib/server.mjs';
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
