// Spare parts (M7, issue 10): warehouses, the stock ledger that never goes negative
// (also under 50 concurrent requests), idempotent moves, part requests filled in the
// contract's order with supersession and local promise dates, receipt and issue at the
// outlet, confinement, bad input that changes nothing, downloads and the CSV imports.
// Runs on SQLite and, with AFTERSALES_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { makeRepair, outletBody, sql } from './network-helpers.mjs';

let s, admin, wh, tech, techB, agent, editor, dir;

/** Local (UTC+8, the default zone) date n days from now. */
const localDate = (days = 0) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

const post = (p, body, token = admin, headers = {}) => s.api(p, { token, body, headers });
const get = (p, token = admin) => s.api(p, { token });

async function part(number, extra = {}) {
    const r = await post('/api/v1/parts', { number, description: `配件 ${number}`, price_fen: 1234, source: 'domestic', ...extra });
    assert.equal(r.status, 201, r.text);
    return r.json;
}
async function receipt(p, to, qty, token = wh) {
    const r = await post('/api/v1/stock-moves', { kind: 'receipt', part: p, qty, to }, token);
    assert.equal(r.status, 201, r.text);
    return r.json;
}
/** The contract's fields of a balance (all: with in_transit, on_order and the reorder point too). */
async function balance(p, w, all = false) {
    const r = await get(`/api/v1/stock?part=${encodeURIComponent(p)}&warehouse=${w}`, wh);
    assert.equal(r.status, 200, r.text);
    const b = r.json.items[0];
    if (!b) return { on_hand: 0, reserved: 0, available: 0 };
    if (all) return b;
    const { warehouse, part: pn, on_hand, reserved, available } = b;
    return { warehouse, part: pn, on_hand, reserved, available };
}

before(async () => {
    s = await startServer();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parts-'));
    admin = await s.token('admin');
    for (const [code, region] of [['OA', '440106'], ['OB', '110105']]) {
        const c = await post('/api/v1/outlets', outletBody(code, { region, covers: [region] }));
        assert.equal(c.status, 201, c.text);
    }
    [wh, tech, techB, agent, editor] = await Promise.all([s.token('warehouse'), s.token('technician', 'OA'),
        s.token('technician', 'OB'), s.token('agent'), s.token('editor')]);
    const whs = [
        { code: 'SH-CENTRAL', name: '上海零件中心', kind: 'central', region: '310115' },
        { code: 'BJ-BRANCH', name: '北京分库', kind: 'branch', region: '110105' },
        { code: 'GZ-BRANCH', name: '广州分库', kind: 'branch', region: '440106' },
        { code: 'SZ-3PL', name: '深圳第三方仓', kind: 'third_party', region: '440305' },
        { code: 'JP-GLOBAL', name: 'Tokyo global parts center', kind: 'overseas' },
        { code: 'W-OA', name: 'OA 库房', kind: 'outlet', region: '440106', outlet: 'OA' },
    ];
    for (const w of whs) {
        const r = await post('/api/v1/warehouses', w);
        assert.equal(r.status, 201, r.text);
    }
});
after(async () => { await s?.stop(); });

test('warehouses: kinds, outlet rules, confinement of the list', async () => {
    let r = await post('/api/v1/warehouses', { code: 'X1', name: 'x', kind: 'outlet', region: '440106' });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.outlet);
    r = await post('/api/v1/warehouses', { code: 'X1', name: 'x', kind: 'branch', region: '999999' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.region, 'unknown region');
    r = await post('/api/v1/warehouses', { code: 'X1', name: 'x', kind: 'depot', region: '440106' });
    assert.equal(r.status, 422);
    r = await post('/api/v1/warehouses', { code: 'W-OA2', name: 'x', kind: 'outlet', region: '440106', outlet: 'OA' });
    assert.equal(r.status, 409, 'one warehouse per outlet');
    r = await post('/api/v1/warehouses', { code: 'SH-CENTRAL', name: 'x', kind: 'central', region: '310115' });
    assert.equal(r.status, 409);
    r = await post('/api/v1/warehouses', { code: 'X2', name: 'x', kind: 'central', region: '310115' }, tech);
    assert.equal(r.status, 403);
    // the technician of OB sees the shared warehouses but not OA's stock room
    r = await get('/api/v1/warehouses?limit=500', techB);
    assert.equal(r.status, 200);
    const codes = r.json.items.map((w) => w.code);
    assert.ok(codes.includes('SH-CENTRAL'));
    assert.ok(!codes.includes('W-OA'));
    r = await get('/api/v1/warehouses?kind=outlet', wh);
    assert.deepEqual(r.json.items.map((w) => [w.code, w.outlet]), [['W-OA', 'OA']]);
});

