// Downloads of the catalog lists (issue 9): GET /api/v1/models and /api/v1/product-lines
// with ?format=csv|xlsx give every matching row with the list's filters; a models CSV
// imports again with `aftersales import models`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer } from './repairs-helpers.mjs';

let ctx, s;
const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-export-'));
before(async () => {
    ctx = await demoServer();
    s = ctx.s;
});
after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await s.stop(), 0);
});

const MODEL_HEAD = 'code,name,product_line,warranty_months,launched_on';
const LINE_HEAD = 'code,name,name_en';

/** The CSV download of path as lines (BOM and CRLF checked and dropped). */
async function csvLines(who, p) {
    const res = await who.fetch(p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for Excel');
    const text = buf.subarray(3).toString('utf8');
    assert.ok(text.endsWith('\r\n'), 'CRLF rows');
    return { res, lines: text.replace(/\r\n$/, '').split('\r\n') };
}

/** The shared strings of an XLSX download of path. */
async function xlsxStrings(who, p, name) {
    const res = await who.fetch(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="${name}\\.xlsx"`));
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.subarray(0, 2).toString(), 'PK', 'a zip file');
    const f = path.join(dir, `${name}.xlsx`);
    writeFileSync(f, buf);
    return execFileSync('unzip', ['-p', f, 'xl/sharedStrings.xml']).toString();
}

test('models: CSV has the header and one row per item, with the same filters, all pages', async () => {
    let r = await ctx.agent.request('/api/v1/models?product_line=GAME');
    assert.equal(r.status, 200);
    const game = r.json.items;
    assert.equal(game.length, 7);
    assert.equal(r.json.next_cursor, null);
    let { res, lines } = await csvLines(ctx.agent, '/api/v1/models?product_line=GAME&format=csv');
    assert.match(res.headers.get('content-disposition'), /attachment; filename="models\.csv"/);
    assert.equal(lines[0], MODEL_HEAD);
    assert.equal(lines.length, 1 + game.length);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), game.map((m) => m.code));
    const ps5 = game.find((m) => m.code === 'CFI-2000');
    assert.ok(lines.includes(`CFI-2000,${ps5.name},GAME,${ps5.warranty_months},${ps5.launched_on}`));

    // q filters the download too
    r = await ctx.agent.request('/api/v1/models?q=X90');
    ({ lines } = await csvLines(ctx.agent, '/api/v1/models?q=X90&format=csv'));
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), r.json.items.map((m) => m.code));

    // the download holds every matching row, not one page of ?limit=
    r = await ctx.agent.request('/api/v1/models?product_line=GAME&limit=3');
    assert.equal(r.json.items.length, 3);
    assert.ok(r.json.next_cursor);
    assert.notEqual(r.json.next_cursor, r.json.items[2].code, 'the cursor is opaque');
    ({ lines } = await csvLines(ctx.agent, '/api/v1/models?product_line=GAME&limit=3&format=csv'));
    assert.equal(lines.length, 1 + 7);

    // everything: as many rows as the JSON pages together
    const all = [];
    let cursor = '';
    do {
        r = await ctx.agent.request(`/api/v1/models?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        all.push(...r.json.items.map((m) => m.code));
        cursor = r.json.next_cursor;
    } while (cursor);
    ({ lines } = await csvLines(ctx.supervisor, '/api/v1/models?format=csv'));
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), all);

    // outlet staff see the whole catalog (it is not confined to outlets), in the download too
    ({ lines } = await csvLines(ctx.tech, '/api/v1/models?product_line=GAME&format=csv'));
    assert.equal(lines.length, 1 + game.length);
});

test('models: XLSX holds the header names; unknown formats and bad cursors are 422', async () => {
    const strings = await xlsxStrings(ctx.agent, '/api/v1/models?product_line=GAME&format=xlsx', 'models');
    for (const h of MODEL_HEAD.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    assert.ok(strings.includes('>CFI-2000<'));
    let r = await ctx.agent.request('/api/v1/models?format=pdf');
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.format, 'one of json, csv, xlsx');
    r = await ctx.agent.request('/api/v1/models?cursor=not*a*cursor');
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.cursor);
    r = await ctx.agent.request('/api/v1/models?limit=501');
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.limit, 'must be 1-500');
    r = await s.api('/api/v1/models?format=csv');
    assert.equal(r.status, 401);
});

test('models: the CSV download imports again with `aftersales import models`', async () => {
    const res = await ctx.supervisor.fetch('/api/v1/models?product_line=VC&format=csv');
    const f = path.join(dir, 'models.csv');
    writeFileSync(f, Buffer.from(await res.arrayBuffer()));
    const before = (await ctx.agent.request('/api/v1/models?product_line=VC')).json.items;
    const r = await s.run(['import', 'models', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${before.length} models imported`));
    const again = (await ctx.agent.request('/api/v1/models?product_line=VC')).json.items;
    assert.deepEqual(again.map(({ version, ...m }) => m), before.map(({ version, ...m }) => m));
});

test('product lines: CSV and XLSX downloads of every line', async () => {
    const r = await ctx.tech.request('/api/v1/product-lines');
    assert.equal(r.status, 200);
    assert.equal(r.json.next_cursor, null);
    const { res, lines } = await csvLines(ctx.tech, '/api/v1/product-lines?format=csv');
    assert.match(res.headers.get('content-disposition'), /attachment; filename="product-lines\.csv"/);
    assert.equal(lines[0], LINE_HEAD);
    assert.equal(lines.length, 1 + r.json.items.length);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), r.json.items.map((l) => l.code));
    const av = r.json.items.find((l) => l.code === 'AV');
    assert.ok(lines.includes(`AV,${av.name},${av.name_en}`));
    const strings = await xlsxStrings(ctx.tech, '/api/v1/product-lines?format=xlsx', 'product-lines');
    for (const h of LINE_HEAD.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    const bad = await ctx.tech.request('/api/v1/product-lines?format=pdf');
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.fields.format, 'one of json, csv, xlsx');
    // paging works if a client asks for it; the default page holds every line
    const one = await ctx.tech.request('/api/v1/product-lines?limit=2');
    assert.equal(one.json.items.length, 2);
    const rest = await ctx.tech.request(`/api/v1/product-lines?cursor=${encodeURIComponent(one.json.next_cursor)}`);
    assert.deepEqual([...one.json.items, ...rest.json.items].map((l) => l.code), r.json.items.map((l) => l.code));
});
