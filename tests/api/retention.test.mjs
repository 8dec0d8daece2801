// PIPL retention (M16 item 8): `aftersales retention --years N [--dry-run]` anonymises or
// deletes closed records older than N years and erases customers with nothing left; the
// dry run prints the counts per table and changes nothing; the real run changes exactly
// the counted rows, is audited, and a second run finds nothing. Customer exports stay in
// the audit (who exported which customer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { sql } from './network-helpers.mjs';

let s;
const TEN_YEARS = 315576000;
const now = Math.floor(Date.now() / 1000);
const old = now - TEN_YEARS;

// table -> [key, personal columns]; what each rule may change (lengths, so text with
// newlines or Chinese compares safely on both backends)
const WATCH = {
    mail_attachments: ['id', []],
    mail_messages: ['id', ['raw', 'body_text']],
    outbox: ['id', ['recipient', 'payload']],
    feedback: ['id', []],
    complaints: ['id', ['text', 'resolution_note']],
    repairs: ['id', ['fault', 'cancel_reason']],
    orders: ['id', ['contact_name', 'contact_phone', 'address', 'note']],
    contacts: ['id', ['address', 'subject', 'body']],
    cti_calls: ['id', ['from_number', 'to_number']],
    callbacks: ['id', ['number']],
    surveys: ['id', ['comment']],
};
const AGE = {
    repairs: ['delivered_at', 'cancelled_at', 'updated_at'], complaints: ['closed_at'],
    orders: ['updated_at'], contacts: ['started_at'], feedback: ['received_at'],
    surveys: ['created_at'], mail_messages: ['received_at'], outbox: ['created_at'],
    callbacks: ['updated_at'], cti_calls: ['started_at'],
};

async function snapshot() {
    const out = {};
    for (const [t, [key, cols]] of Object.entries(WATCH)) {
        const expr = [`${key}`, ...cols.map((c) => `COALESCE(length(${c}), -1)`)].join(` || '|' || `);
        out[t] = new Map((await sql(s, `SELECT ${expr} FROM ${t} ORDER BY ${key};`)).split('\n').filter(Boolean)
            .map((l) => [l.split('|')[0], l]));
    }
    out.customers = new Map((await sql(s, `SELECT id || '|' || length(name) || '|' || COALESCE(erased_at, 0) FROM customers WHERE merged_into IS NULL ORDER BY id;`))
        .split('\n').filter(Boolean).map((l) => [l.split('|')[0], l]));
    return out;
}

function changed(a, b) {
    let n = 0;
    for (const [k, v] of a) if (b.get(k) !== v) n++;
    return n;
}

function counts(stdout) {
    const m = {};
    for (const line of stdout.trim().split('\n').slice(1)) {
        const [table, action, n] = line.trim().split(/\s+/);
        if (n !== undefined && table !== 'retention') m[table] = { action, n: Number(n) };
    }
    return m;
}

