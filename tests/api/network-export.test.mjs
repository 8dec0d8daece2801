// Downloads of the service network's lists (issue 9): outlets, technicians, appointments
// and regions answer ?format=csv|xlsx with every matching row under the list's filters
// (outlet staff only their own outlet's), the coverage report as a table; ?format=pdf is
// refused. Both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { officialCounties, countiesIn, outletBody } from './network-helpers.mjs';

let s, admin, agent, mgr;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'net-export-'));
const DAY = '2031-02-05';

before(async () => {
    s = await startServer();
    [admin, agent] = await Promise.all([s.token('admin'), s.token('agent')]);
    const outlets = [['EX1', {}], ['EX2', { region: '110105', covers: ['110105'], type: 'service_center' }],
        ['EX3', { name: '导出, "三号"' }]];
    for (const [code, extra] of outlets) {
        const r = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, extra) });
        assert.equal(r.status, 201, r.text);
    }
    const techs = [];
    for (const [outlet, name] of [['EX1', '导出 甲'], ['EX1', '导出 乙'], ['EX2', '导出 丙']]) {
        const r = await s.api('/api/v1/technicians', { token: admin, body: { outlet, name } });
        assert.equal(r.status, 201, r.text);
        techs.push(r.json.code);
    }
    for (const [i, tech] of techs.entries()) {
        const r = await s.api('/api/v1/appointments', { token: agent,
            body: { technician: tech, starts_at: `${DAY}T1${i}:00:00+08:00`, note: `visit ${i}` } });
        assert.equal(r.status, 201, r.text);
    }
    mgr = await s.token('outlet_manager', 'EX1');
});
after(async () => {
    await s?.stop();
    rmSync(tmp, { recursive: true, force: true });
});

