// Customer lists as downloads (issue 9): GET /api/v1/customers and a customer's timeline
// answer ?format=csv|xlsx with the same filters as the JSON list, every matching row, a
// header row of the export columns; ?format=pdf is 422; outlet staff, who cannot list
// customers, cannot download them either. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, runProcess } from './lib/server.mjs';

const SEARCH_HEADER = 'code,name,phones,emails,region,address,matched_on';
const HISTORY_HEADER = 'at,kind,code,summary';

let s, agent, tech;
before(async () => {
    s = await startServer();
    await sql(`INSERT INTO outlets (code, name, created_at, updated_at) VALUES ('OX1', 'export outlet', 0, 0)`);
    [agent, tech] = await Promise.all([s.token('agent'), s.token('technician', 'OX1')]);
    await makeCustomers();
});
after(async () => { await s?.stop(); });

async function sql(text) {
    const r = s.backend === 'postgres'
        ? await runProcess('psql', ['-v', 'ON_ERROR_STOP=1', '-qAt', s.db, '-c', text])
        : await runProcess('sqlite3', [s.db, text]);
    if (r.code !== 0) throw new Error(`sql failed: ${text}\n${r.stderr}`);
    return r.stdout.trim();
}

const call = (p, opts = {}) => s.api(p, { token: agent, ...opts });
const create = (body) => call('/api/v1/customers', { body });
const get = (p, token = agent) => fetch(new URL(p, s.url), { headers: { Authorization: `Bearer ${token}` } });
const qs = (o) => new URLSearchParams(o).toString();

let seq = 0;
function mobile() {
    seq++;
    return `139${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
}

/** RFC 4180 text (optional BOM, CRLF) into rows of cells. */
function parseCsv(text) {
    const rows = [];
    let row = [], cell = '', quoted = false;
    const src = text.replace(/^\uFEFF/, '');
    for (let i = 0; i < src.length; i++) {
        const ch = src[i];
        if (quoted) {
            if (ch === '"' && src[i + 1] === '"') { cell += '"'; i++; }
            else if (ch === '"') quoted = false;
            else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') { row.push(cell); cell = ''; }
        else if (ch === '\r' && src[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
        else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
        else cell += ch;
    }
    if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
    return rows;
}

/** A CSV download: status 200, text/csv, attachment name; header line and data rows. */
async function csv(p, filename) {
    const res = await get(p);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="${filename}\\.csv"`));
    assert.equal(res.headers.get('x-export-truncated'), null);
    const header = text.replace(/^\uFEFF/, '').split('\r\n')[0];
    const rows = parseCsv(text);
    return { header, rows: rows.slice(1) };
}

