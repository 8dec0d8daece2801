// Segments (issue 13 item 5, M12): a segment's count equals a count made here over
// generated customers (region prefix, product line, model with purchase dates on the
// same unit, last service, survey score, consent per channel), merged duplicates and
// erased customers never counted; the sample; save, read, list with downloads; bad
// filters answer 422 and save nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { sql } from './network-helpers.mjs';

let s, marketer, agent;
const N = 400;
const people = [];
const DAY = 86400;
const midnight = (d) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 1000 - 8 * 3600;

function rng(seed) {
    let x = seed >>> 0;
    return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

before(async () => {
    s = await startServer();
    [marketer, agent] = [await s.token('marketer'), await s.token('agent')];
    const t = 1_750_000_000;
    await sql(s, `INSERT INTO product_lines (id, code, name, created_at) VALUES (9001, 'SGTV', 'TV', ${t}), (9002, 'SGAU', 'Audio', ${t})`);
    await sql(s, `INSERT INTO models (id, code, name, product_line_id, warranty_months, created_at, updated_at) VALUES (9001, 'SGM1', 'M1', 9001, 12, ${t}, ${t}), (9002, 'SGM2', 'M2', 9001, 12, ${t}, ${t}), (9003, 'SGM3', 'M3', 9002, 12, ${t}, ${t})`);
    const r = rng(20261203);
    const pick = (a) => a[Math.floor(r() * a.length)];
    const regions = ['110105', '110108', '440106', '440304', '310104', null];
    const cust = [], units = [], repairs = [], surveys = [], consents = [];
    for (let i = 0; i < N; i++) {
        const id = 100001 + i;
        const p = { id, code: `SGC${i}`, region: pick(regions), merged: i > 0 && r() < 0.05, erased: r() < 0.05, units: [], repairs: [], scores: [], consents: {} };
        cust.push(`(${id}, '${p.code}', 'Seg ${i}', 'seg ${i}', ${p.region ? `'${p.region}'` : 'NULL'}, ${p.merged ? 100001 : 'NULL'}, ${p.erased ? t : 'NULL'}, ${t}, ${t})`);
        for (let k = Math.floor(r() * 3); k > 0; k--) {
            const u = { model: pick([9001, 9002, 9003]), date: `${pick(['2023', '2024', '2025'])}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}` };
            p.units.push(u);
            units.push(`('SGU${units.length}', ${u.model}, ${id}, '${u.date}', ${t}, ${t})`);
        }
        for (let k = Math.floor(r() * 3); k > 0; k--) {
            const at = t + Math.floor(r() * 200 * DAY);
            p.repairs.push(at);
            repairs.push(`('SGR${repairs.length}', ${id}, 'delivered', ${at}, ${t}, ${t})`);
        }
        if (r() < 0.5) {
            const q = 1 + Math.floor(r() * 5);
            p.scores.push(q);
            surveys.push(`('SGS${surveys.length}', (SELECT MIN(id) FROM survey_templates), 'repair', ${id}, 'sms', 'answered', ${t}, ${t}, ${q})`);
        }
        for (const ch of ['email', 'sms', 'phone']) {
            const v = r();
            if (v < 0.33) continue;
            p.consents[ch] = v < 0.66 ? 0 : 1;
            consents.push(`(${id}, '${ch}', ${p.consents[ch]}, ${t}, 'test')`);
        }
        people.push(p);
    }
    await sql(s, `INSERT INTO customers (id, code, name, name_key, region, merged_into, erased_at, created_at, updated_at) VALUES ${cust.join(',')}`);
    await sql(s, `INSERT INTO units (serial, model_id, customer_id, purchase_date, created_at, updated_at) VALUES ${units.join(',')}`);
    await sql(s, `INSERT INTO repairs (code, customer_id, status, registered_at, created_at, updated_at) VALUES ${repairs.join(',')}`);
    await sql(s, `INSERT INTO surveys (code, template_id, kind, customer_id, channel, status, created_at, expires_at, q_overall) VALUES ${surveys.join(',')}`);
    await sql(s, `INSERT INTO customer_consents (customer_id, channel, granted, updated_at, updated_by) VALUES ${consents.join(',')}`);
});
after(async () => { await s?.stop(); });

const PL = { SGTV: [9001, 9002], SGAU: [9003] };
const MODEL = { SGM1: 9001, SGM2: 9002, SGM3: 9003 };

/** The customers f selects, counted here by the filter's stated meaning. */
function expected(f) {
    return people.filter((p) => {
        if (p.merged || p.erased) return false;
        if (f.region && !(p.region || '').startsWith(f.region)) return false;
        if (f.product_line || f.model || f.purchased_from || f.purchased_to) {
            if (!p.units.some((u) => (!f.product_line || PL[f.product_line].includes(u.model))
                && (!f.model || MODEL[f.model] === u.model)
                && (!f.purchased_from || u.date >= f.purchased_from)
                && (!f.purchased_to || u.date <= f.purchased_to))) return false;
        }
        if (f.served_from || f.served_to) {
            if (!p.repairs.length) return false;
            const last = Math.max(...p.repairs);
            if (f.served_from && last < midnight(f.served_from)) return false;
            if (f.served_to && last >= midnight(f.served_to) + DAY) return false;
        }
        if (f.score_min || f.score_max) {
            if (!p.scores.some((q) => q >= (f.score_min || 1) && q <= (f.score_max || 5))) return false;
        }
        for (const ch of f.consent || []) if (p.consents[ch] !== 1) return false;
        return true;
    });
}

const preview = (filter, token = marketer) => s.api('/api/v1/segments/preview', { token, body: { filter } });

test('a segment count equals the count made here, for each part of the filter and together', async () => {
    const from = new Date((1_750_000_000 + 50 * DAY) * 1000 + 8 * 3600e3).toISOString().slice(0, 10);
    const to = new Date((1_750_000_000 + 150 * DAY) * 1000 + 8 * 3600e3).toISOString().slice(0, 10);
    const filters = [
        {}, { region: '11' }, { region: '4401' }, { region: '440304' }, { product_line: 'SGTV' },
        { model: 'SGM2', purchased_from: '2024-01-01', purchased_to: '2024-12-31' },
        { consent: ['email'] }, { consent: ['email', 'sms'] }, { score_min: 4 }, { score_max: 2 },
        { served_from: from }, { served_to: to }, { served_from: from, served_to: to },
        { region: '11', product_line: 'SGAU', consent: ['phone'], score_min: 3, served_from: from },
    ];
    let nonzero = 0;
    for (const f of filters) {
        const r = await preview(f);
        assert.equal(r.status, 200, r.text);
        const want = expected(f);
        assert.equal(r.json.count, want.length, JSON.stringify(f));
        if (want.length) nonzero++;
        assert.deepEqual(r.json.sample.map((x) => x.code), want.slice(0, 20).map((p) => p.code), JSON.stringify(f));
        assert.deepEqual(Object.keys(r.json.sample[0] || { code: 1, name: 1, region: 1 }).sort(), ['code', 'name', 'region']);
    }
    assert.ok(nonzero >= 12, 'the generated data exercises the filters');
    const all = await preview({});
    assert.ok(all.json.count < N, 'merged and erased customers are left out');
});

test('a saved segment keeps its filter and counts live; the list downloads', async () => {
    const f = { region: '44', consent: ['sms'] };
    const c = await s.api('/api/v1/segments', { token: marketer, body: { name: '广东 短信', filter: f } });
    assert.equal(c.status, 201, c.text);
    assert.match(c.json.code, /^SG\d{5}$/);
    assert.equal(c.json.count, expected(f).length);
    const g = await s.api(`/api/v1/segments/${c.json.code}`, { token: marketer });
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.filter, f);
    assert.equal(g.json.count, expected(f).length);
    await sql(s, `UPDATE customer_consents SET granted = 0 WHERE channel = 'sms' AND customer_id = (SELECT id FROM customers WHERE code = '${expected(f)[0].code}')`);
    const g2 = await s.api(`/api/v1/segments/${c.json.code}`, { token: marketer });
    assert.equal(g2.json.count, expected(f).length - 1, 'the count is live');
    const l = await s.api('/api/v1/segments', { token: marketer });
    assert.equal(l.json.items[0].code, c.json.code);
    const csv = await s.api('/api/v1/segments?format=csv', { token: marketer });
    assert.equal(csv.status, 200);
    assert.match(csv.text.split('\r\n')[0], /^code,name,filter,created_by,created_at/);
    assert.equal(csv.text.trim().split('\r\n').length, 2);
    const x = await s.api('/api/v1/segments?format=xlsx', { token: marketer });
    assert.equal(x.status, 200);
    assert.equal((await s.api('/api/v1/segments/SG99999', { token: marketer })).status, 404);
    assert.equal((await s.api('/api/v1/segments', { token: agent })).status, 403);
});

test('bad filters answer 422 with the field and save nothing', async () => {
    const before_ = await s.api('/api/v1/segments?format=csv', { token: marketer });
    for (const [f, field] of [[{ region: '1' }, 'filter.region'], [{ region: '11a' }, 'filter.region'],
        [{ model: 'NOPE' }, 'filter.model'], [{ product_line: 'NOPE' }, 'filter.product_line'],
        [{ consent: ['pigeon'] }, 'filter.consent'], [{ score_min: 6 }, 'filter.score_min'],
        [{ purchased_from: '2024-02-30' }, 'filter.purchased_from'],
        [{ score_min: 4, score_max: 2 }, 'filter.score_max'], [{ colour: 'red' }, 'filter.colour']]) {
        const r = await s.api('/api/v1/segments', { token: marketer, body: { name: 'bad', filter: f } });
        assert.equal(r.status, 422, JSON.stringify(f));
        assert.ok(JSON.stringify(r.json).includes(field), `${JSON.stringify(f)}: ${r.text}`);
    }
    assert.equal((await s.api('/api/v1/segments', { token: marketer, body: { filter: {} } })).status, 422);
    const after_ = await s.api('/api/v1/segments?format=csv', { token: marketer });
    assert.equal(after_.text, before_.text);
});
