// Service network (issue 6): outlets CRUD with version and audit, technicians, regions,
// the outlets CSV import of the contract. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { sql, outletBody } from './network-helpers.mjs';

let s, admin, agent, sup, warehouse, editor;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'net-'));

before(async () => {
    s = await startServer();
    [admin, agent, sup, warehouse, editor] = await Promise.all(
        ['admin', 'agent', 'supervisor', 'warehouse', 'editor'].map((r) => s.token(r)));
});
after(async () => { await s?.stop(); });

const req = (token, p, o = {}) => s.api(p, { ...o, token });

test('regions are the official list, searchable in simplified and traditional Chinese', async () => {
    let r = await req(agent, '/api/v1/regions/440106');
    assert.equal(r.status, 200);
    assert.equal(r.json.name, '天河区');
    assert.equal(r.json.level, 3);
    assert.equal(r.json.city, '440100');
    assert.equal(r.json.province, '440000');
    r = await req(agent, '/api/v1/regions/441900');
    assert.equal(r.json.level, 3, 'Dongguan has no districts: it is a county-level region');
    r = await req(agent, '/api/v1/regions?q=' + encodeURIComponent('廣州 天河'));
    assert.deepEqual(r.json.items.map((x) => x.code), ['440106']);
    r = await req(agent, '/api/v1/regions?q=' + encodeURIComponent('天河'));
    assert.ok(r.json.items.some((x) => x.code === '440106'));
    r = await req(agent, '/api/v1/regions?parent=440100&level=3&limit=500');
    assert.ok(r.json.items.length >= 11);
    assert.ok(r.json.items.every((x) => x.city === '440100' && x.level === 3));
    r = await req(agent, '/api/v1/regions?level=1&limit=10');
    assert.equal(r.json.items.length, 10);
    assert.ok(r.json.next_cursor);
    const r2 = await req(agent, `/api/v1/regions?level=1&limit=100&cursor=${r.json.next_cursor}`);
    assert.equal(r2.json.items.length, 21, '31 provinces in pages');
    assert.equal((await req(agent, '/api/v1/regions/999999')).status, 404);
    assert.equal((await req(agent, '/api/v1/regions?level=7')).status, 422);
});

