// Repair and unit lists as downloads (issue 9): GET /api/v1/repairs and GET /api/v1/units
// answer ?format=csv|xlsx with the same filters as the JSON list, every matching row
// (pages of the list's maximum), a header row of the export columns; ?format=pdf is
// 422; outlet staff download only their own outlet's repairs. SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { DEMO_PASSWORD, sql, freshPhone, freshSerial, localDate } from './repairs-helpers.mjs';

const REPAIR_HEADER = 'code,status,kind,channel,customer,customer_name,serial,model,model_name,' +
    'product_line,outlet,outlet_name,in_warranty,fault,registered_at,received_at,repaired_at,' +
    'delivered_at,cancelled_at,age_days';
const UNIT_HEADER = 'serial,model,model_name,purchase_date,warranty_until,in_warranty';

let ctx, s, customer;
const serials = [];
before(async () => {
    // more demo repairs than one page of the list (500), so downloads span pages
    s = await startServer({ args: ['--public-rate', '100000'] });
    const d = await s.run(['demo', '--repairs', '1200']);
    assert.equal(d.code, 0, d.stderr);
    ctx = {};
    for (const login of ['agent', 'tech2', 'supervisor']) ctx[login] = await s.login(login, DEMO_PASSWORD);
    const phone = freshPhone();
    for (const [model, date] of [['XR-75X90L', localDate(-30)], ['CFI-1200', '2023-01-05']]) {
        const serial = freshSerial('x');
        const r = await s.api('/api/v1/public/warranty-registrations', { body: { name: '薛宝钗', phone, model, serial, purchase_date: date } });
        assert.equal(r.status, 201, r.text);
        serials.push(serial);
    }
    customer = (await ctx.agent.request(`/api/v1/units/${serials[0]}`)).json.customer.code;
    // five repairs at O0001 and three at O0002, one of them with a fault that needs quoting
    for (let i = 0; i < 8; i++) {
        const r = await ctx.agent.request('/api/v1/repairs', { body: { customer, serial: serials[i % 2], fault: i ? `故障 ${i}` : '屏幕"闪烁", 有杂音', outlet: i < 5 ? 'O0001' : 'O0002' } });
        assert.equal(r.status, 201, r.text);
    }
});
after(async () => { assert.equal(await s?.stop(), 0); });