test('the fill order picks each kind of warehouse, with supersession and local promise dates', async () => {
    const t = Date.now().toString(36).toUpperCase();
    const P = (x) => `FO-${x}-${t}`;
    for (const x of ['OWN', 'PROV', 'TP', 'CEN', 'OS', 'BO', 'NEW']) await part(P(x));
    await part(P('OLD'), { superseded_by: P('NEW') });
    const stock = {
        OWN: ['W-OA', 'GZ-BRANCH', 'SH-CENTRAL'],
        PROV: ['BJ-BRANCH', 'GZ-BRANCH', 'SH-CENTRAL'],
        TP: ['SZ-3PL', 'SH-CENTRAL', 'JP-GLOBAL'],
        CEN: ['BJ-BRANCH', 'SH-CENTRAL', 'JP-GLOBAL'],
        OS: ['JP-GLOBAL'],
        NEW: ['SH-CENTRAL'],
    };
    for (const [x, list] of Object.entries(stock))
        for (const w of list) await receipt(P(x), w, 5);
    // OB's own stock is not OA's: the backordered part sits only there
    await receipt(P('BO'), 'BJ-BRANCH', 5);
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    const lines = ['OWN', 'PROV', 'TP', 'CEN', 'OS', 'BO', 'OLD'].map((x) => ({ part: P(x), qty: 2 }));
    const r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines }, tech);
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^PR\d{8}$/);
    const got = r.json.lines.map((l) => [l.requested_part, l.part, l.qty, l.status, l.warehouse, l.promise_date]);
    assert.deepEqual(got, [
        [P('OWN'), P('OWN'), 2, 'reserved', 'W-OA', localDate(0)],
        [P('PROV'), P('PROV'), 2, 'reserved', 'GZ-BRANCH', localDate(3)],
        [P('TP'), P('TP'), 2, 'reserved', 'SZ-3PL', localDate(3)],
        [P('CEN'), P('CEN'), 2, 'reserved', 'SH-CENTRAL', localDate(3)],
        [P('OS'), P('OS'), 2, 'ordered', 'JP-GLOBAL', localDate(7)],
        [P('BO'), P('BO'), 2, 'backordered', null, null],
        [P('OLD'), P('NEW'), 2, 'reserved', 'SH-CENTRAL', localDate(3)],
    ]);
    // the reservations are on the books, and the repair waits for parts
    assert.deepEqual(await balance(P('PROV'), 'GZ-BRANCH'), { warehouse: 'GZ-BRANCH', part: P('PROV'), on_hand: 5, reserved: 2, available: 3 });
    assert.equal((await balance(P('PROV'), 'BJ-BRANCH')).available, 5);
    const rep = await get(`/api/v1/repairs/${repair}`, tech);
    assert.equal(rep.json.status, 'waiting_parts');

    // receive the province line at the outlet: shipped and received in one go
    const prov = r.json.lines[1].code;
    let x = await post(`/api/v1/part-request-lines/${prov}/receive`, {}, tech);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.status, 'received');
    assert.deepEqual(await balance(P('PROV'), 'GZ-BRANCH'), { warehouse: 'GZ-BRANCH', part: P('PROV'), on_hand: 3, reserved: 0, available: 3 });
    assert.deepEqual(await balance(P('PROV'), 'W-OA'), { warehouse: 'W-OA', part: P('PROV'), on_hand: 2, reserved: 2, available: 0 });
    x = await post(`/api/v1/part-request-lines/${prov}/receive`, {}, tech);
    assert.equal(x.status, 409, 'received once');
    // the central line is shipped by the warehouse first, then received
    const cen = r.json.lines[3].code;
    x = await post(`/api/v1/part-request-lines/${cen}/ship`, {}, wh);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.transfer.status, 'in_transit');
    assert.deepEqual(await balance(P('CEN'), 'SH-CENTRAL'), { warehouse: 'SH-CENTRAL', part: P('CEN'), on_hand: 3, reserved: 0, available: 3 });
    const tr = await get(`/api/v1/transfers?status=in_transit&warehouse=W-OA`, tech);
    assert.ok(tr.json.items.some((t2) => t2.code === x.json.transfer.code && t2.qty === 2));
    x = await post(`/api/v1/part-request-lines/${cen}/receive`, {}, tech);
    assert.equal(x.json.status, 'received');
    // issue the received line to the repair
    x = await post(`/api/v1/part-request-lines/${prov}/issue`, { serial: 'NEW-1' }, tech);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.status, 'issued');
    assert.deepEqual(await balance(P('PROV'), 'W-OA'), { warehouse: 'W-OA', part: P('PROV'), on_hand: 0, reserved: 0, available: 0 });
    // a backordered line cannot be received yet; a receipt fills it first in, first out
    const bo = r.json.lines[5].code;
    x = await post(`/api/v1/part-request-lines/${bo}/receive`, {}, tech);
    assert.equal(x.status, 409);
    await receipt(P('BO'), 'SH-CENTRAL', 3);
    let list = await get(`/api/v1/repairs/${repair}/part-requests`, tech);
    assert.equal(list.status, 200);
    const boLine = list.json.items[0].lines.find((l) => l.code === bo);
    assert.deepEqual([boLine.status, boLine.warehouse, boLine.promise_date], ['reserved', 'SH-CENTRAL', localDate(3)]);
    assert.deepEqual(await balance(P('BO'), 'SH-CENTRAL'), { warehouse: 'SH-CENTRAL', part: P('BO'), on_hand: 3, reserved: 2, available: 1 });
    assert.equal(list.json.parts_ready, false);
    // receive every other line: the parts are ready and the repair may move on
    for (const l of list.json.items[0].lines.filter((y) => ['reserved', 'ordered'].includes(y.status))) {
        const y = await post(`/api/v1/part-request-lines/${l.code}/receive`, {}, tech);
        assert.equal(y.status, 200, y.text);
    }
    list = await get(`/api/v1/repairs/${repair}/part-requests`, tech);
    assert.equal(list.json.parts_ready, true);
    const mv = await post(`/api/v1/repairs/${repair}/transitions`, { to: 'repairing' }, tech);
    assert.equal(mv.status, 200, mv.text);
});

test('a repair that cannot wait for parts, and lines that are not valid, change nothing', async () => {
    const p = `BAD-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    await receipt(p, 'SH-CENTRAL', 4);
    const registered = await makeRepair(s, 'OA', 'registered');
    let r = await post(`/api/v1/repairs/${registered}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'illegal_transition');
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    for (const body of [{}, { lines: [] }, { lines: 'x' }, { lines: [{ part: p }] }, { lines: [{ part: p, qty: -1 }] },
        { lines: [{ part: p, qty: '1' }] }, { lines: [{ part: p, qty: 1, colour: 'red' }] }, { lines: [{ part: p, qty: 1 }], x: 1 }]) {
        r = await post(`/api/v1/repairs/${repair}/part-requests`, body, tech);
        assert.equal(r.status, 422, JSON.stringify(body) + r.text);
        assert.equal(r.json.error.code, 'validation_failed');
    }
    r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }, { part: 'NO-SUCH-PART', qty: 1 }] }, tech);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields['lines[1].part'], 'unknown part');
    assert.deepEqual(await balance(p, 'SH-CENTRAL'), { warehouse: 'SH-CENTRAL', part: p, on_hand: 4, reserved: 0, available: 4 },
        'the first line was not reserved');
    assert.equal((await get(`/api/v1/repairs/${repair}`, tech)).json.status, 'diagnosing');
    r = await s.api(`/api/v1/repairs/${repair}/part-requests`, { token: tech, body: '{"lines":[', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }] }, wh);
    assert.equal(r.status, 403);
});