before(async () => {
    s = await startServer();
    const d = await s.run(['demo', '--customers', '40', '--repairs', '120']);
    assert.equal(d.code, 0, d.stderr);
    for (const [t, cols] of Object.entries(AGE))
        await sql(s, `UPDATE ${t} SET ${cols.map((c) => `${c} = ${c} - ${TEN_YEARS}`).join(', ')} WHERE id % 2 = 0;`);
    // a customer with nothing left and no units: one old delivered repair and old feedback
    await sql(s, `INSERT INTO customers (code, name, name_key, address, created_at, updated_at)
        VALUES ('CRET0001', '老客户', '老客户', '旧地址 1 号', ${old}, ${old}), ('CRET0002', '新客户', '新客户', NULL, ${old}, ${old});`);
    await sql(s, `INSERT INTO repairs (code, customer_id, outlet_id, status, fault, registered_at, delivered_at, created_at, updated_at)
        SELECT 'RRET0001', c.id, (SELECT min(id) FROM outlets), 'delivered', '屏幕不亮', ${old}, ${old}, ${old}, ${old} FROM customers c WHERE c.code = 'CRET0001';`);
    await sql(s, `INSERT INTO repairs (code, customer_id, outlet_id, status, fault, registered_at, created_at, updated_at)
        SELECT 'RRET0002', c.id, (SELECT min(id) FROM outlets), 'received', '不开机', ${old}, ${old}, ${old} FROM customers c WHERE c.code = 'CRET0002';`);
    await sql(s, `INSERT INTO feedback (code, channel, category, text, contact, customer_id, received_at)
        SELECT 'FRET0001', 'portal', 'suggestion', '希望快一点', '13800000000', c.id, ${old} FROM customers c WHERE c.code = 'CRET0001';`);
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

test('retention: the dry run counts and changes nothing; the real run changes exactly the counted rows; audited; a second run finds none', async () => {
    const bad = await s.run(['retention', '--years', '0']);
    assert.equal(bad.code, 2);
    assert.equal((await s.run(['retention', '--years', '5', '--dry-run', '--save'])).code, 2);
    const none = await s.run(['retention', '--dry-run']);
    assert.equal(none.code, 1, 'no period set yet');
    assert.match(none.stderr, /no retention period set/);

    const before0 = await snapshot();
    const auditBefore = await sql(s, 'SELECT count(*) FROM audit;');
    const dry = await s.run(['retention', '--years', '5', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: closed records older than 5 years \(nothing changed\)/);
    const planned = counts(dry.stdout);
    assert.deepEqual(Object.keys(planned).sort(), [...Object.keys(WATCH), 'mail_acks', 'customers'].sort());
    assert.equal(planned.feedback.action, 'delete');
    assert.equal(planned.repairs.action, 'anonymise');
    assert.equal(planned.customers.action, 'erase');
    assert.ok(planned.repairs.n >= 1 && planned.feedback.n >= 1, dry.stdout);
    assert.equal(planned.customers.n, 1, 'only CRET0001 has nothing left');
    assert.deepEqual(await snapshot(), before0, 'the dry run changed nothing');
    assert.equal(await sql(s, 'SELECT count(*) FROM audit;'), auditBefore, 'not even the audit');

    const real = await s.run(['retention', '--years', '5', '--save']);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(counts(real.stdout), planned, 'the real run did what the dry run counted');
    const after0 = await snapshot();
    for (const t of Object.keys(WATCH))
        assert.equal(changed(before0[t], after0[t]), planned[t].n, `${t}: exactly the counted rows changed`);
    assert.equal(changed(before0.customers, after0.customers), 1);
    assert.equal(await sql(s, "SELECT name || '|' || COALESCE(address, '-') || '|' || CASE WHEN erased_at IS NULL THEN 'kept' ELSE 'erased' END FROM customers WHERE code = 'CRET0001';"),
        '|-|erased');
    assert.equal(await sql(s, "SELECT name FROM customers WHERE code = 'CRET0002';"), '新客户', 'an open repair keeps its customer');
    assert.equal(await sql(s, "SELECT count(*) FROM feedback WHERE code = 'FRET0001';"), '0');
    assert.equal(await sql(s, "SELECT fault FROM repairs WHERE code = 'RRET0002';"), '不开机', 'open repairs are kept');
    // recent rows untouched: every odd id kept its personal data
    assert.equal(await sql(s, `SELECT count(*) FROM repairs WHERE id % 2 = 1 AND fault = '' AND code NOT LIKE 'RRET%';`), '0');

    const audit = await sql(s, "SELECT actor || '|' || action || '|' || detail FROM audit WHERE entity = 'retention';");
    assert.match(audit, /^cli\|retention\|\{"counts":\{.*"customers":1.*\},"years":5\}$/);
    assert.equal(await sql(s, 'SELECT years FROM retention_settings;'), '5', '--save stored the period');

    const again = await s.run(['retention', '--dry-run']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /older than 5 years/, 'the stored setting');
    assert.deepEqual(Object.values(counts(again.stdout)).map((x) => x.n).filter((n) => n !== 0), [], 'nothing left to do');
});

test('a customer export stays in the audit: who exported which customer', async () => {
    const admin = await s.token('admin');
    const code = await sql(s, "SELECT code FROM customers WHERE erased_at IS NULL AND merged_into IS NULL AND code LIKE 'C%' ORDER BY id LIMIT 1;");
    const r = await s.api(`/api/v1/customers/${code}/export`, { token: admin });
    assert.equal(r.status, 200, r.text);
    const row = await sql(s, `SELECT actor || '|' || action FROM audit WHERE entity = 'customer' AND entity_code = '${code}' AND action = 'export';`);
    assert.match(row, /^token:[^|]+\|export$/);
    const view = await s.api(`/api/v1/audit?entity=customer&code=${code}&action=export`, { token: admin });
    assert.equal(view.json.items.length, 1);
    // the retention pass never removes audit rows
    assert.equal((await s.run(['retention'])).code, 0);
    assert.equal((await s.api(`/api/v1/audit?entity=customer&code=${code}&action=export`, { token: admin })).json.items.length, 1);
});