/** RFC 4180 text (optional BOM, CRLF) into rows of cells. */
function parseCsv(text) {
    const rows = [];
    let row = [], cell = '', quoted = false;
    const src = text.replace(/^\uFEFF/, '');
    for (let i = 0; i < src.length; i++) {
        const ch = src[i];
        if (quoted) {
            if (ch === '"' && src[i + 1] === '"') { cell += '"'; i++; }
            else if (ch === '"') quoted = false;
            else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') { row.push(cell); cell = ''; }
        else if (ch === '\r' && src[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
        else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
        else cell += ch;
    }
    if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
    return rows;
}

/** A CSV download by `who`: 200, text/csv, the attachment name; header and rows as objects. */
async function csv(who, p, filename) {
    const res = await who.fetch(p, { headers: { Accept: '*/*' } });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="${filename}\\.csv"`));
    assert.equal(res.headers.get('x-export-truncated'), null);
    const [head, ...rows] = parseCsv(text);
    return { header: head.join(','), rows: rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]]))) };
}

/** An XLSX download: a zip whose shared strings hold every header name. */
async function xlsxStrings(who, p) {
    const res = await who.fetch(p, { headers: { Accept: '*/*' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rep-xlsx-'));
    try {
        const f = path.join(dir, 'x.xlsx');
        writeFileSync(f, bytes);
        return execFileSync('unzip', ['-p', f, 'xl/sharedStrings.xml']).toString();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test('repairs: the CSV holds the header and exactly the rows of the JSON list, same filters', async () => {
    const list = await ctx.agent.request(`/api/v1/repairs?customer=${customer}&limit=500`);
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 8);
    const d = await csv(ctx.agent, `/api/v1/repairs?customer=${customer}&format=csv`, 'repairs');
    assert.equal(d.header, REPAIR_HEADER);
    assert.deepEqual(d.rows.map((r) => r.code), list.json.items.map((x) => x.code));
    const first = list.json.items.at(-1); // the oldest: the fault with a quote and a comma
    const row = d.rows.at(-1);
    assert.equal(row.customer, customer);
    assert.equal(row.customer_name, '薛宝钗');
    assert.equal(row.serial, first.serial);
    assert.equal(row.model, first.model.code);
    assert.equal(row.outlet, 'O0001');
    assert.equal(row.status, 'registered');
    assert.equal(row.fault, '屏幕"闪烁", 有杂音', 'downloads carry the fault');
    assert.equal(row.registered_at, first.registered_at, 'times as RFC 3339, as in the JSON');
    assert.equal(row.received_at, '');
    assert.equal(list.json.items[0].fault, undefined, 'the JSON list is unchanged: no fault');
    // the filters apply to the download too
    const o2 = await csv(ctx.agent, `/api/v1/repairs?customer=${customer}&outlet=O0002&format=csv`, 'repairs');
    assert.equal(o2.rows.length, 3);
    assert.ok(o2.rows.every((r) => r.outlet === 'O0002'));
    const none = await csv(ctx.agent, `/api/v1/repairs?customer=${customer}&status=delivered&format=csv`, 'repairs');
    assert.equal(none.rows.length, 0);
    // a bad filter, a bad format
    let r = await ctx.agent.request(`/api/v1/repairs?status=nope&format=csv`);
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.status);
    r = await ctx.agent.request(`/api/v1/repairs?customer=${customer}&format=pdf`);
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.format);
});

test('repairs: a download holds every matching row, page after page', async () => {
    const all = await csv(ctx.supervisor, '/api/v1/repairs?format=csv', 'repairs');
    const count = Number(await sql(s, 'SELECT count(*) FROM repairs'));
    assert.ok(count > 500, `the demo makes more repairs than one page (${count})`);
    assert.equal(all.rows.length, count);
    assert.equal(new Set(all.rows.map((r) => r.code)).size, count, 'no row twice');
    const open = await csv(ctx.supervisor, '/api/v1/repairs?open=1&format=csv', 'repairs');
    assert.equal(open.rows.length, Number(await sql(s, "SELECT count(*) FROM repairs WHERE status NOT IN ('delivered', 'cancelled')")));
});

test('repairs: outlet staff download only their own outlet\'s repairs', async () => {
    const mine = Number(await sql(s, "SELECT count(*) FROM repairs r JOIN outlets o ON o.id = r.outlet_id WHERE o.code = 'O0002'"));
    for (const q of ['format=csv', 'outlet=O0001&format=csv']) {
        const d = await csv(ctx.tech2, `/api/v1/repairs?${q}`, 'repairs');
        assert.equal(d.rows.length, mine, q);
        assert.ok(d.rows.every((r) => r.outlet === 'O0002'), q);
    }
    const d = await csv(ctx.tech2, `/api/v1/repairs?customer=${customer}&format=csv`, 'repairs');
    const list = await ctx.tech2.request(`/api/v1/repairs?customer=${customer}&limit=500`);
    assert.equal(d.rows.length, 3);
    assert.deepEqual(d.rows.map((r) => r.code), list.json.items.map((x) => x.code));
});

test('repairs: the XLSX download is a workbook with the export columns', async () => {
    const strings = await xlsxStrings(ctx.agent, `/api/v1/repairs?customer=${customer}&format=xlsx`);
    for (const h of REPAIR_HEADER.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    assert.ok(strings.includes('薛宝钗'));
});

test('units: the CSV and XLSX of a customer\'s units; the list pages with an opaque cursor', async () => {
    const list = await ctx.agent.request(`/api/v1/units?customer=${customer}`);
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 2);
    assert.equal(list.json.next_cursor, null);
    const d = await csv(ctx.agent, `/api/v1/units?customer=${customer}&format=csv`, 'units');
    assert.equal(d.header, UNIT_HEADER);
    assert.deepEqual(d.rows.map((r) => r.serial), list.json.items.map((x) => x.serial));
    const old = d.rows.find((r) => r.serial === serials[1]);
    assert.equal(old.model, 'CFI-1200');
    assert.equal(old.purchase_date, '2023-01-05');
    assert.equal(old.in_warranty, 'false');
    assert.equal(d.rows.find((r) => r.serial === serials[0]).in_warranty, 'true');
    // outlet staff may list a customer's units (the repair form), downloads included
    const t = await csv(ctx.tech2, `/api/v1/units?customer=${customer}&format=csv`, 'units');
    assert.equal(t.rows.length, 2);
    const strings = await xlsxStrings(ctx.agent, `/api/v1/units?customer=${customer}&format=xlsx`);
    for (const h of UNIT_HEADER.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    // pages of one
    const p1 = await ctx.agent.request(`/api/v1/units?customer=${customer}&limit=1`);
    assert.equal(p1.json.items.length, 1);
    assert.equal(typeof p1.json.next_cursor, 'string');
    const p2 = await ctx.agent.request(`/api/v1/units?customer=${customer}&limit=1&cursor=${p1.json.next_cursor}`);
    assert.equal(p2.json.items.length, 1);
    assert.equal(p2.json.next_cursor, null);
    assert.deepEqual([...p1.json.items, ...p2.json.items], list.json.items);
    // refusals, as for the JSON list
    let r = await ctx.agent.request('/api/v1/units?format=csv');
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.customer, 'required');
    r = await ctx.agent.request('/api/v1/units?customer=C99999999&format=csv');
    assert.equal(r.status, 404);
    r = await ctx.agent.request(`/api/v1/units?customer=${customer}&format=pdf`);
    assert.equal(r.status, 422);
    r = await ctx.agent.request(`/api/v1/units?customer=${customer}&cursor=abc`);
    assert.equal(r.status, 422);
});