test('outlet staff see and request only for their own outlet: 404 exactly as for missing', async () => {
    const p = `CONF-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    await receipt(p, 'W-OA', 2);
    await receipt(p, 'SH-CENTRAL', 2);
    const theirs = await makeRepair(s, 'OA', 'diagnosing');
    const missing = await post('/api/v1/repairs/NOPE-1/part-requests', { lines: [{ part: p, qty: 1 }] }, techB);
    const other = await post(`/api/v1/repairs/${theirs}/part-requests`, { lines: [{ part: p, qty: 1 }] }, techB);
    assert.equal(missing.status, 404);
    assert.equal(other.status, 404);
    assert.deepEqual(other.json, missing.json);
    const mine = await post(`/api/v1/repairs/${theirs}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    assert.equal(mine.status, 201, mine.text);
    const line = mine.json.lines[0].code;
    const a = await post(`/api/v1/part-request-lines/${line}/receive`, {}, techB);
    const b = await post('/api/v1/part-request-lines/PR99999999-1/receive', {}, techB);
    assert.equal(a.status, 404);
    assert.deepEqual(a.json, b.json);
    assert.equal((await get(`/api/v1/repairs/${theirs}/part-requests`, techB)).status, 404);
    // stock: OB's technician sees no OA stock; OA's sees only its own; the warehouse sees all
    let r = await get(`/api/v1/stock?part=${p}`, techB);
    assert.deepEqual(r.json.items, []);
    r = await get(`/api/v1/stock?part=${p}&warehouse=W-OA`, techB);
    const r2 = await get(`/api/v1/stock?part=${p}&warehouse=W-NOPE`, techB);
    assert.equal(r.status, 422);
    assert.deepEqual(r.json, r2.json);
    r = await get(`/api/v1/stock?part=${p}`, tech);
    assert.deepEqual(r.json.items.map((i) => i.warehouse), ['W-OA']);
    r = await get(`/api/v1/stock?part=${p}`, wh);
    assert.deepEqual(r.json.items.map((i) => i.warehouse).sort(), ['SH-CENTRAL', 'W-OA']);
    // outlet staff move only their own outlet's stock
    r = await post('/api/v1/stock-moves', { kind: 'transfer', part: p, qty: 1, from: 'SH-CENTRAL', to: 'W-OA' }, tech);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.from, "outlet staff move only their own outlet's stock");
    r = await post('/api/v1/stock-moves', { kind: 'adjustment', part: p, qty: 1, from: 'W-OA', reason: 'x' }, techB);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.from, 'unknown warehouse');
    r = await get('/api/v1/stock-moves?limit=1000', techB);
    assert.ok(!r.json.items.some((m) => m.from === 'W-OA' || m.to === 'W-OA'));
    r = await get('/api/v1/part-request-lines?limit=1000', techB);
    assert.deepEqual(r.json.items, []);
});

test('50 concurrent transfers and 50 concurrent issues against 10 units: exactly 10 succeed', async () => {
    const t = Date.now().toString(36).toUpperCase();
    const repair = await makeRepair(s, 'OA', 'repairing');
    for (const [p, body] of [
        [`CC-T-${t}`, (p) => ({ kind: 'transfer', part: p, qty: 1, from: 'SH-CENTRAL', to: 'GZ-BRANCH' })],
        [`CC-I-${t}`, (p) => ({ kind: 'issue', part: p, qty: 1, from: 'SH-CENTRAL', repair })],
    ]) {
        await part(p);
        await receipt(p, 'SH-CENTRAL', 10);
        const res = await Promise.all(Array.from({ length: 50 }, () => post('/api/v1/stock-moves', body(p), wh)));
        const codes = res.map((r) => r.status);
        assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(' '));
        assert.equal(codes.filter((c) => c === 409).length, 40, codes.join(' '));
        for (const r of res.filter((x) => x.status === 409)) assert.equal(r.json.error.code, 'insufficient_stock');
        assert.deepEqual(await balance(p, 'SH-CENTRAL'), { warehouse: 'SH-CENTRAL', part: p, on_hand: 0, reserved: 0, available: 0 });
        const moves = await get(`/api/v1/stock-moves?part=${p}&limit=1000`, wh);
        assert.equal(moves.json.items.length, 11, 'one receipt and ten moves out');
    }
    // the ten transfers are in transit to Guangzhou; receiving one puts it on hand
    const tr = await get(`/api/v1/transfers?part=CC-T-${t}&status=in_transit&limit=100`, wh);
    assert.equal(tr.json.items.length, 10);
    let r = await post(`/api/v1/transfers/${tr.json.items[0].code}/receive`, {}, wh);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'received');
    r = await post(`/api/v1/transfers/${tr.json.items[0].code}/receive`, {}, wh);
    assert.equal(r.status, 409);
    assert.equal((await balance(`CC-T-${t}`, 'GZ-BRANCH')).on_hand, 1);
});

test('a retried move with the same idempotency key moves stock once', async () => {
    const p = `IDEM-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    const key = `k-${p}`;
    const body = { kind: 'receipt', part: p, qty: 7, to: 'GZ-BRANCH' };
    const a = await post('/api/v1/stock-moves', body, wh, { 'Idempotency-Key': key });
    const b = await post('/api/v1/stock-moves', body, wh, { 'Idempotency-Key': key });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    assert.deepEqual(b.json, a.json);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal((await balance(p, 'GZ-BRANCH')).on_hand, 7);
    // the key in the body, retried concurrently
    const t = { kind: 'transfer', part: p, qty: 2, from: 'GZ-BRANCH', to: 'SH-CENTRAL', idempotency_key: `${key}-t` };
    const res = await Promise.all(Array.from({ length: 8 }, () => post('/api/v1/stock-moves', t, wh)));
    assert.deepEqual(res.map((r) => r.status), Array(8).fill(201));
    assert.equal(new Set(res.map((r) => r.json.id)).size, 1);
    assert.equal((await balance(p, 'GZ-BRANCH')).on_hand, 5);
    // the same key for another move is refused
    const c = await post('/api/v1/stock-moves', { ...body, qty: 8 }, wh, { 'Idempotency-Key': key });
    assert.equal(c.status, 409);
    assert.equal(c.json.error.code, 'idempotency_key_reused');
    assert.equal((await balance(p, 'GZ-BRANCH')).on_hand, 5);
});

test('bad moves get a clear error and change nothing', async () => {
    const p = `BADMV-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    await receipt(p, 'GZ-BRANCH', 3);
    const before = JSON.stringify((await get(`/api/v1/stock?part=${p}`, wh)).json);
    const movesBefore = (await get(`/api/v1/stock-moves?part=${p}`, wh)).json.items.length;
    const bad = [
        [{ kind: 'receipt', part: p, qty: 1 }, 'to'],
        [{ kind: 'receipt', part: p, qty: 0, to: 'GZ-BRANCH' }, 'qty'],
        [{ kind: 'receipt', part: p, qty: -2, to: 'GZ-BRANCH' }, 'qty'],
        [{ kind: 'receipt', part: p, qty: '2', to: 'GZ-BRANCH' }, 'qty'],
        [{ kind: 'receipt', part: p, qty: 1.5, to: 'GZ-BRANCH' }, 'qty'],
        [{ kind: 'teleport', part: p, qty: 1, to: 'GZ-BRANCH' }, 'kind'],
        [{ kind: 'receipt', part: 'NO-SUCH', qty: 1, to: 'GZ-BRANCH' }, 'part'],
        [{ kind: 'receipt', part: p, qty: 1, to: 'NO-SUCH' }, 'to'],
        [{ kind: 'transfer', part: p, qty: 1, from: 'GZ-BRANCH' }, 'to'],
        [{ kind: 'transfer', part: p, qty: 1, from: 'GZ-BRANCH', to: 'GZ-BRANCH' }, 'to'],
        [{ kind: 'adjustment', part: p, qty: 1, from: 'GZ-BRANCH' }, 'reason'],
        [{ kind: 'adjustment', part: p, qty: 1, from: 'GZ-BRANCH', to: 'SH-CENTRAL', reason: 'x' }, 'to'],
        [{ kind: 'issue', part: p, qty: 1, from: 'GZ-BRANCH' }, 'repair'],
        [{ kind: 'issue', part: p, qty: 1, from: 'GZ-BRANCH', repair: 'NOPE-1' }, 'repair'],
        [{ kind: 'receipt', part: p, qty: 1, to: 'GZ-BRANCH', extra: true }, 'extra'],
        [{ kind: 'receipt', part: 7, qty: 1, to: 'GZ-BRANCH' }, 'part'],
    ];
    for (const [body, field] of bad) {
        const r = await post('/api/v1/stock-moves', body, wh);
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.error.code, 'validation_failed');
        assert.ok(r.json.error.fields[field], `${JSON.stringify(body)} names ${field}: ${r.text}`);
    }
    let r = await post('/api/v1/stock-moves', { kind: 'adjustment', part: p, qty: 4, from: 'GZ-BRANCH', reason: 'count' }, wh);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'insufficient_stock');
    r = await s.api('/api/v1/stock-moves', { token: wh, body: '{"kind":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await s.api('/api/v1/stock-moves', { token: wh, body: '[1,2]', headers: { 'Content-Type': 'application/json' } });
    assert.ok([400, 422].includes(r.status), r.text);
    for (const token of [agent, editor]) {
        r = await post('/api/v1/stock-moves', { kind: 'receipt', part: p, qty: 1, to: 'GZ-BRANCH' }, token);
        assert.equal(r.status, 403);
    }
    r = await post('/api/v1/parts', { number: p, description: 'x', price_fen: 1, source: 'domestic' }, tech);
    assert.equal(r.status, 403);
    assert.equal(JSON.stringify((await get(`/api/v1/stock?part=${p}`, wh)).json), before);
    assert.equal((await get(`/api/v1/stock-moves?part=${p}`, wh)).json.items.length, movesBefore);
    // an adjustment with a reason does move, and is on the ledger with it
    r = await post('/api/v1/stock-moves', { kind: 'adjustment', part: p, qty: 1, from: 'GZ-BRANCH', reason: 'damaged in the rack' }, wh);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.reason, 'damaged in the rack');
    assert.equal((await balance(p, 'GZ-BRANCH')).on_hand, 2);
});

