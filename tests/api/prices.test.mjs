// The price guide and quotes (issue 10 item 7, SPEC M8 and the contract "Parts and
// prices"): `aftersales import prices|price-caps` refusing a price above a cap with its
// line and storing nothing, the labour of the most specific region enclosing the
// repair's outlet (county, city, province, national), POST /api/v1/repairs/{code}/quote
// (labour plus parts at catalog price, the repair moves to quoted, in_warranty 422), the
// customer's decision recorded on the quote, warranty costs and their report, setting
// prices and caps over HTTP with roles, downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer, sql, freshPhone, freshSerial, localDate } from './repairs-helpers.mjs';
import { outletBody } from './network-helpers.mjs';

let ctx, s, dir, customer;
const LINE = 'TQ';
const MODEL = 'TQ-100';
// catalog parts for the quotes: number -> price_fen
const PARTS = { 'TQP-1': 1234, 'TQP-2': 25000 };

const file = (name, text) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
};
const count = (table) => sql(s, `SELECT count(*) FROM ${table} x JOIN product_lines p ON p.id = x.product_line_id WHERE p.code = '${LINE}'`);

/** Parts in the catalog: through `aftersales import parts` when it exists, else SQL. */
async function addParts() {
    const csv = 'number,description,models,price_fen,superseded_by,source\n' +
        Object.entries(PARTS).map(([n, p]) => `${n},测试零件 ${n},${MODEL},${p},,domestic`).join('\n') + '\n';
    const r = await s.run(['import', 'parts', file('parts.csv', csv)]);
    if (r.code === 0) return;
    assert.match(r.stderr, /unknown kind parts/, r.stderr);
    for (const [n, p] of Object.entries(PARTS))
        await sql(s, `INSERT INTO parts (number, description, price_fen, source, created_at, updated_at) VALUES ('${n}', '测试零件', ${p}, 'domestic', 0, 0)`);
}