test('outlets: create, read, update with version, audit', async () => {
    let r = await req(admin, '/api/v1/outlets', { body: outletBody('N100', {
        covers: ['440100', '440305'], product_lines: ['TV', 'AV'], address: '天河路 1 号',
        hours_exceptions: [{ day: '2027-02-17', note: '春节' }] }) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.code, 'N100');
    assert.deepEqual(r.json.covers, ['440100', '440305']);
    assert.deepEqual(r.json.product_lines, ['AV', 'TV']);
    assert.equal(r.json.hours.length, 7, '365-day service by default');
    assert.deepEqual(r.json.hours[6], { weekday: 7, opens: '08:30', closes: '20:30' });
    assert.equal(r.json.hours_exceptions[0].opens, null);
    assert.equal(r.json.in_service, true);
    assert.equal(r.json.version, 1);
    assert.equal(r.json.region_name, '广东省 广州市 天河区');

    r = await req(admin, '/api/v1/outlets', { body: outletBody('N100') });
    assert.equal(r.status, 409);

    r = await req(sup, '/api/v1/outlets/N100', { method: 'PATCH', body: { version: 1, capacity: 25, covers: ['440106'], suspended_from: '2020-01-01' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.capacity, 25);
    assert.deepEqual(r.json.covers, ['440106']);
    assert.equal(r.json.version, 2);
    assert.equal(r.json.in_service, false, 'suspended since 2020 without an end');
    assert.equal(r.json.name, '网点 N100', 'fields not given stay');
    assert.equal(r.json.address, '天河路 1 号');

    r = await req(sup, '/api/v1/outlets/N100', { method: 'PATCH', body: { version: 1, capacity: 30 } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    r = await req(sup, '/api/v1/outlets/N100', { method: 'PATCH', body: { capacity: 30 } });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.version);
    r = await req(admin, '/api/v1/outlets/N100');
    assert.equal(r.json.capacity, 25, 'refused updates changed nothing');

    const audit = await sql(s, "SELECT action FROM audit WHERE entity = 'outlet' AND entity_code = 'N100' ORDER BY id");
    assert.deepEqual(audit.split('\n'), ['create', 'update']);

    r = await req(agent, '/api/v1/outlets?region=440100&limit=500');
    assert.ok(r.json.items.some((o) => o.code === 'N100'));
    r = await req(agent, '/api/v1/outlets?type=service_center&limit=500');
    assert.ok(!r.json.items.some((o) => o.code === 'N100'));
    r = await req(warehouse, '/api/v1/outlets?product_line=AV');
    assert.deepEqual(r.json.items.map((o) => o.code), ['N100']);
    r = await req(agent, '/api/v1/outlets?q=' + encodeURIComponent('%'));
    assert.deepEqual(r.json.items, [], 'a % in the search is a character, not a wildcard');
    r = await req(agent, '/api/v1/outlets?q=' + encodeURIComponent('网点 N1'));
    assert.deepEqual(r.json.items.map((o) => o.code), ['N100']);
    assert.equal((await req(editor, '/api/v1/outlets')).status, 403);
    assert.equal((await req(agent, '/api/v1/outlets', { body: outletBody('N101') })).status, 403);
    assert.equal((await req(admin, '/api/v1/outlets/NOPE')).status, 404);
});

test('outlets: bad input is refused with the field and nothing is stored', async () => {
    const cases = [
        [{ region: '440100' }, 'region'],          // a city, not a county
        [{ region: '999999' }, 'region'],
        [{ covers: ['123456'] }, 'covers'],
        [{ covers: ['440106', '440106'] }, 'covers'],
        [{ type: 'franchise' }, 'type'],
        [{ grade: 'E' }, 'grade'],
        [{ capacity: -1 }, 'capacity'],
        [{ capacity: 'ten' }, 'capacity'],
        [{ active: 'yes' }, 'active'],
        [{ product_lines: ['T V'] }, 'product_lines'],
        [{ code: 'bad code!' }, 'code'],
        [{ name: '' }, 'name'],
        [{ hours: [{ weekday: 8, opens: '08:00', closes: '18:00' }] }, 'hours'],
        [{ hours: [{ weekday: 1, opens: '18:00', closes: '08:00' }] }, 'hours'],
        [{ contract_start: '2026-02-30' }, 'contract_start'],
        [{ suspended_from: '2026-03-01', suspended_until: '2026-02-01' }, 'suspended_until'],
        [{ colour: 'red' }, 'colour'],
    ];
    for (const [extra, field] of cases) {
        const r = await req(admin, '/api/v1/outlets', { body: outletBody('BAD1', extra) });
        assert.equal(r.status, 422, JSON.stringify(extra));
        assert.equal(r.json.error.code, 'validation_failed');
        assert.ok(r.json.error.fields[field], `${JSON.stringify(extra)} -> ${JSON.stringify(r.json.error.fields)}`);
    }
    assert.equal((await req(admin, '/api/v1/outlets/BAD1')).status, 404);
    assert.equal(await sql(s, "SELECT COUNT(*) FROM audit WHERE entity_code = 'BAD1'"), '0');
});

test('technicians: skills, certifications with expiry, version', async () => {
    await req(admin, '/api/v1/outlets', { body: outletBody('N200') });
    let r = await req(admin, '/api/v1/technicians', { body: { outlet: 'N200', name: '赵师傅', phone: '13800000000',
        skills: [{ product_line: 'TV', level: 3 }],
        records: [{ kind: 'certification', name: 'TV 认证', issued_on: '2024-01-01', expires_on: '2025-01-01' },
            { kind: 'training', name: '安全', issued_on: '2026-01-01', expires_on: '2099-01-01' }] } });
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    assert.match(code, /^T\d{6}$/);
    assert.equal(r.json.outlet, 'N200');
    assert.equal(r.json.records[0].expired, true);
    assert.equal(r.json.records[1].expired, false);
    r = await req(sup, `/api/v1/technicians/${code}`, { method: 'PATCH', body: { version: 1, skills: [{ product_line: 'PC' }] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.skills, [{ product_line: 'PC', level: 1 }]);
    assert.equal(r.json.records.length, 2, 'records not given stay');
    r = await req(sup, `/api/v1/technicians/${code}`, { method: 'PATCH', body: { version: 1, name: 'x' } });
    assert.equal(r.status, 409);
    r = await req(admin, '/api/v1/technicians', { body: { outlet: 'N200', name: 'y', records: [{ kind: 'diploma', name: 'z' }] } });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.records);
    r = await req(admin, '/api/v1/technicians', { body: { outlet: 'NOPE', name: 'y' } });
    assert.equal(r.status, 422);
    r = await req(agent, '/api/v1/technicians?outlet=N200');
    assert.deepEqual(r.json.items.map((t) => t.code), [code]);
    r = await req(agent, '/api/v1/technicians?product_line=PC&outlet=N200');
    assert.equal(r.json.items.length, 1);
    const audit = await sql(s, `SELECT action FROM audit WHERE entity = 'technician' AND entity_code = '${code}' ORDER BY id`);
    assert.deepEqual(audit.split('\n'), ['create', 'update']);
});

test('import outlets: the contract CSV, all or nothing with line and reason', async () => {
    const good = path.join(tmp, 'good.csv');
    writeFileSync(good, '\ufeffname,code,type,grade,region,covers,product_lines,capacity,active\r\n' +
        '"成都 ""一号"" 站",I001,authorised,A,510107,510100,TV AV,40,true\r\n' +
        '西藏代理,I002,agent,,540102,540000 ,TV,5,false\n');
    let r = await s.run(['import', 'outlets', good]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /good\.csv: 2 outlets imported/);
    let o = (await req(admin, '/api/v1/outlets/I001')).json;
    assert.equal(o.name, '成都 "一号" 站');
    assert.deepEqual(o.covers, ['510100']);
    assert.deepEqual(o.product_lines, ['AV', 'TV']);
    assert.equal(o.capacity, 40);
    o = (await req(admin, '/api/v1/outlets/I002')).json;
    assert.equal(o.active, false);
    assert.equal(o.grade, null);
    assert.deepEqual(o.covers, ['540000']);

    const before = await sql(s, 'SELECT COUNT(*) FROM outlets');
    const bad = [
        ['code,name,type,grade,region,covers,product_lines,capacity,active\nI003,ok,designated,B,440106,440106,TV,5,true\nI004,bad,designated,B,440106,440106 777777,TV,5,true\n', /:3: covers: unknown region code 777777/],
        ['code,name,region,active\nI005,x,440106,maybe\n', /:2: active: true or false/],
        ['code,name,region,type\nI006,x,440106,shop\n', /:2: type:/],
        ['code,name,region,colour\nI007,x,440106,red\n', /:1: unknown column "colour"/],
        ['code,name,region\nI008,x,440106\nI008,y,440106\n', /:3: code: appears twice/],
        ['code,name,region,capacity\nI009,x,440106,lots\n', /:2: capacity: must be an integer/],
        ['code,name,region\nI010,"x,440106\n', /:2: a quoted field is not closed/],
        ['code,name,region\nI011,x\n', /:2: 2 fields where the header has 3/],
    ];
    for (const [text, why] of bad) {
        const f = path.join(tmp, 'bad.csv');
        writeFileSync(f, text);
        r = await s.run(['import', 'outlets', f]);
        assert.equal(r.code, 1, text);
        assert.match(r.stderr, why);
        assert.ok(r.stderr.includes('bad.csv:'), r.stderr);
    }
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM outlets'), before, 'nothing of a refused file is stored');
    r = await s.run(['export', 'outlets']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^code,name,type,grade,region,covers,product_lines,capacity,active\r\n/);
    assert.ok(r.stdout.includes('I001,"成都 ""一号"" 站",authorised,A,510107,510100,AV TV,40,true\r\n'), r.stdout);
});