test('parts: supersession refused when unknown, the list filters, downloads', async () => {
    let r = await post('/api/v1/parts', { number: 'SUP-X', description: 'x', price_fen: 1, source: 'domestic', superseded_by: 'NOPE' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.superseded_by, 'unknown part');
    r = await post('/api/v1/parts', { number: 'SUP-X', description: 'x', price_fen: -1, source: 'elsewhere' });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.price_fen && r.json.error.fields.source);
    r = await get('/api/v1/parts?q=FO-&limit=2');
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 2);
    assert.ok(r.json.next_cursor);
    r = await get('/api/v1/parts?format=csv', wh);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/csv/);
    assert.match(r.text, /^\uFEFF?number,description,description_en,models,price_fen,superseded_by,source/);
    for (const p of ['/api/v1/stock', '/api/v1/stock-moves', '/api/v1/warehouses', '/api/v1/transfers', '/api/v1/part-request-lines']) {
        r = await get(`${p}?format=xlsx`, wh);
        assert.equal(r.status, 200, p);
        assert.match(r.headers.get('content-type'), /spreadsheetml/, p);
        r = await get(`${p}?format=csv`, wh);
        assert.equal(r.status, 200, p);
    }
    r = await get('/api/v1/stock?format=csv&part=FO-nope', wh);
    assert.equal(r.status, 422);
});

