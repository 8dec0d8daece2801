// Voice of the customer (issue 13 item 2, M11): feedback from the portal, the kiosk and
// the counter, under the customer or anonymous, categorised and routed to its outlet.
// Staff list it with filters (status, category, outlet, channel/source, from, to),
// cursor pages and CSV/XLSX; outlet staff see only their outlet's (another's is 404);
// an item changes by version (new -> in_progress -> closed, category, outlet, note; a
// stale version 409); staff post what the counter takes. Bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { outletBody, sql } from './network-helpers.mjs';

let s, sup, agent, mgrA, mgrB, admin;
const made = {};

before(async () => {
    s = await startServer();
    [admin, sup, agent] = [await s.token('admin'), await s.token('supervisor'), await s.token('agent')];
    for (const [code, region] of [['FA', '310104'], ['FB', '110105']]) {
        const r = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, { region, covers: [region] }) });
        assert.equal(r.status, 201, r.text);
    }
    [mgrA, mgrB] = [await s.token('outlet_manager', 'FA'), await s.token('outlet_manager', 'FB')];
    const c = await s.api('/api/v1/customers', { token: sup, body: { name: '顾客甲', phone: '13911112222' } });
    assert.equal(c.status, 201, c.text);
    made.customer = c.json.code;
    const pub = (body) => s.api('/api/v1/public/feedback', { body });
    made.portal = (await pub({ channel: 'portal', category: 'praise', text: '服务很好', contact: '13911112222', outlet: 'FA' })).json.code;
    made.kiosk = (await pub({ channel: 'kiosk', category: 'suggestion', text: '希望周末营业', outlet: 'FB' })).json.code;
    made.anon = (await pub({ channel: 'portal', category: 'product', text: '说明书太薄' })).json.code;
});
after(async () => { await s?.stop(); });

const list = (q, token = sup) => s.api('/api/v1/feedback?' + new URLSearchParams(q), { token });
const codes = (r) => r.json.items.map((i) => i.code);

test('the counter takes feedback under a customer, anonymous, or for the outlet staff\'s own outlet', async () => {
    let r = await s.api('/api/v1/feedback', { token: agent, body: { category: 'complaint', text: '等待时间太长', customer: made.customer, outlet: 'FA' } });
    assert.equal(r.status, 201, r.text);
    made.counter = r.json.code;
    const g = await s.api(`/api/v1/feedback/${made.counter}`, { token: sup });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.channel, 'counter');
    assert.equal(g.json.customer, made.customer);
    assert.equal(g.json.outlet, 'FA');
    assert.equal(g.json.status, 'new');
    assert.equal(g.json.version, 1);
    assert.ok(g.json.taken_by, 'the staff who took it');
    r = await s.api('/api/v1/feedback', { token: mgrB, body: { category: 'service', text: '门店很干净' } });
    assert.equal(r.status, 201, r.text);
    made.counterB = r.json.code;
    const gb = await s.api(`/api/v1/feedback/${made.counterB}`, { token: mgrB });
    assert.equal(gb.json.outlet, 'FB');
    assert.equal(gb.json.customer, null);
    const before_ = await sql(s, 'SELECT COUNT(*) FROM feedback');
    for (const [token, body, field] of [
        [mgrB, { category: 'service', text: 'x', outlet: 'FA' }, 'outlet'],
        [agent, { category: 'rant', text: 'x' }, 'category'],
        [agent, { category: 'other', text: '' }, 'text'],
        [agent, { category: 'other', text: 'x', customer: 'C99999999' }, 'customer'],
        [agent, { category: 'other', text: 'x', outlet: 'NOPE' }, 'outlet'],
        [agent, { category: 'other', text: 'x', channel: 'portal' }, 'channel']]) {
        const bad = await s.api('/api/v1/feedback', { token, body });
        assert.equal(bad.status, 422, JSON.stringify(body));
        assert.ok(bad.json.error.fields[field], bad.text);
    }
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM feedback'), before_, 'nothing stored');
    assert.equal((await s.api('/api/v1/feedback', { token: await s.token('marketer'), body: { category: 'other', text: 'x' } })).status, 403);
});

