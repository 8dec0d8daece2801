// Customer CSV import/export and demo data (M1, issue 3): `aftersales import customers FILE`
// per the contract (columns code,name,phone,email,region,address in any order, unknown
// columns an error, a bad row stops the import with its line number and nothing is
// stored), `aftersales export customers`, and `aftersales demo --customers N`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runProcess } from './lib/server.mjs';

let s, agent, dir;
before(async () => {
    s = await startServer();
    agent = await s.token('agent');
    dir = await mkdtemp(path.join(os.tmpdir(), 'cust-csv-'));
});
after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
});

async function count(server = s) {
    const text = 'SELECT COUNT(*) FROM customers';
    const r = server.backend === 'postgres'
        ? await runProcess('psql', ['-qAt', server.db, '-c', text])
        : await runProcess('sqlite3', [server.db, text]);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout.trim());
}

let n = 0;
async function file(text) {
    const f = path.join(dir, `f${++n}.csv`);
    await writeFile(f, text);
    return f;
}

const importFile = (f, server = s) => server.run(['import', 'customers', f]);

test('import: columns in any order, BOM, CRLF, quotes, phone lists; codes kept or drawn', async () => {
    const f = await file('\uFEFFregion,Name,email,phone,address,code\r\n' +
        '310104,張偉,ZW@Example.com,+86 138-1111-0001,"上海市徐汇区漕溪北路 88 号, 3 室",C00000100\r\n' +
        ',李娜,,13811110002;021-6234 5678,,\r\n' +
        '440305,"王 ""小"" 明",wxm@qq.com,,"深圳市\n南山区",C00000200\r\n' +
        '\r\n' +
        ',赵六,zl@163.com,,,\r\n');
    const r = await importFile(f);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 4 customers/);
    const get = await s.api('/api/v1/customers/C00000100', { token: agent });
    assert.equal(get.status, 200);
    assert.equal(get.json.name, '張偉');
    assert.equal(get.json.phone, '13811110001');
    assert.deepEqual(get.json.emails, ['zw@example.com']);
    assert.equal(get.json.address, '上海市徐汇区漕溪北路 88 号, 3 室');
    const wang = await s.api('/api/v1/customers/C00000200', { token: agent });
    assert.equal(wang.json.name, '王 "小" 明');
    assert.equal(wang.json.address, '深圳市\n南山区');
    const li = await s.api('/api/v1/customers/match?phone=02162345678', { token: agent });
    assert.equal(li.json.matches[0].customer.name, '李娜');
    assert.deepEqual(li.json.matches[0].customer.phones.map((p) => p.kind), ['mobile', 'landline']);
    // the counter moved past the largest code imported
    const next = await s.api('/api/v1/customers', { token: agent, body: { name: '新人', phone: '13811110009' } });
    assert.equal(next.status, 201);
    assert.ok(next.json.code > 'C00000200', next.json.code);
    // one audit entry for the import
    const hist = await s.run(['export', 'customers']);
    assert.equal(hist.code, 0);
});

test('import: a bad row stops everything with its line number and reason', async () => {
    const before = await count();
    const cases = [
        ['code,name,phone\nC00000300,甲,13811112001\nC00000301,乙,12345\n', ':3: phone: invalid'],
        ['name,phone,email\n甲,13811112002,\n乙,,\n', ':3: phone: a phone or an email is required'],
        ['name,phone,email\n甲,13811112003,\n乙,13811112004,bad@\n', ':3: email: invalid'],
        ['name,phone\n甲,13811112005\n,13811112006\n', ':3: name: required'],
        ['name,phone,region\n甲,13811112007,990000\n', ':2: region: invalid'],
        ['name,phone,address\n甲,13811112008,' + '路'.repeat(201) + '\n', ':2: address: too_long'],
        ['name,phone,colour\n甲,13811112009,red\n', ':1: unknown column "colour"'],
        ['name,name,phone\n甲,乙,13811112010\n', ':1: column "name" appears twice'],
        ['code,phone\nC00000302,13811112011\n', ':1: the header needs a name column'],
        ['name,phone\n甲,13811112012\n乙\n', ':3: 1 fields where the header has 2'],
        ['name,phone\n甲,13811112013,extra\n', ':2: 3 fields where the header has 2'],
        ['name,phone\n甲,13811112014\n"乙,13811112015\n', ':3: a quoted field is not closed'],
        ['name,phone\n"甲"x,13811112016\n', ':2: text after a closing quote'],
        ['code,name,phone\nC00000100,甲,13811112017\n', ':2: code: C00000100 exists already'],
        ['code,name,phone\nC1,甲,13811112018\n', ':2: code: must be C followed by 8 digits'],
        ['code,name,phone\nC00000303,甲,13811112019\nC00000303,乙,13811112020\n', ':3: code: C00000303 exists already'],
        [Buffer.concat([Buffer.from('name,phone\n'), Buffer.from([0xff, 0xfe]), Buffer.from(',13811112021\n')]),
            ':2: name: invalid'],                                        // not UTF-8
        ['', ':1: the file is empty'],
    ];
    for (const [text, want] of cases) {
        const f = await file(text);
        const r = await importFile(f);
        assert.equal(r.code, 1, `${want}: ${r.stdout}`);
        assert.ok(r.stderr.includes(f + want), `expected "${want}" in:\n${r.stderr}`);
        assert.equal(await count(), before, `${want}: nothing stored`);
    }
    const missing = await s.run(['import', 'customers', path.join(dir, 'nope.csv')]);
    assert.equal(missing.code, 1);
});

test('export: every live customer with phones and emails joined by ";", importable again', async () => {
    const r = await s.run(['export', 'customers']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\r\n');
    assert.equal(lines[0], 'code,name,phone,email,region,address');
    assert.ok(lines.some((l) => l.startsWith('C00000100,張偉,13811110001,zw@example.com,310104,"上海市徐汇区漕溪北路 88 号, 3 室"')), r.stdout);
    assert.ok(r.stdout.includes('13811110002;02162345678'));
    // round trip into an empty database gives the same export
    const other = await startServer();
    try {
        const f = await file(r.stdout);
        const imp = await importFile(f, other);
        assert.equal(imp.code, 0, imp.stderr);
        const again = await other.run(['export', 'customers']);
        assert.equal(again.stdout, r.stdout);
    } finally {
        await other.stop();
    }
});

test('demo --customers N: realistic customers with some near-duplicates', async () => {
    const d = await startServer();
    try {
        const r = await d.run(['demo', '--customers', '400']);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(await count(d) >= 400);
        const tok = await d.token('agent');
        const ex = await d.run(['export', 'customers']);
        const rows = ex.stdout.trim().split('\r\n').slice(1);
        assert.ok(rows.length >= 400);
        assert.ok(rows.some((l) => /;0\d{9,11}/.test(l)), 'some have a mobile and a landline');
        assert.ok(rows.some((l) => /^C\d{8},[^,]+,,[^,]+@/.test(l)), 'some have only an email');
        // a near-duplicate: the same phone on two customers, or the same email
        const phones = new Map();
        let dupes = 0;
        for (const l of rows) {
            const phone = l.split(',')[2].split(';')[0];
            if (!phone) continue;
            if (phones.has(phone)) dupes++;
            phones.set(phone, true);
        }
        assert.ok(dupes > 0, 'near-duplicates by phone');
        const name = rows[0].split(',')[1];
        const m = await d.api('/api/v1/customers/match?' + new URLSearchParams({ name }), { token: tok });
        assert.equal(m.status, 200);
        assert.ok(m.json.matches.length >= 1);
    } finally {
        await d.stop();
    }
});