test('CSV imports: warehouses, parts with a supersession cycle refused, stock', async () => {
    const f = (name, text) => { const p = path.join(dir, name); return writeFile(p, text).then(() => p); };
    let file = await f('wh.csv', 'code,name,kind,region,outlet\nHZ-BR,杭州分库,branch,330106,\nW-OB,OB 库房,outlet,110105,OB\n');
    let r = await s.run(['import', 'warehouses', file]);
    assert.equal(r.code, 0, r.stderr);
    file = await f('wh-bad.csv', 'code,name,kind,region,outlet\nCD-BR,成都分库,branch,510104,\nX,x,moon,510104,\n');
    r = await s.run(['import', 'warehouses', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /wh-bad\.csv:3: kind/);
    assert.equal((await get('/api/v1/warehouses?q=CD-BR', wh)).json.items.length, 0);

    file = await f('parts.csv', 'number,description,models,price_fen,superseded_by,source\n' +
        'IMP-A,旧主板,,15000,IMP-B,domestic\nIMP-B,主板,,16000,IMP-C,domestic\nIMP-C,新主板,,17000,,imported\n');
    r = await s.run(['import', 'parts', file]);
    assert.equal(r.code, 0, r.stderr);
    r = await get('/api/v1/parts/IMP-A');
    assert.equal(r.json.superseded_by, 'IMP-B');
    file = await f('cycle.csv', 'number,description,models,price_fen,superseded_by,source\n' +
        'IMP-D,x,,1,,domestic\nIMP-C,新主板,,17000,IMP-A,imported\n');
    r = await s.run(['import', 'parts', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cycle\.csv:3: superseded_by: .*cycle/);
    assert.equal((await get('/api/v1/parts/IMP-D')).status, 404, 'nothing of the file is stored');
    assert.equal((await get('/api/v1/parts/IMP-C')).json.superseded_by, null);
    file = await f('parts-bad.csv', 'number,description,models,price_fen,superseded_by,source\nIMP-E,x,NO-SUCH-MODEL,1,,domestic\n');
    r = await s.run(['import', 'parts', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /parts-bad\.csv:2: models: unknown model/);

    file = await f('stock.csv', 'warehouse,part,qty\nHZ-BR,IMP-C,4\nW-OB,IMP-C,1\n');
    r = await s.run(['import', 'stock', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await balance('IMP-C', 'HZ-BR')).on_hand, 4);
    file = await f('stock-bad.csv', 'warehouse,part,qty\nHZ-BR,IMP-C,4\nHZ-BR,IMP-C,-1\n');
    r = await s.run(['import', 'stock', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /stock-bad\.csv:3: qty/);
    assert.equal((await balance('IMP-C', 'HZ-BR')).on_hand, 4);

    r = await s.run(['export', 'parts']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^number,description,models,price_fen,superseded_by,source/);
    assert.match(r.stdout, /IMP-A,旧主板,,15000,IMP-B,domestic/);
    r = await s.run(['export', 'warehouses']);
    assert.match(r.stdout, /W-OB,OB 库房,outlet,110105,OB/);
});

// The list pages are built from one query a page (the models of a page's parts in one
// more): every item must be what the part's own record says, across page boundaries
// and under a filter, and the moves must come newest first without gaps or repeats.
test('parts and stock moves: paged lists match the records', async () => {
    let r = await post('/api/v1/product-lines', { code: 'PGM', name: 'PGM' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    for (const m of ['PGM-M1', 'PGM-M2']) {
        r = await post('/api/v1/models', { code: m, name: m, product_line: 'PGM', warranty_months: 12 }, editor);
        assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    for (const [n, models] of [['PGM-1', ['PGM-M2', 'PGM-M1']], ['PGM-2', []], ['PGM-3', ['PGM-M1']], ['PGM-4', ['PGM-M2']]]) {
        r = await post('/api/v1/parts', { number: n, description: n, price_fen: 100, source: 'domestic', models });
        assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    let withModels = 0;
    for (const q of ['limit=3', 'limit=2&q=FO-', 'limit=4&source=domestic', 'limit=1&q=PGM-', 'limit=2&q=PGM-', 'limit=1&model=PGM-M1']) {
        let cursor = null, n = 0;
        do {
            const r = await get(`/api/v1/parts?${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, wh);
            assert.equal(r.status, 200, q);
            for (const it of r.json.items) {
                const one = await get(`/api/v1/parts/${encodeURIComponent(it.number)}`, wh);
                delete one.json.supersedes;
                assert.deepEqual(it, one.json, `${q}: ${it.number}`);
                withModels += it.models.length > 0;
                n++;
            }
            cursor = r.json.next_cursor;
        } while (cursor && n < 60);
        assert.ok(n > 0, q);
    }
    assert.ok(withModels > 0);
    const all = (await get('/api/v1/stock-moves?limit=1000', wh)).json.items;
    let cursor = null;
    const seen = [];
    do {
        const r = await get(`/api/v1/stock-moves?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, wh);
        seen.push(...r.json.items);
        cursor = r.json.next_cursor;
    } while (cursor && seen.length < all.length);
    assert.deepEqual(seen.slice(0, all.length), all);
});

test('fill rate and parts lead time equal a count made here (CLI and KPI API)', async () => {
    const c = await post('/api/v1/outlets', outletBody('OKPI', { region: '320102', covers: ['320102'] }));
    assert.equal(c.status, 201, c.text);
    const t = Date.now().toString(36).toUpperCase();
    const P = (x) => `KPI-${x}-${t}`;
    for (const x of ['A', 'B', 'C', 'OS', 'NONE']) await part(P(x));
    for (const x of ['A', 'B', 'C']) await receipt(P(x), 'SH-CENTRAL', 3);
    await receipt(P('OS'), 'JP-GLOBAL', 3);
    const repair = await makeRepair(s, 'OKPI', 'diagnosing');
    const r = await post(`/api/v1/repairs/${repair}/part-requests`,
        { lines: ['A', 'B', 'C', 'OS', 'NONE'].map((x) => ({ part: P(x), qty: 1 })) });
    assert.equal(r.status, 201, r.text);
    const domestic = r.json.lines.filter((l) => l.status === 'reserved').length;
    assert.equal(domestic, 3);
    for (const l of r.json.lines.slice(0, 2)) {
        const x = await post(`/api/v1/part-request-lines/${l.code}/receive`, {});
        assert.equal(x.status, 200, x.text);
    }
    const k = await s.run(['kpi', '--from', localDate(0), '--to', localDate(1), '--outlet', 'OKPI', '--json']);
    assert.equal(k.code, 0, k.stderr);
    const kpi = JSON.parse(k.stdout);
    assert.equal(kpi.fill_rate, domestic / r.json.lines.length);
    assert.ok(kpi.parts_lead_time_h >= 0 && kpi.parts_lead_time_h < 0.1, String(kpi.parts_lead_time_h));
    const api = await get(`/api/v1/kpi/turnaround?from=${localDate(0)}&to=${localDate(1)}&outlet=OKPI`);
    assert.equal(api.status, 200, api.text);
    assert.equal(api.json.total.fill_rate, 0.6);
    // no lines in a period: null, not 0
    const empty = await s.run(['kpi', '--from', '2020-01-01', '--to', '2020-02-01', '--json']);
    assert.deepEqual([JSON.parse(empty.stdout).fill_rate, JSON.parse(empty.stdout).parts_lead_time_h], [null, null]);
});

test('the KPI at-risk list names the part a repair waits for', async () => {
    const p = `RISK-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    const idle = await makeRepair(s, 'OA', 'diagnosing');
    const r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    assert.equal(r.json.lines[0].status, 'backordered');
    const risk = await get('/api/v1/kpi/at-risk?threshold=4d&within_hours=100&outlet=OA&limit=1000');
    assert.equal(risk.status, 200, risk.text);
    const item = risk.json.items.find((i) => i.code === repair);
    assert.ok(item, risk.text);
    assert.deepEqual([item.part, item.part_promise_date], [p, null]);
    assert.equal(risk.json.items.find((i) => i.code === idle).part, null);
    const csv = await get('/api/v1/kpi/at-risk?threshold=4d&within_hours=100&outlet=OA&limit=1000&format=csv');
    assert.match(csv.text, new RegExp(`${repair},.*,${p}\\r?\\n`));
});

test('a part issued on a warranty repair is expected back; the warehouse receives it', async () => {
    const p = `RET-${Date.now().toString(36).toUpperCase()}`;
    await part(p, { serial_tracked: true });
    await receipt(p, 'W-OA', 1);
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    await sql(s, `UPDATE repairs SET in_warranty = 1 WHERE code = '${repair}'`);
    const r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    const line = r.json.lines[0].code;
    assert.equal((await post(`/api/v1/part-request-lines/${line}/receive`, {}, tech)).status, 200);
    let x = await post(`/api/v1/part-request-lines/${line}/issue`, { serial: 'NEW-9', faulty_serial: 'OLD-9' }, tech);
    assert.equal(x.status, 200, x.text);
    assert.deepEqual([x.json.fitted_serial, x.json.faulty_serial], ['NEW-9', 'OLD-9']);
    let list = await get('/api/v1/part-returns?status=expected&limit=1000', tech);
    const ret = list.json.items.find((i) => i.line === line);
    assert.deepEqual([ret.part, ret.faulty_serial, ret.due_date, ret.overdue], [p, 'OLD-9', localDate(14), false]);
    assert.ok(!(await get('/api/v1/part-returns?limit=1000', techB)).json.items.some((i) => i.line === line));
    x = await post(`/api/v1/part-returns/${line}/receive`, { warehouse: 'SH-CENTRAL' }, tech);
    assert.equal(x.status, 403);
    x = await post(`/api/v1/part-returns/${line}/receive`, { warehouse: 'NOPE' }, wh);
    assert.equal(x.status, 422);
    x = await post(`/api/v1/part-returns/${line}/receive`, { warehouse: 'SH-CENTRAL' }, wh);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.status, 'received');
    x = await post(`/api/v1/part-returns/${line}/receive`, { warehouse: 'SH-CENTRAL' }, wh);
    assert.equal(x.status, 409);
    const mv = await get(`/api/v1/stock-moves?part=${p}&kind=defective_return`, wh);
    assert.deepEqual(mv.json.items.map((m) => [m.from, m.to, m.serial, m.repair]), [['W-OA', 'SH-CENTRAL', 'OLD-9', repair]]);
    // the faulty part is not sellable stock
    assert.equal((await balance(p, 'SH-CENTRAL')).on_hand, 0);
    list = await get('/api/v1/part-returns?overdue=true&format=csv', wh);
    assert.equal(list.status, 200);
});

test('replenishment: reorder points on available plus in transit, suggested transfers or purchases', async () => {
    const p = `REP-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    await receipt(p, 'SH-CENTRAL', 30);
    await receipt(p, 'GZ-BRANCH', 3);
    const setRp = (warehouse, reorder_point, reorder_qty, token = wh) =>
        post('/api/v1/reorder-points', { part: p, warehouse, reorder_point, reorder_qty }, token);
    assert.equal((await setRp('GZ-BRANCH', 4, 10)).status, 200);
    assert.equal((await setRp('SH-CENTRAL', 25, 50)).status, 200);
    assert.equal((await setRp('GZ-BRANCH', -1, 10)).status, 422);
    assert.equal((await setRp('NOPE', 1, 10)).status, 422);
    assert.equal((await setRp('GZ-BRANCH', 4, 10, tech)).status, 403);
    const sugg = async () => (await get(`/api/v1/replenishment?limit=1000`, wh)).json.items.filter((i) => i.part === p);
    // Guangzhou has 3 <= 4: ten from Shanghai (30 - its point 25 = 5 spare is not enough: purchase)
    let s1 = await sugg();
    assert.deepEqual(s1.map((i) => [i.warehouse, i.available, i.in_transit, i.suggestion]),
        [['GZ-BRANCH', 3, 0, { kind: 'purchase', from: null, qty: 10 }]]);
    await receipt(p, 'SH-CENTRAL', 20);
    s1 = await sugg();
    assert.deepEqual(s1[0].suggestion, { kind: 'transfer', from: 'SH-CENTRAL', qty: 10 });
    // confirmed: the transfer ships; in transit counts, so nothing more is suggested
    const t = await post('/api/v1/stock-moves', { kind: 'transfer', part: p, qty: 10, from: 'SH-CENTRAL', to: 'GZ-BRANCH' }, wh);
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(await sugg(), [], 'nothing for Guangzhou (3 + 10 on the way), nor Shanghai (40 > 25)');
    // an issue of 15 brings Shanghai to 25, its point: one lot
    const repair = await makeRepair(s, 'OA', 'repairing');
    assert.equal((await post('/api/v1/stock-moves', { kind: 'issue', part: p, qty: 15, from: 'SH-CENTRAL', repair }, wh)).status, 201);
    s1 = await sugg();
    assert.deepEqual(s1.map((i) => [i.warehouse, i.available, i.suggestion]), [['SH-CENTRAL', 25, { kind: 'purchase', from: null, qty: 50 }]]);
    assert.equal((await get('/api/v1/replenishment?format=xlsx', wh)).status, 200);
    assert.deepEqual((await get('/api/v1/replenishment?limit=1000', techB)).json.items.filter((i) => i.part === p), []);
});

test('purchase orders: a purchase suggestion ordered once, on order counted, received in parts (backorders first), cancelled while open', async () => {
    const t = Date.now().toString(36).toUpperCase();
    const p = `PO-${t}`, q = `POI-${t}`;
    await part(p);
    await part(q, { source: 'imported' });
    await receipt(p, 'GZ-BRANCH', 1);
    assert.equal((await post('/api/v1/reorder-points', { part: p, warehouse: 'GZ-BRANCH', reorder_point: 2, reorder_qty: 5 }, wh)).status, 200);
    const sugg = async () => (await get('/api/v1/replenishment?warehouse=GZ-BRANCH&limit=1000', wh)).json.items.filter((i) => i.part === p);
    let s1 = await sugg();
    assert.deepEqual(s1.map((i) => [i.available, i.in_transit, i.on_order, i.suggestion]), [[1, 0, 0, { kind: 'purchase', from: null, qty: 5 }]]);
    // confirming the purchase orders it: open, expected after the domestic lead time; twice with one key is one order
    const body = { warehouse: 'GZ-BRANCH', supplier: '华南配件', lines: [{ part: p, qty: 5 }], idempotency_key: `po-${t}` };
    let r = await post('/api/v1/purchase-orders', body, wh);
    assert.equal(r.status, 201, r.text);
    const po = r.json;
    assert.match(po.code, /^PO\d{8}$/);
    assert.deepEqual([po.status, po.warehouse, po.supplier, po.source, po.expected_date, po.qty, po.received_qty, po.outstanding],
        ['open', 'GZ-BRANCH', '华南配件', 'domestic', localDate(3), 5, 0, 5]);
    assert.deepEqual(po.lines.map((l) => [l.line_no, l.part, l.qty, l.received_qty, l.expected_date]), [[1, p, 5, 0, localDate(3)]]);
    r = await post('/api/v1/purchase-orders', body, wh);
    assert.equal(r.status, 201);
    assert.equal(r.json.code, po.code);
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
    r = await post('/api/v1/purchase-orders', { ...body, lines: [{ part: p, qty: 6 }] }, wh);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'idempotency_key_reused');
    // on order counts: nothing more is suggested, the stock shows it
    assert.deepEqual(await sugg(), []);
    assert.equal((await balance(p, 'GZ-BRANCH', true)).on_order, 5);
    // the desk's list and downloads
    r = await get(`/api/v1/purchase-orders?part=${p}&status=open`, wh);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => i.code), [po.code]);
    const csv = await get(`/api/v1/purchase-orders?part=${p}&format=csv`, wh);
    assert.equal(csv.status, 200);
    const rows = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(rows[0], 'code,warehouse,supplier,source,status,expected_date,parts,qty,received_qty,outstanding,created_at,created_by');
    assert.ok(rows[1].startsWith(`${po.code},GZ-BRANCH,华南配件,domestic,open,${localDate(3)},${p},5,0,5,`), rows[1]);
    assert.equal((await get(`/api/v1/purchase-orders?part=${p}&format=xlsx`, wh)).status, 200);
    // a line of OA backordered (Guangzhou has 1 of 2): the order's receipt fills it first
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 2 }] }, tech);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.lines[0].status, 'backordered');
    const boLine = r.json.lines[0].code;
    // receive 3 of 5 (with a key, retried): partly received, one receipt move
    const recv = { lines: [{ part: p, qty: 3 }], idempotency_key: `r1-${t}` };
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, recv, wh);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.status, r.json.received_qty, r.json.outstanding, r.json.receipts.length], ['partly_received', 3, 2, 1]);
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, recv, wh);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
    assert.equal(r.json.received_qty, 3, 'moved once');
    let b = await balance(p, 'GZ-BRANCH', true);
    assert.deepEqual([b.on_hand, b.reserved, b.available, b.on_order], [4, 2, 2, 2]);
    const lines = (await get(`/api/v1/repairs/${repair}/part-requests`, tech)).json.items[0].lines;
    assert.deepEqual(lines.filter((l) => l.code === boLine).map((l) => [l.status, l.warehouse, l.promise_date]), [['reserved', 'GZ-BRANCH', localDate(3)]]);
    const moves = await get(`/api/v1/stock-moves?part=${p}&kind=receipt&warehouse=GZ-BRANCH`, wh);
    assert.equal(moves.json.items.filter((m) => m.reason === `purchase order ${po.code}`).length, 1);
    // more than is outstanding, a part not on the order, bad quantities: 409 / 422, nothing changes
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, { lines: [{ part: p, qty: 3 }] }, wh);
    assert.equal(r.status, 409, r.text);
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, { lines: [{ part: q, qty: 1 }] }, wh);
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields['lines[0].part']);
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, { lines: [{ part: p, qty: 0 }] }, wh);
    assert.equal(r.status, 422);
    // a partly received order is not cancelled; the rest arrives (no lines: everything outstanding)
    r = await post(`/api/v1/purchase-orders/${po.code}/cancel`, {}, wh);
    assert.equal(r.status, 409);
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, {}, wh);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.status, r.json.received_qty, r.json.outstanding, r.json.receipts.map((x) => x.qty)], ['received', 5, 0, [3, 2]]);
    assert.ok(r.json.received_at);
    b = await balance(p, 'GZ-BRANCH', true);
    assert.equal(b.on_order, 0);
    r = await post(`/api/v1/purchase-orders/${po.code}/receive`, {}, wh);
    assert.equal(r.status, 409, 'received: nothing more');
    // an imported part: expected after 7 days; cancelled while open, on order goes back
    r = await post('/api/v1/purchase-orders', { warehouse: 'SH-CENTRAL', lines: [{ part: q, qty: 4 }, { part: p, qty: 1 }] }, wh);
    assert.equal(r.status, 201, r.text);
    const po2 = r.json;
    assert.deepEqual([po2.source, po2.expected_date, po2.lines.map((l) => l.expected_date)], ['imported', localDate(7), [localDate(7), localDate(3)]]);
    assert.equal((await balance(q, 'SH-CENTRAL', true)).on_order, 4);
    r = await post(`/api/v1/purchase-orders/${po2.code}/cancel`, { reason: 'supplier out of stock' }, wh);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.status, r.json.cancel_reason, r.json.cancelled_by !== null], ['cancelled', 'supplier out of stock', true]);
    assert.equal((await balance(q, 'SH-CENTRAL', true)).on_order, 0);
    assert.equal((await post(`/api/v1/purchase-orders/${po2.code}/receive`, {}, wh)).status, 409);
    assert.equal((await post(`/api/v1/purchase-orders/${po2.code}/cancel`, {}, wh)).status, 409);
    // bad input, roles, unknown codes
    for (const [bad, field] of [[{ warehouse: 'NOPE', lines: [{ part: p, qty: 1 }] }, 'warehouse'],
        [{ warehouse: 'GZ-BRANCH', lines: [] }, 'lines'],
        [{ warehouse: 'GZ-BRANCH', lines: [{ part: 'NO-SUCH', qty: 1 }] }, 'lines[0].part'],
        [{ warehouse: 'GZ-BRANCH', lines: [{ part: p, qty: 1 }, { part: p, qty: 2 }] }, 'lines[1].part'],
        [{ warehouse: 'GZ-BRANCH', lines: [{ part: p, qty: 1 }], extra: 1 }, 'extra']]) {
        r = await post('/api/v1/purchase-orders', bad, wh);
        assert.equal(r.status, 422, JSON.stringify(bad));
        assert.ok(r.json.error.fields[field], `${field}: ${r.text}`);
    }
    assert.equal((await get(`/api/v1/purchase-orders?part=${p}`, wh)).json.items.length, 2, 'nothing stored by the bad ones');
    assert.equal((await post('/api/v1/purchase-orders', body, tech)).status, 403);
    assert.equal((await get('/api/v1/purchase-orders', tech)).status, 403);
    assert.equal((await get('/api/v1/purchase-orders/PO99999999', wh)).status, 404);
    assert.equal((await post('/api/v1/purchase-orders/PO99999999/receive', {}, wh)).status, 404);
    assert.equal((await get('/api/v1/purchase-orders?status=done', wh)).status, 422);
    r = await get(`/api/v1/purchase-orders/${po.code}`, wh);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.receipts.map((x) => [x.line_no, x.part, x.qty]), [[1, p, 3], [1, p, 2]]);
});

