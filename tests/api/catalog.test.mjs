// The catalog (issue 4, SPEC M2): product lines, models, `aftersales import models`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer, sql } from './repairs-helpers.mjs';

let ctx, s;
const dir = mkdtempSync(path.join(os.tmpdir(), 'rep-catalog-'));
before(async () => {
    ctx = await demoServer();
    s = ctx.s;
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

function csv(name, text) {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
}

test('product lines and models are listed for staff, with keyset pagination', async () => {
    let r = await ctx.tech.request('/api/v1/product-lines');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((l) => l.code), ['AV', 'GAME', 'PC', 'TV', 'VC']);
    r = await ctx.agent.request('/api/v1/models?product_line=GAME&limit=3');
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 3);
    assert.ok(r.json.items.every((m) => m.product_line.code === 'GAME'));
    const all = [...r.json.items];
    while (r.json.next_cursor) {
        r = await ctx.agent.request(`/api/v1/models?product_line=GAME&limit=3&cursor=${encodeURIComponent(r.json.next_cursor)}`);
        all.push(...r.json.items);
    }
    assert.equal(all.length, 7);
    assert.equal(new Set(all.map((m) => m.code)).size, 7);
    r = await ctx.agent.request('/api/v1/models?q=X90');
    assert.deepEqual(r.json.items.map((m) => m.code), ['XR-75X90L']);
    r = await ctx.agent.request('/api/v1/models/cfi-2000');
    assert.equal(r.status, 200);
    assert.equal(r.json.warranty_months, 12);
    r = await s.api('/api/v1/public/models');
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length >= 40);
    r = await s.api('/api/v1/models');
    assert.equal(r.status, 401);
});

test('editors create and change models; bad input 422, stale version 409, roles 403', async () => {
    let r = await ctx.editor.request('/api/v1/models', { body: { code: 'kd-43x75k', name: 'KD-43X75K 液晶电视', product_line: 'TV', warranty_months: 12, launched_on: '2022-05-01' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.code, 'KD-43X75K');
    assert.equal(r.json.version, 1);
    r = await ctx.editor.request('/api/v1/models', { body: { code: 'KD-43X75K', name: 'dup', product_line: 'TV', warranty_months: 12 } });
    assert.equal(r.status, 409);
    for (const [body, field] of [
        [{ code: 'A B', name: 'x', product_line: 'TV', warranty_months: 12 }, 'code'],
        [{ code: 'AB1', name: 'x', product_line: 'TV', warranty_months: 0 }, 'warranty_months'],
        [{ code: 'AB1', name: 'x', product_line: 'TV', warranty_months: 12, launched_on: '2022-13-01' }, 'launched_on'],
        [{ code: 'AB1', name: 'x', product_line: 'NOPE', warranty_months: 12 }, 'product_line'],
        [{ code: 'AB1', product_line: 'TV', warranty_months: 12 }, 'name'],
    ]) {
        r = await ctx.editor.request('/api/v1/models', { body });
        assert.equal(r.status, 422, field);
        assert.ok(r.json.error.fields[field], `${field}: ${r.text}`);
    }
    r = await ctx.agent.request('/api/v1/models', { body: { code: 'AB1', name: 'x', product_line: 'TV', warranty_months: 12 } });
    assert.equal(r.status, 403);
    r = await ctx.editor.request('/api/v1/models/KD-43X75K', { method: 'PATCH', body: { version: 1, warranty_months: 24 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.warranty_months, 24);
    assert.equal(r.json.name, 'KD-43X75K 液晶电视');
    assert.equal(r.json.launched_on, '2022-05-01');
    assert.equal(r.json.version, 2);
    r = await ctx.editor.request('/api/v1/models/KD-43X75K', { method: 'PATCH', body: { version: 1, name: 'late' } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    r = await ctx.editor.request('/api/v1/models/NOPE', { method: 'PATCH', body: { version: 1, name: 'x' } });
    assert.equal(r.status, 404);
    r = await ctx.editor.request('/api/v1/product-lines', { body: { code: 'CAM', name: '相机', name_en: 'Cameras' } });
    assert.equal(r.status, 201);
    assert.equal(await sql(s, `SELECT count(*) FROM audit WHERE entity = 'model' AND entity_code = 'KD-43X75K'`), '2');
});

test('import models: upserts, creates unknown lines; a bad row stops everything with its line', async () => {
    let f = csv('ok.csv', '\ufeffwarranty_months,code,name,product_line,launched_on\r\n24,NEW-1,"新型号, 一",AV,2024-01-01\r\n12,cfi-2000,PlayStation 5 Slim,GAME,\r\n6,DRONE-1,无人机,DRONE,2025-03-01\r\n');
    let r = await s.run(['import', 'models', f]);
    assert.equal(r.code, 0, r.stderr);
    let m = await ctx.agent.request('/api/v1/models/NEW-1');
    assert.equal(m.json.name, '新型号, 一');
    assert.equal(m.json.warranty_months, 24);
    m = await ctx.agent.request('/api/v1/models/CFI-2000');
    assert.equal(m.json.name, 'PlayStation 5 Slim');
    assert.equal(m.json.launched_on, null);
    assert.equal((await ctx.agent.request('/api/v1/models/DRONE-1')).json.product_line.code, 'DRONE');
    const count = await sql(s, 'SELECT count(*) FROM models');
    for (const [name, text, want] of [
        ['bad-months.csv', 'code,name,product_line,warranty_months\nOK-1,a,AV,12\nBAD-1,b,AV,0\n', ':3: warranty_months'],
        ['bad-col.csv', 'code,name,product_line,warranty_months,colour\nOK-1,a,AV,12,red\n', ':1: unknown column "colour"'],
        ['missing-col.csv', 'code,name,warranty_months\nOK-1,a,12\n', ':1: missing column "product_line"'],
        ['bad-date.csv', 'code,name,product_line,warranty_months,launched_on\nOK-1,a,AV,12,2024-02-30\n', ':2: launched_on'],
        ['dup.csv', 'code,name,product_line,warranty_months\nOK-1,a,AV,12\nok-1,b,AV,12\n', ':3: model OK-1 appears twice'],
        ['short.csv', 'code,name,product_line,warranty_months\nOK-1,a,AV\n', ':2: 3 fields where the header has 4'],
        ['quote.csv', 'code,name,product_line,warranty_months\nOK-1,"a,AV,12\n', ':2: a quoted field is not closed'],
    ]) {
        f = csv(name, text);
        r = await s.run(['import', 'models', f]);
        assert.equal(r.code, 1, name);
        assert.ok(r.stderr.includes(`${f}${want}`) || r.stderr.includes(want), `${name}: ${r.stderr}`);
    }
    assert.equal(await sql(s, 'SELECT count(*) FROM models'), count, 'nothing stored');
    assert.equal(await sql(s, `SELECT count(*) FROM models WHERE code = 'OK-1'`), '0');
    r = await s.run(['export', 'models']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'code,name,product_line,warranty_months,launched_on');
    assert.ok(lines.includes('NEW-1,"新型号, 一",AV,24,2024-01-01'));
});
