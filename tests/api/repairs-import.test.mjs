// `aftersales import repairs FILE` per the contract (issue 4): all or nothing, statuses
// consistent with the times, an invalid row named by line and reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer, sql, freshPhone } from './repairs-helpers.mjs';

let ctx, s, cust, phone;
const dir = mkdtempSync(path.join(os.tmpdir(), 'rep-import-'));
const csv = (name, text) => { const f = path.join(dir, name); writeFileSync(f, text); return f; };
const HEADER = 'code,customer,serial,model,outlet,kind,channel,status,received_at,repaired_at,delivered_at,cancelled_at,fault';

before(async () => {
    ctx = await demoServer();
    s = ctx.s;
    phone = freshPhone();
    const r = await ctx.agent.request('/api/v1/customers', { body: { name: '诸葛亮', phone, region: '310104' } });
    assert.equal(r.status, 201, r.text);
    cust = r.json.code;
    const w = await s.api('/api/v1/public/warranty-registrations', { body: { name: '诸葛亮', phone, model: 'KD-55X85K', serial: 'IMP-UNIT-1', purchase_date: '2025-01-01' } });
    assert.equal(w.status, 201, w.text);
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

test('imports historic repairs with derived or given statuses, timelines and warranty', async () => {
    const f = csv('ok.csv', [
        HEADER,
        `H0001,${cust},imp-unit-1,,O0001,carry_in,phone,,2025-06-01 09:00,2025-06-03 10:00,2025-06-04 11:00,,屏幕无显示`,
        `H0002,${cust},,HT-A9,O0002,on_site,walk_in,,2025-07-01T01:00:00Z,,,2025-07-02T01:00:00Z,"客户取消, 不修了"`,
        `H0003,${cust},NEWSERIAL-9,CFI-2000,O0001,mail_in,email,waiting_parts,2026-11-01 10:00:00,,,,手柄`,
        `H0004,${cust},,,,,,registered,2026-11-20 08:30,,,,`,
        `H0005,${cust},imp-unit-1,,O0001,,,repaired,2026-02-01T10:00:00+08:00,2026-02-05T10:00:00+08:00,,,`,
    ].join('\n') + '\n');
    const r = await s.run(['import', 'repairs', f]);
    assert.equal(r.code, 0, r.stderr);
    const rows = await sql(s, `SELECT code, status, in_warranty, received_at, repaired_at, delivered_at, cancelled_at, serial FROM repairs WHERE code LIKE 'H000%' ORDER BY code`);
    const got = rows.split('\n').map((l) => l.split('|'));
    const t = (x) => String(Date.parse(x) / 1000);
    assert.deepEqual(got[0], ['H0001', 'delivered', '1', t('2025-06-01T01:00:00Z'), t('2025-06-03T02:00:00Z'), t('2025-06-04T03:00:00Z'), '', 'IMP-UNIT-1']);
    assert.deepEqual(got[1], ['H0002', 'cancelled', '0', t('2025-07-01T01:00:00Z'), '', '', t('2025-07-02T01:00:00Z'), '']);
    assert.deepEqual(got[2], ['H0003', 'waiting_parts', '0', t('2026-11-01T02:00:00Z'), '', '', '', 'NEWSERIAL-9']);
    assert.deepEqual(got[3], ['H0004', 'registered', '', '', '', '', '', ''], 'registered: not yet received');
    // the unit's warranty ended 2025-12-31: paid
    assert.deepEqual(got[4], ['H0005', 'repaired', '0', t('2026-02-01T02:00:00Z'), t('2026-02-05T02:00:00Z'), '', '', 'IMP-UNIT-1']);
    const d = await ctx.agent.request('/api/v1/repairs/H0001');
    assert.equal(d.status, 200);
    assert.deepEqual(d.json.events.map((e) => e.status), ['registered', 'received', 'repaired', 'delivered']);
    assert.equal(d.json.model.code, 'KD-55X85K');
    assert.equal(d.json.product_line.code, 'TV');
    // KPI columns are filled
    assert.equal(await sql(s, `SELECT product_line_id IS NOT NULL AND outlet_id IS NOT NULL FROM repairs WHERE code = 'H0001'`), s.backend === 'postgres' ? 't' : '1');
    // the new serial became a unit of the customer
    assert.equal(await sql(s, `SELECT count(*) FROM units WHERE serial = 'NEWSERIAL-9'`), '1');
    // export round-trips the contract columns
    const e = await s.run(['export', 'repairs']);
    assert.equal(e.code, 0);
    assert.equal(e.stdout.split('\n')[0], HEADER);
    assert.ok(e.stdout.includes(`H0002,${cust},,HT-A9,O0002,on_site,walk_in,cancelled,2025-07-01T01:00:00Z,,,2025-07-02T01:00:00Z,"客户取消, 不修了"`));
});

test('a bad row stops the import with its line and reason; nothing is stored', async () => {
    const before = await sql(s, 'SELECT count(*) FROM repairs');
    const units = await sql(s, 'SELECT count(*) FROM units');
    const ok = `B0001,${cust},BRAND-NEW-1,HT-A9,O0001,,,,2025-01-01 10:00,,,,`;
    const cases = [
        [`B0002,C99999999,,,,,,,2025-01-01 10:00,,,,`, ':3: customer: unknown customer C99999999'],
        [`B0002,${cust},,,,,,delivered,2025-01-01 10:00,2025-01-02 10:00,,,`, ':3: status: status delivered needs delivered_at'],
        [`B0002,${cust},,,,,,received,2025-01-01 10:00,2025-01-02 10:00,,,`, ':3: status: an open status cannot have repaired_at'],
        [`B0002,${cust},,,,,,,2025-01-05 10:00,2025-01-02 10:00,,,`, ':3: status: repaired_at is before received_at'],
        [`B0002,${cust},,,,,,,,,,,`, ':3: received_at: required'],
        [`B0002,${cust},,,,,,,01/05/2025,,,,`, ':3: received_at: not a time'],
        [`B0002,${cust},,,,,,fixed,2025-01-05 10:00,,,,`, ':3: status: unknown status'],
        [`B0002,${cust},,,,teleport,,,2025-01-05 10:00,,,,`, ':3: kind'],
        [`B0002,${cust},,,,,pigeon,,2025-01-05 10:00,,,,`, ':3: channel'],
        [`B0002,${cust},,,O9999,,,,2025-01-05 10:00,,,,`, ':3: outlet: unknown outlet O9999'],
        [`B0002,${cust},,NOPE,,,,,2025-01-05 10:00,,,,`, ':3: model: unknown model NOPE'],
        [`B0002,${cust},a b,,,,,,2025-01-05 10:00,,,,`, ':3: serial'],
        [`B0001,${cust},,,,,,,2025-01-05 10:00,,,,`, ':3: repair B0001 appears twice'],
        [`H0001,${cust},,,,,,,2025-01-05 10:00,,,,`, ':3: repair H0001 already exists'],
    ];
    for (const [row, want] of cases) {
        const f = csv('bad.csv', `${HEADER}\n${ok}\n${row}\n`);
        const r = await s.run(['import', 'repairs', f]);
        assert.equal(r.code, 1, row);
        assert.ok(r.stderr.includes(`${f}${want}`), `${row}\n${r.stderr}`);
    }
    let r = await s.run(['import', 'repairs', csv('col.csv', `${HEADER},priority\n`)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /:1: unknown column "priority"/);
    r = await s.run(['import', 'repairs', csv('req.csv', 'code,customer\nX1,C1\n')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /:1: missing column "received_at"/);
    assert.equal(await sql(s, 'SELECT count(*) FROM repairs'), before);
    assert.equal(await sql(s, 'SELECT count(*) FROM units'), units);
});

test('codes taken by an import are skipped by new repairs of that day', async () => {
    const now = new Date(Date.now() + 8 * 3600e3);
    const ymd = now.toISOString().slice(2, 10).replaceAll('-', '');
    const day = now.toISOString().slice(0, 10);
    const next = Number(await sql(s, `SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = 'repair:${ymd}'`)) + 1;
    const taken = `R${ymd}${String(next).padStart(4, '0')}`;
    const f = csv('taken.csv', `${HEADER}\n${taken},${cust},,,O0001,,,,${day} 00:01,,,,\n`);
    let r = await s.run(['import', 'repairs', f]);
    assert.equal(r.code, 0, r.stderr);
    r = await ctx.agent.request('/api/v1/repairs', { body: { customer: cust, model: 'HT-A9', fault: 'x', outlet: 'O0001' } });
    assert.equal(r.status, 201, r.text);
    assert.notEqual(r.json.code, taken);
    assert.equal(r.json.code, `R${ymd}${String(next + 1).padStart(4, '0')}`);
});

test('garbage files never crash the importers and never store anything', async () => {
    const before = await sql(s, 'SELECT (SELECT count(*) FROM repairs) + (SELECT count(*) FROM models)');
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
    const pieces = ['code', 'customer', 'received_at', ',', '"', '""', '\n', '\r\n', 'x', cust, '2025-01-01 10:00', '\u0000', '\ufeff', 'é', '序列号', ' '];
    for (let i = 0; i < 40; i++) {
        let text = i % 2 ? `${HEADER}\n` : '';
        const n = rnd() % 200;
        for (let k = 0; k < n; k++) text += pieces[rnd() % pieces.length];
        const f = csv(`junk${i}.csv`, text);
        for (const kind of ['repairs', 'models']) {
            const r = await s.run(['import', kind, f]);
            assert.ok(r.code === 0 || r.code === 1, `${kind} ${f}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`);
            if (r.code === 1) assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
        }
    }
    assert.equal(await sql(s, 'SELECT (SELECT count(*) FROM repairs) + (SELECT count(*) FROM models)'), before);
});