test('stock filters for the warehouse desk: kind, region, below the reorder point; bad values 422', async () => {
    const p = `FLT-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    for (const [w, q] of [['SH-CENTRAL', 9], ['GZ-BRANCH', 2], ['SZ-3PL', 5], ['JP-GLOBAL', 4], ['W-OA', 1]]) await receipt(p, w, q);
    const list = async (q, token = wh) => {
        const r = await get(`/api/v1/stock?part=${p}&${q}`, token);
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((i) => i.warehouse).sort();
    };
    assert.deepEqual(await list('kind=branch'), ['GZ-BRANCH']);
    assert.deepEqual(await list('kind=overseas'), ['JP-GLOBAL']);
    // Guangdong (440000): Guangzhou, Shenzhen and OA's stock room; Guangzhou city (440100): no Shenzhen
    assert.deepEqual(await list('region=440000'), ['GZ-BRANCH', 'SZ-3PL', 'W-OA']);
    assert.deepEqual(await list('region=440100'), ['GZ-BRANCH', 'W-OA']);
    assert.deepEqual(await list('region=440100&kind=outlet'), ['W-OA']);
    // below: nothing has a reorder point yet; Guangzhou at 2 with point 3, Shanghai at 9 with point 8
    assert.deepEqual(await list('below=true'), []);
    assert.equal((await post('/api/v1/reorder-points', { part: p, warehouse: 'GZ-BRANCH', reorder_point: 3, reorder_qty: 5 }, wh)).status, 200);
    assert.equal((await post('/api/v1/reorder-points', { part: p, warehouse: 'SH-CENTRAL', reorder_point: 8, reorder_qty: 5 }, wh)).status, 200);
    assert.deepEqual(await list('below=true'), ['GZ-BRANCH']);
    assert.deepEqual(await list('below=false'), ['GZ-BRANCH', 'JP-GLOBAL', 'SH-CENTRAL', 'SZ-3PL', 'W-OA']);
    // in transit counts: a transfer of 2 to Guangzhou lifts its position to 4
    assert.equal((await post('/api/v1/stock-moves', { kind: 'transfer', part: p, qty: 2, from: 'SH-CENTRAL', to: 'GZ-BRANCH' }, wh)).status, 201);
    assert.deepEqual(await list('below=true'), ['SH-CENTRAL'], 'Shanghai is at 7 now');
    // outlet staff: still only their own outlet's stock room
    assert.deepEqual(await list('region=440000', tech), ['W-OA']);
    assert.deepEqual(await list('region=440000', techB), []);
    // the download carries the filters
    const csv = await get(`/api/v1/stock?part=${p}&kind=branch&format=csv`, wh);
    assert.equal(csv.status, 200);
    assert.deepEqual(csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/), ['warehouse,part,on_hand,reserved,available,in_transit,on_order,reorder_point,reorder_qty', `GZ-BRANCH,${p},2,0,2,2,0,3,5`]);
    for (const [q, field] of [['kind=depot', 'kind'], ['region=44', 'region'], ['region=001234', 'region'], ['below=yes', 'below']]) {
        const r = await get(`/api/v1/stock?part=${p}&${q}`, wh);
        assert.equal(r.status, 422, q);
        assert.ok(r.json.error.fields[field], `${q}: ${r.text}`);
    }
});

test('purchase orders under 20 concurrent receipts of one unit: exactly the 5 ordered are received', async () => {
    const p = `POC-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    const po = await post('/api/v1/purchase-orders', { warehouse: 'BJ-BRANCH', lines: [{ part: p, qty: 5 }] }, wh);
    assert.equal(po.status, 201, po.text);
    const rs = await Promise.all(Array.from({ length: 20 }, () =>
        post(`/api/v1/purchase-orders/${po.json.code}/receive`, { lines: [{ part: p, qty: 1 }] }, wh)));
    assert.deepEqual(rs.map((r) => r.status).sort(), [...Array(5).fill(200), ...Array(15).fill(409)]);
    const b = await balance(p, 'BJ-BRANCH', true);
    assert.deepEqual([b.on_hand, b.on_order], [5, 0]);
    const got = await get(`/api/v1/purchase-orders/${po.json.code}`, wh);
    assert.deepEqual([got.json.status, got.json.received_qty, got.json.receipts.length], ['received', 5, 5]);
});