test('the list filters, pages and downloads; outlet staff see only their own', async () => {
    const all = await list({ limit: 500 });
    assert.equal(all.status, 200);
    for (const k of ['portal', 'kiosk', 'anon', 'counter']) assert.ok(codes(all).includes(made[k]), k);
    const p = all.json.items.find((i) => i.code === made.portal);
    assert.equal(p.customer, made.customer);
    assert.equal(all.json.items.find((i) => i.code === made.anon).customer, null);
    assert.deepEqual(codes(await list({ channel: 'kiosk' })), [made.kiosk]);
    assert.deepEqual(codes(await list({ source: 'kiosk' })), [made.kiosk]);
    assert.deepEqual(codes(await list({ category: 'product' })), [made.anon]);
    assert.deepEqual(codes(await list({ outlet: 'FB' })), [made.counterB, made.kiosk]);
    assert.equal((await list({ status: 'closed' })).json.items.length, 0);
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    assert.equal((await list({ from: today, to: today, limit: 500 })).json.items.length, all.json.items.length);
    assert.equal((await list({ to: '2020-01-01' })).json.items.length, 0);
    assert.equal((await list({ from: '2999-01-01' })).json.items.length, 0);
    // cursor pages: newest first, no repeats
    const seen = [];
    let cursor = '';
    do {
        const r = await list({ limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...codes(r));
        cursor = r.json.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, codes(all));
    // confinement
    const a = await list({ limit: 500 }, mgrA);
    assert.deepEqual(codes(a).sort(), [made.portal, made.counter].sort());
    assert.equal((await s.api(`/api/v1/feedback/${made.kiosk}`, { token: mgrA })).status, 404);
    assert.equal((await s.api(`/api/v1/feedback/${made.anon}`, { token: mgrA })).status, 404);
    assert.equal((await s.api(`/api/v1/feedback/F99999999`, { token: sup })).status, 404);
    assert.equal((await list({ outlet: 'FB' }, mgrA)).json.items.length, 0);
    // bad filters
    for (const [q, param] of [[{ status: 'open' }, 'status'], [{ category: 'rant' }, 'category'], [{ channel: 'fax' }, 'channel'],
        [{ from: '2025-02-30' }, 'from'], [{ to: 'x' }, 'to'], [{ outlet: 'NOPE' }, 'outlet'], [{ format: 'pdf' }, 'format']]) {
        const r = await list(q);
        assert.equal(r.status, 422, JSON.stringify(q));
        assert.ok(JSON.stringify(r.json).includes(param), r.text);
    }
    const csv = await list({ format: 'csv', outlet: 'FA' });
    assert.equal(csv.status, 200);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'code,received_at,channel,category,outlet,customer,contact,text,status,note');
    assert.equal(lines.length, 3);
    const x = await list({ format: 'xlsx' });
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-type'), /spreadsheetml/);
});

test('an item changes by version: status new -> in_progress -> closed, category, outlet, note', async () => {
    const path = `/api/v1/feedback/${made.kiosk}`;
    const patch = (body, token = sup) => s.api(path, { method: 'PATCH', token, body });
    let r = await patch({ version: 1, status: 'in_progress', note: '已联系门店' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'in_progress');
    assert.equal(r.json.note, '已联系门店');
    assert.equal(r.json.version, 2);
    const stale = await patch({ version: 1, status: 'closed' });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.code, 'stale_version');
    const unchanged = await s.api(path, { token: sup });
    for (const [body, field, token] of [
        [{ version: 2, status: 'new' }, 'status'], [{ version: 2, status: 'done' }, 'status'],
        [{ version: 2, category: 'rant' }, 'category'], [{ version: 2, outlet: 'NOPE' }, 'outlet'],
        [{ status: 'closed' }, 'version'], [{ version: 2 }, 'status'], [{ version: 2, colour: 'red' }, 'colour'],
        [{ version: 2, outlet: 'FA' }, 'outlet', mgrB]]) {
        const bad = await patch(body, token);
        assert.equal(bad.status, 422, JSON.stringify(body) + bad.text);
        assert.ok(bad.json.error.fields[field], bad.text);
    }
    assert.deepEqual((await s.api(path, { token: sup })).json, unchanged.json, 'refused changes change nothing');
    r = await patch({ version: 2, category: 'service', outlet: 'FA' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outlet, 'FA');
    assert.equal(r.json.category, 'service');
    // routed to FA now: FB's staff lose it, FA's see it and can close it
    assert.equal((await s.api(path, { token: mgrB })).status, 404);
    r = await patch({ version: 3, status: 'closed' }, mgrA);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'closed');
    assert.ok(r.json.updated_by);
    assert.ok(codes(await list({ status: 'closed' })).includes(made.kiosk));
    const audit = await sql(s, `SELECT COUNT(*) FROM audit WHERE entity = 'feedback' AND entity_code = '${made.kiosk}'`);
    assert.equal(audit, '3');
    assert.equal((await patch({ version: 4, status: 'in_progress' })).status, 200, 'a closed item reopens');
});