before(async () => {
    ctx = await demoServer();
    s = ctx.s;
    dir = mkdtempSync(path.join(os.tmpdir(), 'prices-test-'));
    let r = await ctx.admin.request('/api/v1/product-lines', { body: { code: LINE, name: '测试产品线' } });
    assert.equal(r.status, 201, r.text);
    r = await ctx.admin.request('/api/v1/models', { body: { code: MODEL, name: '测试机型', product_line: LINE, warranty_months: 12 } });
    assert.equal(r.status, 201, r.text);
    // outlets in a county (440106), another county of the same city, another city of the
    // province, another province
    for (const [code, region] of [['OQC', '440106'], ['OQT', '440103'], ['OQP', '440303'], ['OQN', '510104']]) {
        r = await ctx.admin.request('/api/v1/outlets', { body: outletBody(code, { region, covers: [region], product_lines: [LINE, 'TV'] }) });
        assert.equal(r.status, 201, r.text);
    }
    r = await ctx.agent.request('/api/v1/customers', { body: { name: '贾宝玉', phone: freshPhone() } });
    assert.equal(r.status, 201, r.text);
    customer = r.json.code;
    await addParts();
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

/** A paid repair of the test line at outlet, moved to diagnosing by the admin. */
async function diagnosing(outlet, model = MODEL) {
    let r = await ctx.agent.request('/api/v1/repairs', { body: { customer, model, fault: '不开机', outlet } });
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    for (const to of ['received', 'diagnosing']) {
        r = await ctx.admin.request(`/api/v1/repairs/${code}/transitions`, { body: { to } });
        assert.equal(r.status, 200, r.text);
    }
    assert.equal(r.json.in_warranty, false);
    return code;
}
const quote = (who, code, body) => who.request(`/api/v1/repairs/${code}/quote`, { body });
const state = (code) => sql(s, `SELECT r.status, r.version, COALESCE(r.quote_fen, 0), (SELECT count(*) FROM repair_charges c WHERE c.repair_id = r.id),
    (SELECT count(*) FROM repair_events e WHERE e.repair_id = r.id) FROM repairs r WHERE r.code = '${code}'`);

const CAPS = `product_line,level,region,cap_fen
${LINE},B,000000,12000
${LINE},B,440000,9500
${LINE},B,440100,9900
${LINE},A,000000,5000
`;
const PRICES = `region,labour_fen,product_line,level
000000,10000,${LINE},B
440000,9000,${LINE},B
440100,8000,${LINE},B
440106,7000,${LINE},B
`;

test('import: a price above a cap of its region or an enclosing one is refused with its line; nothing stored', async () => {
    let r = await s.run(['import', 'price-caps', file('caps.csv', CAPS)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await count('labour_caps'), '4');
    // 440106 is under the 440000 cap of 9500 (the city's 9900 is looser)
    const bad = PRICES.replace('440106,7000', '440106,9600');
    const f = file('prices-bad.csv', bad);
    r = await s.run(['import', 'prices', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `${f}:5: labour_fen: 9600 is above the cap 9500 of region 440000`);
    assert.equal(await count('labour_prices'), '0', 'nothing of the file is stored');
    // the national price above the national cap, on its line
    const f2 = file('prices-bad2.csv', PRICES.replace('000000,10000', '000000,12001'));
    r = await s.run(['import', 'prices', f2]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^${f2.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: labour_fen: 12001 is above the cap 12000 of region 000000`));
    assert.equal(await count('labour_prices'), '0');
});

test('import: unknown product line or region, a bad level or amount, a duplicate: FILE:LINE: reason, nothing stored', async () => {
    const head = 'product_line,level,region,labour_fen\n';
    const ok = `${LINE},B,000000,10000\n`;
    const cases = [
        [`NOPE,B,000000,100\n`, 'product_line: unknown product line NOPE'],
        [`${LINE},E,000000,100\n`, 'level: must be one of A, B, C, D'],
        [`${LINE},b,000000,100\n`, 'level: must be one of A, B, C, D'],
        [`${LINE},B,4401,100\n`, 'region: must be a six-digit GB/T 2260 code or 000000'],
        [`${LINE},B,449999,100\n`, 'region: 449999 is not a region of the official division list'],
        [`${LINE},B,440106,-5\n`, 'labour_fen: must be a whole number of fen from 1 to 100000000'],
        [`${LINE},B,440106,12.5\n`, 'labour_fen: must be a whole number of fen from 1 to 100000000'],
        [`${LINE},B,440106,\n`, 'labour_fen: must be a whole number of fen from 1 to 100000000'],
        [`${LINE},B,000000,9000\n`, `${LINE} B 000000 appears twice in the file (first on line 2)`],
    ];
    for (const [row, why] of cases) {
        const f = file('p.csv', head + ok + row);
        const r = await s.run(['import', 'prices', f]);
        assert.equal(r.code, 1, row);
        assert.equal(r.stderr.trim(), `${f}:3: ${why}`, row);
        assert.equal(await count('labour_prices'), '0', row);
    }
    // an unknown column is refused too
    const f = file('p.csv', 'product_line,level,region,labour_fen,note\n');
    const r = await s.run(['import', 'prices', f]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /note/);
});

test('import and export: the file is stored, exported again, and caps are never lowered below a price', async () => {
    let r = await s.run(['import', 'prices', file('prices.csv', PRICES)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await count('labour_prices'), '4');
    r = await s.run(['export', 'prices']);
    assert.equal(r.code, 0, r.stderr);
    const mine = r.stdout.split('\n').filter((l) => l.startsWith(`${LINE},`));
    assert.deepEqual(mine, [`${LINE},B,000000,10000`, `${LINE},B,440000,9000`, `${LINE},B,440100,8000`, `${LINE},B,440106,7000`]);
    assert.equal(r.stdout.split('\n')[0], 'product_line,level,region,labour_fen');
    r = await s.run(['export', 'price-caps']);
    assert.ok(r.stdout.includes(`${LINE},B,440000,9500`));
    // a cap below an existing price inside it is refused: the county's price is 7000
    const f = file('caps2.csv', `product_line,level,region,cap_fen\n${LINE},A,440000,100\n${LINE},B,440106,6999\n`);
    r = await s.run(['import', 'price-caps', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `${f}:3: cap_fen: 6999 is below the labour price 7000 of region 440106`);
    assert.equal(await count('labour_caps'), '4');
    // --help names both kinds and their columns
    r = await s.run(['import', '--help'], { db: false });
    assert.equal(r.code, 0);
    assert.match(r.stdout, / prices +product_line,level,region,labour_fen/);
    assert.match(r.stdout, / price-caps +product_line,level,region,cap_fen/);
});

test('labour and quotes use the most specific region enclosing the outlet: county, city, province, national', async () => {
    const cases = [['OQC', 7000, '440106'], ['OQT', 8000, '440100'], ['OQP', 9000, '440000'], ['OQN', 10000, '000000']];
    for (const [outlet, labour, from] of cases) {
        const code = await diagnosing(outlet);
        let r = await ctx.agent.request(`/api/v1/repairs/${code}/labour`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.levels, [{ level: 'B', labour_fen: labour, price_region: from }], outlet);
        assert.equal(r.json.product_line, LINE);
        r = await quote(ctx.admin, code, { level: 'B', parts: [{ part: 'TQP-1', qty: 3 }, { part: 'TQP-2', qty: 1 }] });
        assert.equal(r.status, 201, r.text);
        const parts = 3 * PARTS['TQP-1'] + PARTS['TQP-2'];
        assert.equal(r.json.labour_fen, labour, outlet);
        assert.equal(r.json.parts_fen, parts);
        assert.equal(r.json.total_fen, labour + parts, 'a quote is labour plus parts');
        assert.equal(r.json.currency, 'CNY');
        assert.equal(r.json.price_region, from);
        assert.equal(r.json.repair.status, 'quoted');
        assert.deepEqual(r.json.lines, [
            { part: 'TQP-1', qty: 3, unit_fen: 1234, amount_fen: 3702 },
            { part: 'TQP-2', qty: 1, unit_fen: 25000, amount_fen: 25000 },
        ]);
        assert.equal(r.json.created_by, 'admin');
        assert.equal(r.json.decision, null);
        // the repair is quoted with that amount, on its timeline
        r = await ctx.agent.request(`/api/v1/repairs/${code}`);
        assert.equal(r.json.status, 'quoted');
        assert.equal(r.json.quote_fen, labour + parts);
        assert.equal(r.json.events.at(-1).status, 'quoted');
        assert.equal(r.json.events.at(-1).actor, 'admin');
    }
    // labour only: no parts
    const code = await diagnosing('OQC');
    const r = await quote(ctx.admin, code, { level: 'B' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.labour_fen, r.json.parts_fen, r.json.total_fen], [7000, 0, 7000]);
});

test("outlet staff quote their own outlet's repairs; the demo's quote works at O0001", async () => {
    let r = await ctx.agent.request('/api/v1/repairs', { body: { customer, model: 'HT-A9', fault: '无声音', outlet: 'O0001' } });
    const code = r.json.code;
    for (const to of ['received', 'diagnosing'])
        assert.equal((await ctx.tech.request(`/api/v1/repairs/${code}/transitions`, { body: { to } })).status, 200);
    r = await ctx.tech.request(`/api/v1/repairs/${code}/labour`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.region, '310104');
    assert.equal(r.json.levels.length, 4);
    assert.deepEqual(r.json.levels.map((l) => l.price_region), ['310104', '310104', '310104', '310104'], 'the demo prices Xuhui (310104) itself');
    r = await quote(ctx.tech, code, { level: 'A' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.total_fen, r.json.labour_fen);
    assert.equal(r.json.created_by, 'tech');
    // tech2 works at O0002: the repair is missing for them, exactly as a missing one
    const other = await diagnosing('O0001', 'HT-A9');
    const before = await state(other);
    const theirs = await quote(ctx.tech2, other, { level: 'A' });
    const missing = await quote(ctx.tech2, 'R000000000', { level: 'A' });
    assert.equal(theirs.status, 404);
    assert.deepEqual(theirs.json, missing.json);
    assert.equal((await ctx.tech2.request(`/api/v1/repairs/${other}/labour`)).status, 404);
    assert.equal((await ctx.tech2.request(`/api/v1/repairs/${other}/charges`)).status, 404);
    assert.equal(await state(other), before);
});

test('an in-warranty repair is not quoted: 422 in_warranty, nothing changes; its cost is recorded and reported', async () => {
    const serial = freshSerial('TQW');
    let r = await s.api('/api/v1/public/warranty-registrations', { body: { name: '贾宝玉', phone: freshPhone(), model: 'XR-75X90L', serial, purchase_date: localDate(-30) } });
    assert.equal(r.status, 201, r.text);
    const cust = (await ctx.agent.request(`/api/v1/units/${serial}`)).json.customer.code;
    r = await ctx.agent.request('/api/v1/repairs', { body: { customer: cust, serial, fault: '无图像', outlet: 'O0001' } });
    const code = r.json.code;
    for (const to of ['received', 'diagnosing'])
        assert.equal((await ctx.tech.request(`/api/v1/repairs/${code}/transitions`, { body: { to } })).status, 200);
    const before = await state(code);
    r = await quote(ctx.tech, code, { level: 'A', parts: [{ part: 'TQP-1', qty: 1 }] });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'in_warranty');
    assert.equal(await state(code), before);
    // the warranty cost: labour and parts at the guide's rates, on the repair's record
    r = await ctx.tech.request(`/api/v1/repairs/${code}/warranty-cost`, { body: { level: 'B', parts: [{ part: 'TQP-2', qty: 2 }] } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.kind, 'warranty');
    assert.equal(r.json.parts_fen, 50000);
    assert.equal(r.json.total_fen, r.json.labour_fen + 50000);
    assert.equal(r.json.repair.status, 'diagnosing', 'recording a cost does not move the repair');
    // recorded again: replaces the first
    r = await ctx.tech.request(`/api/v1/repairs/${code}/warranty-cost`, { body: { level: 'A', parts: [{ part: 'TQP-1', qty: 1 }] } });
    assert.equal(r.status, 201, r.text);
    const cost = r.json;
    r = await ctx.tech.request(`/api/v1/repairs/${code}/charges`);
    assert.deepEqual(r.json.items.map((c) => c.kind), ['warranty']);
    // a paid repair has no warranty cost
    const paid = await diagnosing('OQC');
    r = await ctx.admin.request(`/api/v1/repairs/${paid}/warranty-cost`, { body: { level: 'B' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'not_in_warranty');
    // the report per outlet and product line, confined for outlet staff, and its downloads
    r = await ctx.supervisor.request(`/api/v1/reports/warranty-cost?from=${localDate(-1)}&to=${localDate(1)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items, [{ outlet: { code: 'O0001', name: '上海徐汇技术服务中心' }, product_line: { code: 'TV', name: '电视/投影/家庭影院' },
        repairs: 1, labour_fen: cost.labour_fen, parts_fen: 1234, total_fen: cost.total_fen }]);
    r = await ctx.tech2.request('/api/v1/reports/warranty-cost');
    assert.deepEqual(r.json.items, [], "another outlet's costs are not shown to outlet staff");
    r = await ctx.supervisor.request(`/api/v1/reports/warranty-cost?from=${localDate(2)}`);
    assert.deepEqual(r.json.items, []);
    r = await ctx.supervisor.request('/api/v1/reports/warranty-cost?from=yesterday');
    assert.equal(r.status, 422);
    r = await ctx.supervisor.request('/api/v1/reports/warranty-cost?format=csv');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/csv/);
    const lines = r.text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'outlet,outlet_name,product_line,product_line_name,repairs,labour_fen,parts_fen,total_fen');
    assert.equal(lines[1], `O0001,上海徐汇技术服务中心,TV,电视/投影/家庭影院,1,${cost.labour_fen},1234,${cost.total_fen}`);
});

test('bad quotes are refused with a clear error and change nothing', async () => {
    const code = await diagnosing('OQC');
    const before = await state(code);
    const raw = await ctx.admin.request(`/api/v1/repairs/${code}/quote`, { body: '{"level": "B", ' });
    assert.equal(raw.status, 400);
    assert.equal(raw.json.error.code, 'bad_json');
    const cases = [
        [{}, 'level'],
        [{ level: 5 }, 'level'],
        [{ level: 'Z' }, 'level'],
        [{ level: 'B', parts: 'TQP-1' }, 'parts'],
        [{ level: 'B', parts: [{ part: 'TQP-1', qty: -1 }] }, 'parts[0].qty'],
        [{ level: 'B', parts: [{ part: 'TQP-1', qty: 0 }] }, 'parts[0].qty'],
        [{ level: 'B', parts: [{ part: 'TQP-1', qty: '2' }] }, 'parts[0].qty'],
        [{ level: 'B', parts: [{ part: 'TQP-1', qty: 1.5 }] }, 'parts[0].qty'],
        [{ level: 'B', parts: [{ part: 'TQP-1' }] }, 'parts[0].qty'],
        [{ level: 'B', parts: [{ qty: 1 }] }, 'parts[0].part'],
        [{ level: 'B', parts: [{ part: 'TQP-1', qty: 1, price: 1 }] }, 'parts[0].price'],
        [{ level: 'B', parts: ['TQP-1'] }, 'parts[0]'],
        [{ level: 'B', total_fen: 1 }, 'total_fen'],
    ];
    for (const [body, field] of cases) {
        const r = await quote(ctx.admin, code, body);
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.equal(r.json.error.code, 'validation_failed');
        assert.ok(r.json.error.fields[field], `${JSON.stringify(body)}: ${r.text}`);
    }
    let r = await quote(ctx.admin, code, { level: 'B', parts: [{ part: 'TQP-1', qty: 1 }, { part: 'NO-SUCH', qty: 1 }] });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'unknown_part');
    assert.deepEqual(Object.keys(r.json.error.fields), ['parts[1].part']);
    r = await quote(ctx.admin, code, { level: 'C' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'no_price');
    // roles: the agent does not quote (the outlet or a supervisor does)
    r = await quote(ctx.agent, code, { level: 'B' });
    assert.equal(r.status, 403);
    r = await quote(ctx.warehouse, code, { level: 'B' });
    assert.equal(r.status, 403);
    assert.equal(await state(code), before);
    // a repair not being diagnosed cannot be quoted: refused as the transition is
    r = await ctx.agent.request('/api/v1/repairs', { body: { customer, model: MODEL, fault: '异响', outlet: 'OQC' } });
    const fresh = r.json.code;
    const b2 = await state(fresh);
    r = await quote(ctx.admin, fresh, { level: 'B' });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'illegal_transition');
    assert.equal(await state(fresh), b2);
    // quoted once: a second quote is refused the same way
    r = await quote(ctx.admin, code, { level: 'B' });
    assert.equal(r.status, 201);
    const b3 = await state(code);
    r = await quote(ctx.admin, code, { level: 'B' });
    assert.equal(r.status, 409);
    assert.equal(await state(code), b3);
});

test("the customer's decision is recorded on the quote: approved, or declined when cancelled", async () => {
    const yes = await diagnosing('OQT');
    assert.equal((await quote(ctx.admin, yes, { level: 'B' })).status, 201);
    let r = await ctx.agent.request(`/api/v1/repairs/${yes}/transitions`, { body: { to: 'approved' } });
    assert.equal(r.status, 200, r.text);
    r = await ctx.agent.request(`/api/v1/repairs/${yes}/charges`);
    assert.equal(r.json.items.length, 1);
    assert.equal(r.json.items[0].decision, 'approved');
    assert.equal(r.json.items[0].decided_by, 'agent');
    assert.match(r.json.items[0].decided_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // later steps do not change it
    r = await ctx.admin.request(`/api/v1/repairs/${yes}/transitions`, { body: { to: 'cancelled', reason: '客户取回' } });
    assert.equal(r.status, 200);
    r = await ctx.agent.request(`/api/v1/repairs/${yes}/charges`);
    assert.equal(r.json.items[0].decision, 'approved');
    const no = await diagnosing('OQT');
    assert.equal((await quote(ctx.admin, no, { level: 'B' })).status, 201);
    r = await ctx.agent.request(`/api/v1/repairs/${no}/transitions`, { body: { to: 'cancelled', reason: '客户不修' } });
    assert.equal(r.status, 200, r.text);
    r = await ctx.agent.request(`/api/v1/repairs/${no}/charges`);
    assert.equal(r.json.items[0].decision, 'declined');
    assert.equal(r.json.items[0].decided_by, 'agent');
});

test('setting prices and caps over HTTP: checked against caps, roles, nothing changes on refusal', async () => {
    const put = (who, body) => who.request('/api/v1/prices', { body });
    let r = await put(ctx.supervisor, { product_line: LINE, level: 'B', region: '440103', labour_fen: 9500 });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual({ ...r.json, updated_at: undefined }, { product_line: LINE, level: 'B', region: '440103', region_name: '荔湾区',
        labour_fen: 9500, cap_fen: 9500, version: 1, updated_at: undefined, updated_by: 'supervisor' });
    r = await put(ctx.admin, { product_line: LINE, level: 'B', region: '440103', labour_fen: 8500 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.version, 2);
    const before = await sql(s, `SELECT count(*), sum(labour_fen), sum(version) FROM labour_prices`);
    r = await put(ctx.admin, { product_line: LINE, level: 'B', region: '440103', labour_fen: 9501 });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'above_cap');
    assert.match(r.json.error.message, /440000/);
    const bad = [
        [{ product_line: 'NOPE', level: 'B', region: '440103', labour_fen: 100 }, 'product_line'],
        [{ product_line: LINE, level: 'X', region: '440103', labour_fen: 100 }, 'level'],
        [{ product_line: LINE, level: 'B', region: '449999', labour_fen: 100 }, 'region'],
        [{ product_line: LINE, level: 'B', region: '44', labour_fen: 100 }, 'region'],
        [{ product_line: LINE, level: 'B', region: '440103', labour_fen: 0 }, 'labour_fen'],
        [{ product_line: LINE, level: 'B', region: '440103', labour_fen: '100' }, 'labour_fen'],
        [{ product_line: LINE, level: 'B', region: '440103' }, 'labour_fen'],
        [{ product_line: LINE, level: 'B', region: '440103', labour_fen: 100, cap_fen: 1 }, 'cap_fen'],
    ];
    for (const [body, field] of bad) {
        r = await put(ctx.admin, body);
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.ok(r.json.error.fields[field], `${JSON.stringify(body)}: ${r.text}`);
    }
    for (const who of [ctx.agent, ctx.tech, ctx.manager, ctx.warehouse]) {
        r = await put(who, { product_line: LINE, level: 'B', region: '440103', labour_fen: 100 });
        assert.equal(r.status, 403);
        r = await who.request('/api/v1/price-caps', { body: { product_line: LINE, level: 'B', region: '440103', cap_fen: 100000 } });
        assert.equal(r.status, 403);
    }
    r = await ctx.admin.request('/api/v1/price-caps', { body: { product_line: LINE, level: 'B', region: '440100', cap_fen: 8000 } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'below_price');
    assert.equal(await sql(s, `SELECT count(*), sum(labour_fen), sum(version) FROM labour_prices`), before);
    assert.equal(await count('labour_caps'), '4');
    r = await ctx.admin.request('/api/v1/price-caps', { body: { product_line: LINE, level: 'C', region: '310000', cap_fen: 30000 } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.cap_fen, 30000);
    assert.equal(r.json.region_name, '上海市');
    assert.equal(await sql(s, `SELECT actor || ' ' || action FROM audit WHERE entity = 'price_cap' AND entity_code = '${LINE}/C/310000'`), 'admin create');
});

test('the price guide lists filter, page and download as CSV and XLSX', async () => {
    let r = await ctx.tech.request(`/api/v1/prices?product_line=${LINE}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => [i.level, i.region, i.labour_fen]),
        [['B', '000000', 10000], ['B', '440000', 9000], ['B', '440100', 8000], ['B', '440103', 8500], ['B', '440106', 7000]]);
    assert.equal(r.json.items[0].region_name, '全国');
    assert.equal(r.json.items[0].cap_fen, 12000);
    assert.equal(r.json.items[2].cap_fen, 9500, 'the tightest enclosing cap');
    // a region shows itself and the regions inside it
    r = await ctx.tech.request(`/api/v1/prices?product_line=${LINE}&region=440100`);
    assert.deepEqual(r.json.items.map((i) => i.region), ['440100', '440103', '440106']);
    r = await ctx.tech.request(`/api/v1/prices?product_line=${LINE}&level=A`);
    assert.deepEqual(r.json.items, []);
    // pages
    const seen = [];
    let cursor = null;
    do {
        r = await ctx.agent.request(`/api/v1/prices?product_line=${LINE}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.items.map((i) => i.region));
        cursor = r.json.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, ['000000', '440000', '440100', '440103', '440106']);
    for (const q of ['level=E', 'region=12', 'format=pdf', 'limit=0']) {
        r = await ctx.agent.request(`/api/v1/prices?${q}`);
        assert.equal(r.status, 422, q);
    }
    // downloads: the import's columns, so the file imports again
    r = await ctx.agent.request(`/api/v1/prices?product_line=${LINE}&format=csv`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/csv/);
    assert.deepEqual(r.text.trim().split(/\r?\n/), ['product_line,level,region,labour_fen',
        `${LINE},B,000000,10000`, `${LINE},B,440000,9000`, `${LINE},B,440100,8000`, `${LINE},B,440103,8500`, `${LINE},B,440106,7000`]);
    const back = await s.run(['import', 'prices', file('again.csv', r.text)]);
    assert.equal(back.code, 0, back.stderr);
    r = await ctx.agent.request(`/api/v1/price-caps?product_line=${LINE}&format=xlsx`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    const raw = await ctx.agent.fetch(`/api/v1/price-caps?product_line=${LINE}&format=xlsx`);
    assert.equal(raw.status, 200);
    assert.equal(Buffer.from(await raw.arrayBuffer()).subarray(0, 2).toString(), 'PK');
    r = await ctx.agent.request(`/api/v1/price-caps?product_line=${LINE}`);
    assert.deepEqual(r.json.items.map((i) => [i.level, i.region, i.cap_fen]),
        [['A', '000000', 5000], ['B', '000000', 12000], ['B', '440000', 9500], ['B', '440100', 9900], ['C', '310000', 30000]]);
});

test('concurrent price and cap writes never leave a price above a cap', async () => {
    let r = await ctx.admin.request('/api/v1/price-caps', { body: { product_line: LINE, level: 'D', region: '440000', cap_fen: 10000 } });
    assert.equal(r.status, 201, r.text);
    r = await ctx.admin.request('/api/v1/prices', { body: { product_line: LINE, level: 'D', region: '440106', labour_fen: 5000 } });
    assert.equal(r.status, 201, r.text);
    const writes = [];
    for (let i = 0; i < 12; i++) {
        writes.push(ctx.admin.request('/api/v1/prices', { body: { product_line: LINE, level: 'D', region: '440106', labour_fen: 9000 + i } }));
        writes.push(ctx.supervisor.request('/api/v1/price-caps', { body: { product_line: LINE, level: 'D', region: '440000', cap_fen: 8000 + i } }));
    }
    const answers = await Promise.all(writes);
    for (const a of answers) assert.ok([200, 422, 503].includes(a.status), `${a.status} ${a.text}`);
    assert.ok(answers.some((a) => a.status === 200));
    const broken = await sql(s, `SELECT count(*) FROM labour_prices x JOIN labour_caps k ON k.product_line_id = x.product_line_id
        AND k.level = x.level AND k.region IN (x.region, substr(x.region, 1, 4) || '00', substr(x.region, 1, 2) || '0000', '000000')
        WHERE x.labour_fen > k.cap_fen`);
    assert.equal(broken, '0');
});
