// Segment facts (issue 13 item 5, 0020): the per-customer segment_facts the counts read is
// kept by triggers. After each change made through the API or in the tables (a unit
// added, consent withdrawn, a customer merged, one erased, a repair, a survey score), a
// segment's count equals a count made here, and the facts equal a recount from their
// sources (segment_fact_source); `segment-facts --rebuild` gives the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { sql } from './network-helpers.mjs';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let s, sup, marketer;
const people = [];
const T = 1_760_000_000;
const PL = { SFTV: 9101, SFAU: 9102 };
const MODEL = { SFM1: [9101, 9101], SFM2: [9102, 9101], SFM3: [9103, 9102] }; // code: [id, line]

before(async () => {
    s = await startServer();
    [sup, marketer] = [await s.token('supervisor'), await s.token('marketer')];
    await sql(s, `INSERT INTO product_lines (id, code, name, created_at) VALUES (9101, 'SFTV', 'TV', ${T}), (9102, 'SFAU', 'Audio', ${T})`);
    await sql(s, `INSERT INTO models (id, code, name, product_line_id, warranty_months, created_at, updated_at) VALUES ${Object.entries(MODEL).map(([c, [id, pl]]) => `(${id}, '${c}', '${c}', ${pl}, 12, ${T}, ${T})`).join(',')}`);
    const regions = ['110105', '440106', '440304', null];
    for (let i = 0; i < 24; i++) {
        const region = regions[i % 4];
        const r = await s.api('/api/v1/customers', { token: sup, body: { name: `段${i}号`, phone: `1390000${String(1000 + i)}`, ...(region ? { region } : {}) } });
        assert.equal(r.status, 201, r.text);
        const p = { code: r.json.code, region, units: [], consents: {}, repairs: [], scores: [] };
        p.id = Number(await sql(s, `SELECT id FROM customers WHERE code = '${p.code}'`));
        people.push(p);
        if (i % 3 !== 2) await addUnit(p, ['SFM1', 'SFM2', 'SFM3'][i % 3], `202${3 + (i % 3)}-0${1 + (i % 9)}-15`);
        if (i % 2 === 0) await consent(p, { email: true, sms: i % 4 === 0 });
    }
});
after(async () => { await s?.stop(); });

let serial = 0;
async function addUnit(p, model, date) {
    await sql(s, `INSERT INTO units (serial, model_id, customer_id, purchase_date, created_at, updated_at) VALUES ('SFU${process.pid}-${serial++}', ${MODEL[model][0]}, ${p.id}, '${date}', ${T}, ${T})`);
    p.units.push({ model, date });
}
async function consent(p, body) {
    const r = await s.api(`/api/v1/customers/${p.code}/consents`, { method: 'PUT', token: sup, body });
    assert.equal(r.status, 200, r.text);
    for (const [ch, v] of Object.entries(body)) p.consents[ch] = v;
}

const live = () => people.filter((p) => !p.merged && !p.erased);
const expected = (f) => matching(f).length;
function matching(f) {
    return live().filter((p) => {
        if (f.region && !(p.region || '').startsWith(f.region)) return false;
        if (f.product_line || f.model || f.purchased_from || f.purchased_to) {
            if (!p.units.some((u) => (!f.product_line || MODEL[u.model][1] === PL[f.product_line])
                && (!f.model || f.model === u.model)
                && (!f.purchased_from || u.date >= f.purchased_from)
                && (!f.purchased_to || u.date <= f.purchased_to))) return false;
        }
        if (f.served_from && !(p.repairs.length && Math.max(...p.repairs) >= Date.parse(`${f.served_from}T00:00:00+08:00`) / 1000)) return false;
        if (f.score_min && !p.scores.some((q) => q >= f.score_min)) return false;
        for (const ch of f.consent || []) if (p.consents[ch] !== true) return false;
        return true;
    });
}