test('a paid repair is quoted and the quote approved before parts: 409 quote_not_approved, nothing changes', async () => {
    const p = `PAID-${Date.now().toString(36).toUpperCase()}`;
    await part(p);
    await receipt(p, 'W-OA', 2);
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    await sql(s, `UPDATE repairs SET in_warranty = 0 WHERE code = '${repair}'`);
    let r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'quote_not_approved');
    assert.match(r.json.error.message, /out of warranty: quote it/);
    for (const to of ['waiting_parts', 'repairing']) {
        r = await post(`/api/v1/repairs/${repair}/transitions`, { to }, tech);
        assert.equal(r.status, 409, `${to}: ${r.text}`);
        assert.equal(r.json.error.code, 'quote_not_approved');
    }
    r = await get(`/api/v1/repairs/${repair}`, tech);
    assert.deepEqual([r.json.status, r.json.next.map((n) => n.to)], ['diagnosing', ['quoted']], 'no step past the quote is offered');
    assert.deepEqual((await get(`/api/v1/repairs/${repair}/part-requests`, tech)).json.items, []);
    assert.equal((await balance(p, 'W-OA')).reserved, 0);
    // approved (the quote route's own tests are in prices.test.mjs): parts may be requested
    await sql(s, `UPDATE repairs SET status = 'approved' WHERE code = '${repair}'`);
    r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
    assert.equal(r.status, 201, r.text);
    assert.equal((await get(`/api/v1/repairs/${repair}`, tech)).json.status, 'waiting_parts');
    // in warranty, or not decided (no unit known): no quote needed
    for (const iw of ['1', 'NULL']) {
        const rr = await makeRepair(s, 'OA', 'diagnosing');
        await sql(s, `UPDATE repairs SET in_warranty = ${iw} WHERE code = '${rr}'`);
        r = await post(`/api/v1/repairs/${rr}/part-requests`, { lines: [{ part: p, qty: 1 }] }, tech);
        assert.equal(r.status, 201, `${iw}: ${r.text}`);
    }
});

