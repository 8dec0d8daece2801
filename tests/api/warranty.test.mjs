// Warranty registration (issue 4, SPEC M3 and the contract's
// POST /api/v1/public/warranty-registrations), staff registration and lookup by serial.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, sql, freshPhone, freshSerial, localDate } from './repairs-helpers.mjs';

let ctx, s;
before(async () => {
    ctx = await demoServer();
    s = ctx.s;
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

const reg = (body) => s.api('/api/v1/public/warranty-registrations', { body });
const count = async (table, where = '1=1') => Number(await sql(s, `SELECT count(*) FROM ${table} WHERE ${where}`));

test('registers with warranty_until = purchase + months, clamped, minus a day', async () => {
    const serial = freshSerial('w');
    const phone = freshPhone();
    const r = await reg({ name: '赵敏', phone, email: '', model: 'ht-a9', serial: serial.toLowerCase(),
        purchase_date: '2026-02-15', dealer: '京东' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.warranty_until, '2027-02-14'); // HT-A9: 12 months
    assert.equal(r.json.serial, serial); // stored upper-cased
    assert.equal(r.json.model.code, 'HT-A9');
    assert.equal(r.json.purchase_date, '2026-02-15');
    assert.equal(r.json.in_warranty, true);
    assert.equal(r.json.customer, undefined, 'the public answer names no customer');
    // month-end clamping: 24-month model bought on a 31st of August
    const r2 = await reg({ name: '赵敏', phone, model: 'XR-65A95L', serial: freshSerial('w'),
        purchase_date: '2023-08-31' });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json.warranty_until, '2025-08-30');
    assert.equal(r2.json.in_warranty, false);
    // a 6-month model, clamped into February of a leap year
    const r3 = await reg({ name: '赵敏', phone, model: 'CFI-ZCT1', serial: freshSerial('w'),
        purchase_date: '2023-08-31' });
    assert.equal(r3.json.warranty_until, '2024-02-28');
});

test('the registrant becomes one customer, matched by phone, with a queued confirmation', async () => {
    const phone = freshPhone();
    const before = await count('customers');
    const outboxBefore = await count('outbox');
    const a = await reg({ name: '钱多多', phone, model: 'KD-55X85K', serial: freshSerial('c'), purchase_date: '2025-06-01' });
    assert.equal(a.status, 201, a.text);
    // the same phone in another form: +86 prefix, dashes
    const b = await reg({ name: '钱多多', phone: `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`,
        model: 'KD-55X85K', serial: freshSerial('c'), purchase_date: '2025-06-02' });
    assert.equal(b.status, 201, b.text);
    assert.equal(await count('customers'), before + 1, 'never a second customer for the same phone');
    const owners = await sql(s, `SELECT count(DISTINCT customer_id) FROM units WHERE serial IN ('${a.json.serial}', '${b.json.serial}')`);
    assert.equal(owners, '1');
    assert.equal(await count('outbox'), outboxBefore + 2);
    const row = await sql(s, `SELECT channel, template, recipient FROM outbox ORDER BY id DESC LIMIT 1`);
    assert.equal(row, `sms|warranty_registered|${phone}`);
    const payload = JSON.parse(await sql(s, `SELECT payload FROM outbox ORDER BY id DESC LIMIT 1`));
    assert.equal(payload.serial, b.json.serial);
    assert.equal(payload.warranty_until, b.json.warranty_until);
    // audited
    assert.equal(await count('audit', `entity = 'unit' AND entity_code = '${a.json.serial}' AND action = 'register'`), 1);
});

test('refusals: unknown_model, invalid_serial, invalid_purchase_date, serial_taken; nothing stored', async () => {
    const phone = freshPhone();
    const units = await count('units');
    const customers = await count('customers');
    const outbox = await count('outbox');
    const base = { name: '孙悟空', phone, model: 'KD-55X85K', serial: freshSerial('r'), purchase_date: '2025-01-10' };
    let r = await reg({ ...base, model: 'NO-SUCH-MODEL' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'unknown_model');
    for (const serial of ['AB1', 'A'.repeat(33), 'AB 123', 'AB_123', '序列号1234', 'ＡＢＣＤ']) {
        r = await reg({ ...base, serial });
        assert.equal(r.status, 422, serial);
        assert.equal(r.json.error.code, 'invalid_serial', serial);
    }
    for (const purchase_date of [localDate(2), '2022-03-31', '2025-02-30', '2025/01/10', 'yesterday']) {
        r = await reg({ ...base, purchase_date });
        assert.equal(r.status, 422, purchase_date);
        assert.equal(r.json.error.code, 'invalid_purchase_date', purchase_date); // KD-55X85K launched 2022-04-01
    }
    assert.equal(await count('units'), units);
    assert.equal(await count('customers'), customers);
    assert.equal(await count('outbox'), outbox);
    // serial taken by someone else (compared case-insensitively); the other person is not created
    const ok = await reg(base);
    assert.equal(ok.status, 201, ok.text);
    const c1 = await count('customers');
    r = await reg({ ...base, name: '猪八戒', phone: freshPhone(), serial: base.serial.toLowerCase() });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'serial_taken');
    assert.equal(await count('customers'), c1, 'the refused registrant was rolled back');
    // the same person registering the same unit again gets the registration back
    r = await reg(base);
    assert.equal(r.status, 200);
    assert.equal(r.json.warranty_until, ok.json.warranty_until);
    // today is fine
    r = await reg({ ...base, serial: freshSerial('r'), purchase_date: localDate(0) });
    assert.equal(r.status, 201, r.text);
});

test('missing fields answer 422 validation_failed with the fields', async () => {
    let r = await reg({ model: 'HT-A9', serial: freshSerial('m'), purchase_date: '2025-01-01' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.ok(r.json.error.fields.name);
    r = await reg({ name: '张三', model: 'HT-A9', serial: freshSerial('m'), purchase_date: '2025-01-01' });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.phone);
    r = await reg({ name: '张三', phone: freshPhone(), serial: freshSerial('m'), purchase_date: '2025-01-01', model: 'HT-A9', extra: 1 });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.extra, 'unknown field');
    r = await reg({ name: '张三', phone: '12', model: 'HT-A9', serial: freshSerial('m'), purchase_date: '2025-01-01' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.ok(r.json.error.fields.phone);
});

test('warranty lookup by serial: public shows no owner, staff see owner and repairs', async () => {
    const phone = freshPhone();
    const serial = freshSerial('l');
    const a = await reg({ name: '周芷若', phone, model: 'VJS144', serial, purchase_date: '2025-03-10', dealer: '苏宁' });
    assert.equal(a.status, 201);
    let r = await s.api(`/api/v1/public/warranty/${serial.toLowerCase()}`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['in_warranty', 'model', 'purchase_date', 'serial', 'warranty_until']);
    assert.equal(r.json.warranty_until, '2027-03-09');
    assert.equal(r.text.includes('周'), false);
    r = await s.api('/api/v1/public/warranty/NOPE-0000');
    assert.equal(r.status, 404);
    r = await ctx.agent.request(`/api/v1/units/${serial}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.customer.name, '周芷若');
    assert.equal(r.json.dealer, '苏宁');
    assert.deepEqual(r.json.repairs, []);
    r = await ctx.agent.request(`/api/v1/units?customer=${r.json.customer.code}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.some((u) => u.serial === serial));
    // staff registration for an existing customer by code
    const code = (await ctx.agent.request(`/api/v1/units/${serial}`)).json.customer.code;
    r = await ctx.agent.request('/api/v1/warranty-registrations', { body: { customer: code, model: 'HT-A9', serial: freshSerial('l'), purchase_date: '2025-05-05' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.customer.code, code);
    assert.equal(r.json.registered_via, 'staff');
    r = await ctx.agent.request('/api/v1/warranty-registrations', { body: { customer: 'C99999999', model: 'HT-A9', serial: freshSerial('l'), purchase_date: '2025-05-05' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.customer, 'unknown customer');
    // roles: warehouse may not register
    r = await ctx.warehouse.request('/api/v1/warranty-registrations', { body: { customer: code, model: 'HT-A9', serial: freshSerial('l'), purchase_date: '2025-05-05' } });
    assert.equal(r.status, 403);
});