const FILTERS = [
    {}, { region: '44' }, { region: '440304' }, { product_line: 'SFTV' }, { product_line: 'SFAU' },
    { model: 'SFM2' }, { model: 'SFM1', purchased_from: '2023-01-01', purchased_to: '2023-12-31' },
    { purchased_from: '2024-01-01' }, { purchased_to: '2023-12-31' },
    { purchased_from: '2024-01-01', purchased_to: '2024-12-31' },
    { purchased_from: '2023-03-15', purchased_to: '2024-02-15' }, { purchased_from: '2025-05-05', purchased_to: '2025-05-05' },
    { purchased_from: '2022-06-01', purchased_to: '2023-01-15' }, { purchased_to: '2022-06-01' },
    { product_line: 'SFTV', purchased_from: '2024-01-01', purchased_to: '2025-12-31' },
    { consent: ['email'] }, { consent: ['email', 'sms'] }, { region: '44', consent: ['email'], product_line: 'SFTV' },
    { served_from: '2025-10-01' }, { score_min: 4 },
    // 0026: a purchase-date range with another condition (the purchase-month bitmap)
    { purchased_from: '2023-03-15', purchased_to: '2024-02-15', consent: ['email'] },
    { purchased_from: '2023-02-01', purchased_to: '2024-05-31', consent: ['email'] },
    { purchased_from: '2023-01-01', purchased_to: '2024-12-31', region: '44' },
    { purchased_from: '2023-06-15', purchased_to: '2023-06-30', region: '44' },
    { purchased_from: '2024-02-10', purchased_to: '2024-02-10', consent: ['email'] },
    { purchased_from: '2016-01-01', purchased_to: '2019-12-31', consent: ['email'] },
    { purchased_from: '2016-03-21', purchased_to: '2023-06-01', consent: ['email'] }, // over 61 months: no bitmap
    { purchased_to: '2023-06-01', consent: ['email'] },
    { product_line: 'SFAU', purchased_from: '2023-02-01', purchased_to: '2024-06-30', consent: ['email'] },
    // 0027: a line with a range (the line's purchase months): aligned, unaligned, one day,
    // one partial month, with consent, with region, and a customer whose purchases of the
    // line span more than 62 months (no bitmap: probed)
    { product_line: 'SFTV', purchased_from: '2023-01-01', purchased_to: '2024-12-31' },
    { product_line: 'SFTV', purchased_from: '2023-03-15', purchased_to: '2024-02-15' },
    { product_line: 'SFTV', purchased_from: '2024-02-10', purchased_to: '2024-02-10' },
    { product_line: 'SFAU', purchased_from: '2023-06-10', purchased_to: '2023-06-20' },
    { product_line: 'SFTV', purchased_from: '2023-06-15', purchased_to: '2024-06-14', consent: ['email'] },
    { product_line: 'SFTV', purchased_from: '2023-01-01', purchased_to: '2024-12-31', region: '44' },
    { product_line: 'SFAU', purchased_from: '2016-03-01', purchased_to: '2020-12-31' },
    { product_line: 'SFAU', purchased_from: '2016-01-01', purchased_to: '2019-12-31', consent: ['email'] },
    { product_line: 'SFAU', purchased_from: '2023-06-30', purchased_to: '2025-05-05', region: '44', consent: ['email'] },
    { product_line: 'SFTV', purchased_from: '2023-01-01', purchased_to: '2025-12-31', served_from: '2025-10-01' },
    { product_line: 'SFAU', purchased_from: '2023-01-01', purchased_to: '2025-12-31', score_min: 4, consent: ['email'] },
];