async function raw(p, token) {
    const res = await fetch(new URL(p, s.url), { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// RFC 4180 rows of a CSV download (after its BOM).
function parseCsv(bytes) {
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with a BOM');
    const text = bytes.subarray(3).toString('utf8');
    const rows = [];
    let row = [], field = '', quoted = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quoted) {
            if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
            else if (ch === '"') quoted = false;
            else field += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') { row.push(field); field = ''; }
        else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
        else field += ch;
    }
    if (field !== '' || row.length) { row.push(field); rows.push(row); }
    return rows;
}

// The CSV download of a list next to its JSON page: header, data rows.
async function both(route, query, token) {
    const sep = query ? '&' : '';
    const json = await s.api(`${route}?${query}`, { token });
    assert.equal(json.status, 200, json.text);
    const csv = await raw(`${route}?${query}${sep}format=csv`, token);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assert.match(csv.headers.get('content-disposition'), /attachment; filename="\w+\.csv"/);
    const [header, ...rows] = parseCsv(csv.bytes);
    return { items: json.json.items, next: json.json.next_cursor, header, rows };
}

// The members of an XLSX download: its first sheet's shared strings and the file list.
async function xlsx(p, token) {
    const r = await raw(p, token);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    assert.equal(r.bytes.subarray(0, 2).toString(), 'PK', 'an XLSX file is a zip');
    const file = path.join(tmp, `x${Math.random().toString(36).slice(2)}.xlsx`);
    writeFileSync(file, r.bytes);
    return {
        list: execFileSync('unzip', ['-l', file]).toString(),
        strings: execFileSync('unzip', ['-p', file, 'xl/sharedStrings.xml']).toString(),
    };
}

const LISTS = [
    { route: '/api/v1/outlets', query: 'q=EX', n: 3,
      header: ['code', 'name', 'type', 'grade', 'region', 'region_name', 'capacity', 'active', 'in_service', 'covers_count'] },
    { route: '/api/v1/technicians', query: 'outlet=EX1', n: 2, header: ['code', 'name', 'phone', 'outlet', 'active'] },
    { route: '/api/v1/appointments', query: `date=${DAY}`, n: 3,
      header: ['code', 'technician', 'outlet', 'starts_at', 'ends_at', 'repair', 'note', 'cancelled', 'completed'] },
    { route: '/api/v1/regions', query: 'parent=440100&level=3', n: countiesIn('440100').length,
      header: ['code', 'name', 'full_name', 'level', 'province', 'city'] },
];

for (const l of LISTS) {
    test(`${l.route}: the CSV has the header and one row per JSON item, under the same filters`, async () => {
        const b = await both(l.route, l.query, agent);
        assert.deepEqual(b.header, l.header);
        assert.equal(b.items.length, l.n);
        assert.equal(b.next, null);
        assert.equal(b.rows.length, b.items.length);
        assert.deepEqual(b.rows.map((r) => r[0]), b.items.map((x) => x.code));
        for (const r of b.rows) assert.equal(r.length, l.header.length);
        const x = await xlsx(`${l.route}?${l.query}&format=xlsx`, agent);
        for (const h of l.header) assert.ok(x.strings.includes(`>${h}<`), `${h} in the workbook`);
        const bad = await s.api(`${l.route}?${l.query}&format=pdf`, { token: agent });
        assert.equal(bad.status, 422);
        assert.ok(bad.json.error.fields.format);
    });
}

test('download cells: quoted text, numbers, booleans and RFC 3339 times', async () => {
    const o = await both('/api/v1/outlets', 'q=EX3', agent);
    assert.deepEqual(o.rows, [['EX3', '导出, "三号"', 'designated', 'B', '440106', '广东省 广州市 天河区', '10', 'true', 'true', '1']]);
    const a = await both('/api/v1/appointments', `date=${DAY}&outlet=EX2`, agent);
    assert.equal(a.rows.length, 1);
    assert.deepEqual(a.rows[0].slice(2), ['EX2', '2031-02-05T04:00:00Z', '2031-02-05T05:00:00Z', '', 'visit 2', 'false', 'false']);
});

test('a filter refused in JSON is refused in the download', async () => {
    for (const p of ['/api/v1/outlets?type=shop', '/api/v1/outlets?region=12', '/api/v1/appointments?date=2031-02-30',
        '/api/v1/regions?level=9']) {
        const r = await s.api(`${p}&format=csv`, { token: agent });
        assert.equal(r.status, 422, p);
    }
    const r = await raw('/api/v1/technicians?outlet=NOPE&format=csv', agent);
    assert.equal(r.status, 200);
    assert.deepEqual(parseCsv(r.bytes).length, 1, 'an unknown outlet: the header alone');
});

test('the download holds every matching row, past the JSON page', async () => {
    const b = await both('/api/v1/regions', 'level=3', agent);
    assert.equal(b.items.length, 50, 'the JSON page is 50 by default');
    assert.ok(b.next);
    assert.equal(b.rows.length, officialCounties().length, 'the CSV has all county-level regions');
    const all = await both('/api/v1/appointments', '', agent);
    assert.equal(all.rows.length, 3);
});

test('outlet staff download only their own outlet\'s rows', async () => {
    let b = await both('/api/v1/outlets', '', mgr);
    assert.deepEqual(b.rows.map((r) => r[0]), ['EX1']);
    assert.equal(b.items.length, 1);
    b = await both('/api/v1/technicians', '', mgr);
    assert.equal(b.rows.length, 2);
    assert.ok(b.rows.every((r) => r[3] === 'EX1'));
    b = await both('/api/v1/technicians', 'outlet=EX2', mgr);
    assert.deepEqual(b.rows, [], 'another outlet\'s technicians are not listed');
    b = await both('/api/v1/appointments', `date=${DAY}`, mgr);
    assert.equal(b.rows.length, 2);
    assert.ok(b.rows.every((r) => r[2] === 'EX1'));
    b = await both('/api/v1/appointments', 'outlet=EX2', mgr);
    assert.deepEqual(b.rows, []);
});

test('coverage: the breakdown as CSV (BOM, rates to 4 places); XLSX adds the uncovered counties', async () => {
    const json = await s.api('/api/v1/coverage?region=440000', { token: admin });
    const csv = await raw('/api/v1/coverage?region=440000&format=csv', admin);
    assert.equal(csv.status, 200);
    const [header, ...rows] = parseCsv(csv.bytes);
    assert.deepEqual(header, ['code', 'name', 'covered', 'total', 'rate']);
    assert.equal(rows.length, json.json.cities.length);
    const gz = rows.find((r) => r[0] === '440100');
    const gzJson = json.json.cities.find((c) => c.code === '440100');
    assert.deepEqual(gz, ['440100', gzJson.name, String(gzJson.covered), String(gzJson.total), gzJson.rate.toFixed(4)]);
    const x = await xlsx('/api/v1/coverage?region=440000&format=xlsx', admin);
    assert.match(x.list, /xl\/worksheets\/sheet2\.xml/, 'a second sheet');
    for (const h of ['code', 'name', 'covered', 'total', 'rate', 'total']) assert.ok(x.strings.includes(`>${h}<`));
    assert.ok(x.strings.includes(`>${json.json.uncovered[0]}<`), 'the uncovered counties are listed');
    assert.equal((await s.api('/api/v1/coverage?format=pdf', { token: admin })).status, 422);
});