test('lines to ship (to_ship=true): reserved or ordered away from the outlet, not shipped yet', async () => {
    const t = Date.now().toString(36).toUpperCase();
    const P = (x) => `TS-${x}-${t}`;
    for (const x of ['OWN', 'CEN', 'BO']) await part(P(x));
    await receipt(P('OWN'), 'W-OA', 2);
    await receipt(P('CEN'), 'SH-CENTRAL', 2);
    const repair = await makeRepair(s, 'OA', 'diagnosing');
    const r = await post(`/api/v1/repairs/${repair}/part-requests`, { lines: ['OWN', 'CEN', 'BO'].map((x) => ({ part: P(x), qty: 1 })) }, tech);
    assert.equal(r.status, 201, r.text);
    const toShip = async (token = wh) => (await get('/api/v1/part-request-lines?to_ship=true&limit=1000', token)).json.items
        .filter((l) => l.repair === repair).map((l) => [l.part, l.warehouse, l.status]);
    assert.deepEqual(await toShip(), [[P('CEN'), 'SH-CENTRAL', 'reserved']]);
    assert.deepEqual(await toShip(tech), [[P('CEN'), 'SH-CENTRAL', 'reserved']]);
    assert.deepEqual(await toShip(techB), []);
    const x = await post(`/api/v1/part-request-lines/${r.json.lines[1].code}/ship`, {}, wh);
    assert.equal(x.status, 200, x.text);
    assert.deepEqual(await toShip(), [], 'shipped: off the list');
    assert.equal((await get('/api/v1/part-request-lines?to_ship=maybe', wh)).status, 422);
});