async function check(what) {
    for (const f of FILTERS) {
        const r = await s.api('/api/v1/segments/preview', { token: marketer, body: { filter: f } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.count, expected(f), `${what}: ${JSON.stringify(f)}`);
        // the sample: the first 20 by id (purchase dates alone take it from the units)
        assert.deepEqual(r.json.sample.map((x) => x.code), matching(f).sort((a, b) => a.id - b.id).slice(0, 20).map((p) => p.code), `${what}: sample of ${JSON.stringify(f)}`);
    }
    const diff = await sql(s, `SELECT COUNT(*) FROM (SELECT customer_id, region, consent, last_service, score_mask, pl_mask, bought_min, bought_max, pm, pm_base FROM segment_fact_source
        EXCEPT SELECT customer_id, region, consent, last_service, score_mask, pl_mask, bought_min, bought_max, pm, pm_base FROM segment_facts) d`);
    const extra = await sql(s, 'SELECT COUNT(*) FROM segment_facts WHERE customer_id NOT IN (SELECT customer_id FROM segment_fact_source)');
    assert.equal(`${diff} ${extra}`, '0 0', `${what}: the facts equal a recount`);
    // 0025: the purchase-day pairs equal a recount of the live customers' pairs
    const recount = `SELECT p.day, p.prev, COUNT(*) AS n FROM segment_day_pairs p
        WHERE p.customer_id IN (SELECT customer_id FROM segment_facts) GROUP BY p.day, p.prev`;
    const days = await sql(s, `SELECT (SELECT COUNT(*) FROM (${recount} EXCEPT SELECT day, prev, n FROM segment_days) a)
        || ' ' || (SELECT COUNT(*) FROM (SELECT day, prev, n FROM segment_days EXCEPT ${recount}) b)`);
    assert.equal(days, '0 0', `${what}: segment_days equal a recount`);
    // 0027: the purchase months per line equal a recount
    const lines = await sql(s, `SELECT (SELECT COUNT(*) FROM (SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits
        EXCEPT SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_months) a)
        || ' ' || (SELECT COUNT(*) FROM (SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_months
        EXCEPT SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits) b)`);
    assert.equal(lines, '0 0', `${what}: segment_line_months equal a recount`);
}

test('segment counts follow units, consents, merges, erasures, repairs and surveys', async () => {
    await check('at the start');
    assert.ok(expected({ product_line: 'SFTV' }) > 0 && expected({ consent: ['email'] }) > 0);

    await addUnit(people[2], 'SFM3', '2025-05-05');
    await addUnit(people[5], 'SFM1', '2022-06-01');
    await addUnit(people[5], 'SFM2', '2022-06-01'); // a second unit the same day
    await addUnit(people[4], 'SFM3', '2016-03-20'); // purchases over more than 62 months: no bitmap
    await addUnit(people[4], 'SFM3', '2023-06-15'); // and of the one line (0027)
    await addUnit(people[13], 'SFM3', '2023-06-12');
    await addUnit(people[10], 'SFM1', '2023-06-01');
    await addUnit(people[10], 'SFM1', '2024-05-31');
    await addUnit(people[0], 'SFM2', '2023-06-30');
    await check('units added');
    // the bitmaps: every customer with dated units has one but the one over 62 months
    assert.equal(await sql(s, `SELECT COUNT(*) FROM segment_facts WHERE bought_min IS NOT NULL AND pm IS NULL`), '1');
    assert.equal(await sql(s, `SELECT COUNT(*) FROM segment_line_months WHERE pm IS NULL`), '1'); // 0027: people[4]'s SFAU
    for (const from of ['2016-01-01', '2023-02-01', '2016-03-21']) assert.ok(expected(FILTERS.find((f) => f.purchased_from === from)) > 0, from);
    // a purchase date corrected, and a unit passing to another customer
    await sql(s, `UPDATE units SET purchase_date = '2024-02-10' WHERE serial = 'SFU${process.pid}-1'`);
    people[1].units[0].date = '2024-02-10';
    await sql(s, `UPDATE units SET customer_id = ${people[7].id} WHERE serial = 'SFU${process.pid}-${serial - 1}'`);
    people[7].units.push(people[0].units.pop());
    await check('a unit changed');
    for (const f of FILTERS.filter((x) => x.product_line && x.purchased_from && x.purchased_to && !x.region && !x.served_from && !x.score_min)) assert.ok(expected(f) > 0 && expected(f) < live().length, JSON.stringify(f));

    await consent(people[0], { email: false });
    await consent(people[4], { sms: null });
    await check('consent withdrawn');

    // merge: the duplicate's units move, its consents fill what the survivor lacks
    const [a, b] = [people[1], people[6]];
    const m = await s.api(`/api/v1/customers/${a.code}/merge`, { token: sup, body: { duplicate: b.code } });
    assert.equal(m.status, 200, m.text);
    a.units.push(...b.units);
    for (const [ch, v] of Object.entries(b.consents)) if (!(ch in a.consents)) a.consents[ch] = v;
    if (!a.region) a.region = b.region;
    b.merged = true;
    await check('merged');

    const e = await s.api(`/api/v1/customers/${people[8].code}/erase`, { token: sup, body: { reason: 'asked' } });
    assert.equal(e.status, 200, e.text);
    people[8].erased = true;
    await check('erased');

    const at = Date.parse('2025-11-02T10:00:00+08:00') / 1000;
    await sql(s, `INSERT INTO repairs (code, customer_id, status, registered_at, created_at, updated_at) VALUES ('SFR${process.pid}', ${people[3].id}, 'registered', ${at}, ${at}, ${at})`);
    people[3].repairs.push(at);
    // an earlier repair registered later leaves the last service where it is (0025)
    await sql(s, `INSERT INTO repairs (code, customer_id, status, registered_at, created_at, updated_at) VALUES ('SFR${process.pid}b', ${people[3].id}, 'registered', ${at - 86400 * 60}, ${at}, ${at})`);
    people[3].repairs.push(at - 86400 * 60);
    await sql(s, `INSERT INTO surveys (code, template_id, kind, customer_id, channel, status, created_at, expires_at, q_overall) VALUES ('SFS${process.pid}', (SELECT MIN(id) FROM survey_templates), 'repair', ${people[3].id}, 'sms', 'answered', ${at}, ${at}, 5)`);
    people[3].scores.push(5);
    await check('a repair and a survey');

    await sql(s, `UPDATE surveys SET q_overall = 2 WHERE code = 'SFS${process.pid}'`);
    people[3].scores = [2];
    await sql(s, `DELETE FROM units WHERE serial = 'SFU${process.pid}-0'`);
    people[0].units.shift();
    await check('a score changed and a unit deleted');

    // a model moved to another line and back: its customers' lines computed again
    await sql(s, `UPDATE models SET product_line_id = ${PL.SFAU} WHERE id = ${MODEL.SFM2[0]}`);
    MODEL.SFM2[1] = PL.SFAU;
    await check('a model moved to another line');
    await sql(s, `UPDATE models SET product_line_id = ${PL.SFTV} WHERE id = ${MODEL.SFM2[0]}`);
    MODEL.SFM2[1] = PL.SFTV;
    await check('the model moved back');
});

test('a customer import keeps the facts in one pass at its end, and a refused one leaves the triggers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'segfacts-'));
    try {
        const triggers = () => sql(s, s.backend === 'postgres' ? "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'customers'::regclass AND NOT tgisinternal"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers'");
        const before_ = await triggers();
        const f = path.join(dir, 'c.csv');
        const rows = [['导入甲', '13911110001', '440106'], ['导入乙', '13911110002', '110105'], ['导入丙', '13911110003', '']];
        await writeFile(f, `name,phone,region\n${rows.map((r) => r.join(',')).join('\n')}\n`);
        const r = await s.run(['import', 'customers', f]);
        assert.equal(r.code, 0, r.stderr);
        for (const [name, phone, region] of rows) {
            const id = Number(await sql(s, `SELECT customer_id FROM customer_phones WHERE phone = '${phone}'`));
            people.push({ code: await sql(s, `SELECT code FROM customers WHERE id = ${id}`), id, region: region || null, units: [], consents: {}, repairs: [], scores: [], name });
        }
        assert.equal(await triggers(), before_, 'the triggers are back');
        await check('imported');
        // a large one: its first rows through the triggers, then (from row 256 on) the
        // triggers set aside and the rest counted in one pass at the end
        const big = path.join(dir, 'big.csv');
        const regions = ['440106', '110105', ''];
        await writeFile(big, `name,phone,region\n${Array.from({ length: 300 }, (_, i) =>
            `大批${i},1391112${String(i).padStart(4, '0')},${regions[i % 3]}`).join('\n')}\n`);
        const rb = await s.run(['import', 'customers', big]);
        assert.equal(rb.code, 0, rb.stderr);
        const got = await sql(s, "SELECT c.id || '|' || c.code || '|' || p.phone FROM customer_phones p JOIN customers c ON c.id = p.customer_id WHERE p.phone LIKE '1391112%' ORDER BY p.phone");
        const lines = got.split('\n');
        assert.equal(lines.length, 300);
        for (const line of lines) {
            const [id, code, phone] = line.split('|');
            const i = Number(phone.slice(7));
            people.push({ code, id: Number(id), region: regions[i % 3] || null, units: [], consents: {}, repairs: [], scores: [], name: `大批${i}` });
        }
        assert.equal(await triggers(), before_, 'the triggers are back after a large import');
        await check('a large import');
        const bigBad = path.join(dir, 'big-bad.csv');
        await writeFile(bigBad, `name,phone\n${Array.from({ length: 300 }, (_, i) => `大错${i},1391113${String(i).padStart(4, '0')}`).join('\n')}\n大错,12\n`);
        assert.notEqual((await s.run(['import', 'customers', bigBad])).code, 0);
        assert.equal(await triggers(), before_, 'a large refused import leaves the triggers');
        assert.equal(await sql(s, "SELECT COUNT(*) FROM customer_phones WHERE phone LIKE '1391113%'"), '0');
        const bad = path.join(dir, 'bad.csv');
        await writeFile(bad, 'name,phone\n导入丁,13911110004\n导入戊,12\n');
        const b = await s.run(['import', 'customers', bad]);
        assert.notEqual(b.code, 0);
        assert.equal(await triggers(), before_, 'a refused import leaves the triggers');
        // a customer made afterwards gets its facts row from the trigger
        const c = await s.api('/api/v1/customers', { token: sup, body: { name: '导入后', phone: '13911110005', region: '440304' } });
        assert.equal(c.status, 201, c.text);
        people.push({ code: c.json.code, id: Number(await sql(s, `SELECT id FROM customers WHERE code = '${c.json.code}'`)), region: '440304', units: [], consents: {}, repairs: [], scores: [] });
        await check('after a refused import');
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});

test('segment-facts --rebuild gives the same facts; --help says how', async () => {
    const before_ = await sql(s, 'SELECT COUNT(*) FROM segment_facts');
    await sql(s, 'DELETE FROM segment_facts');
    await sql(s, 'DELETE FROM segment_line_months');
    const r = await s.run(['segment-facts', '--rebuild']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`rebuilt: ${before_} customers`));
    await check('rebuilt');
    const h = await s.run(['segment-facts', '--help'], { db: false });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--rebuild/);
    assert.equal((await s.run(['segment-facts'])).code, 2);
});