/** An XLSX download: a zip whose shared strings hold every header name. */
async function xlsxStrings(p) {
    const res = await get(p);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cust-xlsx-'));
    try {
        const f = path.join(dir, 'x.xlsx');
        writeFileSync(f, bytes);
        return execFileSync('unzip', ['-p', f, 'xl/sharedStrings.xml']).toString();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

// Five customers under a name no other test uses, one with two phones and an email.
const NAME = '欧阳导出';
let made;
async function makeCustomers() {
    made = [];
    for (let i = 0; i < 5; i++) {
        const body = { name: `${NAME}${'甲乙丙丁戊'[i]}`, phone: mobile(), region: '310104' };
        if (i === 0) Object.assign(body, { phones: [mobile()], email: `ouyang${process.pid}@example.com`, address: '上海市, 徐汇区' });
        const r = await create(body);
        assert.equal(r.status, 201, r.text);
        made.push(r.json);
    }
}

test('search download: the header, one row per JSON item, the same filter', async () => {
    const json = await call('/api/v1/customers?' + qs({ q: NAME, limit: 100 }));
    assert.equal(json.status, 200);
    assert.equal(json.json.items.length, 5);
    assert.equal(json.json.next_cursor, null);
    const { header, rows } = await csv('/api/v1/customers?' + qs({ q: NAME, format: 'csv' }), 'customers');
    assert.equal(header, SEARCH_HEADER);
    assert.equal(rows.length, json.json.items.length);
    assert.deepEqual(rows.map((r) => r[0]), json.json.items.map((x) => x.code));
    const first = rows.find((r) => r[0] === made[0].code);
    assert.deepEqual(first, [made[0].code, made[0].name, made[0].phones.map((p) => p.number).join('; '),
        made[0].emails[0], '310104', '上海市, 徐汇区', 'name']);
    // another filter: one phone finds one customer, in JSON and in the download
    const byPhone = await csv('/api/v1/customers?' + qs({ q: made[2].phone, format: 'csv' }), 'customers');
    assert.deepEqual(byPhone.rows, [[made[2].code, made[2].name, made[2].phone, '', '310104', '', 'phone']]);
    // a name nobody has: the header alone
    const none = await csv('/api/v1/customers?' + qs({ q: '不存在的导出名', format: 'csv' }), 'customers');
    assert.equal(none.header, SEARCH_HEADER);
    assert.equal(none.rows.length, 0);
});

test('search download: every row, not one page; the newest list holds every live customer', async () => {
    const page = await call('/api/v1/customers?' + qs({ q: NAME, limit: 2 }));
    assert.equal(page.json.items.length, 2);
    assert.ok(page.json.next_cursor);
    const all = await csv('/api/v1/customers?' + qs({ q: NAME, limit: 2, format: 'csv' }), 'customers');
    assert.deepEqual(all.rows.map((r) => r[0]).sort(), made.map((c) => c.code).sort());
    const live = Number(await sql('SELECT COUNT(*) FROM customers WHERE merged_into IS NULL AND erased_at IS NULL'));
    const recent = await csv('/api/v1/customers?format=csv', 'customers');
    assert.equal(recent.rows.length, live);
    assert.ok(recent.rows.every((r) => r[6] === 'recent'));
    assert.deepEqual(recent.rows.map((r) => r[0]).slice(0, 5), made.map((c) => c.code).reverse());
});

test('search download as XLSX; pdf is 422; outlet staff get no download', async () => {
    const strings = await xlsxStrings('/api/v1/customers?' + qs({ q: NAME, format: 'xlsx' }));
    for (const h of SEARCH_HEADER.split(',')) assert.ok(strings.includes(`>${h}<`), h);
    assert.ok(strings.includes(`>${made[0].name}<`));
    const pdf = await call('/api/v1/customers?' + qs({ q: NAME, format: 'pdf' }));
    assert.equal(pdf.status, 422);
    assert.ok(pdf.json.error.fields.format);
    assert.equal((await get('/api/v1/customers?format=csv', tech)).status, 403);
    assert.equal((await get('/api/v1/customers?format=xlsx', tech)).status, 403);
});

test('history download: at, kind, code, summary; one row per timeline item', async () => {
    const c = made[0];
    const up = await call(`/api/v1/customers/${c.code}`, { method: 'PATCH', body: { version: c.version, name: `${NAME}改名`, address: '' } });
    assert.equal(up.status, 200, up.text);
    const consent = await call(`/api/v1/customers/${c.code}/consents`, { method: 'PUT', body: { sms: true, source: 'phone call' } });
    assert.equal(consent.status, 200, consent.text);
    const h = await call(`/api/v1/customers/${c.code}/history`);
    assert.equal(h.status, 200);
    assert.ok(h.json.items.length >= 3);
    const { header, rows } = await csv(`/api/v1/customers/${c.code}/history?format=csv`, `customer-${c.code}-history`);
    assert.equal(header, HISTORY_HEADER);
    assert.equal(rows.length, h.json.items.length);
    assert.deepEqual(rows, h.json.items.map((x) => [x.at, x.kind, x.code ?? '', x.summary ?? '']));
    assert.ok(rows.some((r) => r[3] === 'changed: name, address'), JSON.stringify(rows));
    // the merged code answers its survivor's timeline, lower case works too
    const lower = await csv(`/api/v1/customers/${c.code.toLowerCase()}/history?format=csv`, `customer-${c.code}-history`);
    assert.equal(lower.rows.length, rows.length);
    const strings = await xlsxStrings(`/api/v1/customers/${c.code}/history?format=xlsx`);
    for (const col of HISTORY_HEADER.split(',')) assert.ok(strings.includes(`>${col}<`), col);
    assert.ok(strings.includes('>changed: name, address<'));
});

test('history download: pdf 422, unknown code 404, outlet staff 403', async () => {
    const c = made[1];
    const pdf = await call(`/api/v1/customers/${c.code}/history?format=pdf`);
    assert.equal(pdf.status, 422);
    assert.ok(pdf.json.error.fields.format);
    const missing = await call('/api/v1/customers/C99999998/history?format=csv');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.message, 'no such customer');
    assert.equal((await get(`/api/v1/customers/${c.code}/history?format=csv`, tech)).status, 403);
});
