// Downloads of the KPI tables (issue 9): the at-risk list and the turnaround table as
// CSV and XLSX through base/table: one row per JSON item, outlet staff confined in the
// download too, instants shown in the organisation's zone, unknown formats 422.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer, sql } from './repairs-helpers.mjs';

const H = 3600;
let ctx, s;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kpi-export-'));
const now = Math.floor(Date.now() / 1000);
const AT_RISK_HEAD = 'code,outlet,outlet_name,product_line,status,received_at,crosses_at,hours_left,part';

before(async () => {
    ctx = await demoServer();
    s = ctx.s;
    // open repairs at both demo outlets that cross 14 days within 72 hours
    let q = 'BEGIN;\n';
    for (const [i, outlet] of ['O0001', 'O0001', 'O0002'].entries()) {
        q += 'INSERT INTO repairs (code, customer_id, serial, product_line_id, outlet_id, status,'
            + ' registered_at, received_at, repaired_at, cancelled_at, created_at, updated_at)'
            + ` SELECT 'KX-${i}', (SELECT min(id) FROM customers), NULL, (SELECT min(id) FROM product_lines),`
            + ` (SELECT id FROM outlets WHERE code = '${outlet}'), 'repairing', 0, ${now - (300 + 10 * i) * H},`
            + ' NULL, NULL, 0, 0;\n';
    }
    await sql(s, q + 'COMMIT;\n');
});
after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await s.stop(), 0);
});

async function csvLines(who, p) {
    const res = await who.fetch(p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for Excel');
    return { res, lines: buf.subarray(3).toString('utf8').replace(/\r\n$/, '').split('\r\n') };
}

async function xlsxParts(who, p, name) {
    const res = await who.fetch(p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="${name}\\.xlsx"`));
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.subarray(0, 2).toString(), 'PK', 'a zip file');
    const f = path.join(dir, `${name}.xlsx`);
    writeFileSync(f, buf);
    const part = (x) => execFileSync('unzip', ['-p', f, x]).toString();
    return { sheet: part('xl/worksheets/sheet1.xml'), strings: part('xl/sharedStrings.xml'), workbook: part('xl/workbook.xml') };
}

test('at-risk: the CSV has one row per JSON item, with the same filters', async () => {
    const q = 'within_hours=8784&limit=1000';
    const r = await ctx.supervisor.request(`/api/v1/kpi/at-risk?${q}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length >= 3);
    const { res, lines } = await csvLines(ctx.supervisor, `/api/v1/kpi/at-risk?${q}&format=csv`);
    assert.match(res.headers.get('content-disposition'), /attachment; filename="kpi-at-risk-14d\.csv"/);
    assert.equal(lines[0], AT_RISK_HEAD);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), r.json.items.map((i) => i.code));
    // times are unix seconds in the CSV, RFC 3339 in JSON
    const kx = r.json.items.find((i) => i.code === 'KX-0');
    const row = lines.find((l) => l.startsWith('KX-0,')).split(',');
    assert.equal(Number(row[5]), Date.parse(kx.received_at) / 1000);
    assert.equal(Number(row[6]), Date.parse(kx.crosses_at) / 1000);
    // an outlet filter
    const one = await ctx.supervisor.request(`/api/v1/kpi/at-risk?${q}&outlet=O0002`);
    const d = await csvLines(ctx.supervisor, `/api/v1/kpi/at-risk?${q}&outlet=O0002&format=csv`);
    assert.equal(d.lines.length, 1 + one.json.items.length);
    assert.ok(d.lines.slice(1).every((l) => l.split(',')[1] === 'O0002'));
});

test('at-risk and turnaround: outlet staff download only their outlet', async () => {
    const q = 'within_hours=8784&limit=1000';
    const mine = await ctx.tech.request(`/api/v1/kpi/at-risk?${q}`);
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.json.items.some((i) => i.code === 'KX-0'));
    assert.ok(!mine.json.items.some((i) => i.code === 'KX-2'));
    const { lines } = await csvLines(ctx.tech, `/api/v1/kpi/at-risk?${q}&format=csv`);
    assert.equal(lines.length, 1 + mine.json.items.length);
    assert.ok(lines.slice(1).every((l) => l.split(',')[1] === 'O0001'), lines.join('\n'));
    const other = await ctx.tech.request(`/api/v1/kpi/at-risk?${q}&outlet=O0002&format=csv`);
    assert.equal(other.status, 404);

    const t = await csvLines(ctx.tech, '/api/v1/kpi/turnaround?from=2020-01-01&to=2030-01-01&group_by=outlet&format=csv');
    const groups = t.lines.slice(1).map((l) => l.split(',')[0]);
    assert.ok(groups.every((g) => g === 'O0001' || g === 'total'), groups.join(' '));
});

test('at-risk XLSX: header names, sheet KPI, instants as local times of the KPI zone', async () => {
    const r = await ctx.supervisor.request('/api/v1/kpi/at-risk?within_hours=8784&limit=1000');
    const { sheet, strings, workbook } = await xlsxParts(ctx.supervisor, '/api/v1/kpi/at-risk?within_hours=8784&limit=1000&format=xlsx', 'kpi-at-risk-14d');
    for (const h of AT_RISK_HEAD.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    assert.match(workbook, /<sheet name="KPI"/);
    assert.match(sheet, /<pane [^>]*ySplit="1"/, 'frozen header');
    // row 2 is the first item; F2 its received_at as an Excel serial in Asia/Shanghai
    const first = r.json.items[0];
    const f2 = /<c r="F2"[^>]*><v>([^<]+)<\/v>/.exec(sheet);
    assert.ok(f2, 'F2 holds a date');
    const want = (Date.parse(first.received_at) / 1000 + 8 * H) / 86400 + 25569;
    assert.ok(Math.abs(Number(f2[1]) - want) < 1e-6, `${f2[1]} vs ${want}`);
    const h2 = /<c r="H2"[^>]*><v>([^<]+)<\/v>/.exec(sheet);
    assert.equal(Number(h2[1]), first.hours_left);
});

test('unknown formats are 422 on both KPI routes', async () => {
    for (const p of ['/api/v1/kpi/at-risk?format=pdf', '/api/v1/kpi/turnaround?from=2026-01-01&to=2026-02-01&format=pdf']) {
        const r = await ctx.supervisor.request(p);
        assert.equal(r.status, 422, p);
        assert.equal(r.json.error.fields.format, 'one of json, csv, xlsx');
    }
    const { strings } = await xlsxParts(ctx.supervisor, '/api/v1/kpi/turnaround?from=2026-01-01&to=2026-02-01&format=xlsx', 'kpi-turnaround-2026-01-01-2026-02-01');
    for (const h of ['group', 'name', 'completed', 'rate_4d', 'with_serial', 'total']) assert.ok(strings.includes(`>${h}<`), h);
});
