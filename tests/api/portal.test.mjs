// The public repair status lookup (issue 4, contract:
// GET /api/v1/public/repairs/{code}?phone_tail=NNNN): the timeline, the outlet's name and
// phone, a masked surname and nothing else; the same 404 for a wrong code or tail; 429
// after repeated misses from one client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, freshPhone, localDate } from './repairs-helpers.mjs';

const MISSES = 6;
let ctx, s, code, phone;
before(async () => {
    ctx = await demoServer({ env: { AFTERSALES_PORTAL_MISSES: String(MISSES) } });
    s = ctx.s;
    phone = freshPhone();
    const r = await s.api('/api/v1/public/warranty-registrations', { body: { name: '欧阳娜娜', phone, email: 'nana@example.com', model: 'KD-65X80L', serial: 'PORTAL-0001', purchase_date: localDate(-100), dealer: '国美' } });
    assert.equal(r.status, 201, r.text);
    const c = (await ctx.agent.request('/api/v1/units/PORTAL-0001')).json.customer.code;
    const rr = await ctx.agent.request('/api/v1/repairs', { body: { customer: c, serial: 'PORTAL-0001', fault: '背光不亮，地址：上海市徐汇区某路1号', outlet: 'O0001' } });
    assert.equal(rr.status, 201, rr.text);
    code = rr.json.code;
    await ctx.tech.request(`/api/v1/repairs/${code}/transitions`, { body: { to: 'received' } });
    await ctx.tech.request(`/api/v1/repairs/${code}/transitions`, { body: { to: 'diagnosing', note: '内部备注：主板' } });
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

const lookup = (c, tail) => s.api(`/api/v1/public/repairs/${c}${tail === undefined ? '' : `?phone_tail=${tail}`}`);

test('code + phone tail answers the timeline, outlet name and phone, masked surname', async () => {
    const r = await lookup(code, phone.slice(-4));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, code);
    assert.equal(r.json.status, 'diagnosing');
    assert.deepEqual(r.json.timeline.map((e) => e.status), ['registered', 'received', 'diagnosing']);
    for (const e of r.json.timeline) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(r.json.outlet, { name: '上海徐汇技术服务中心', phone: '021-64380000' });
    assert.deepEqual(r.json.customer, { surname: '欧**' });
    assert.equal(r.json.in_warranty, true);
    assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('the answer leaks nothing personal: no name, phone, email, address, serial, fault, actors, notes', async () => {
    const r = await lookup(code, phone.slice(-4));
    assert.equal(r.status, 200);
    const text = r.text;
    for (const secret of ['欧阳娜娜', '阳娜', phone, 'nana@example.com', 'PORTAL-0001', 'portal-0001', '徐汇区某路', '背光', '国美', '内部备注', '"tech"', '"agent"', 'actor', 'note', 'customer_id', '"id"']) {
        assert.equal(text.includes(secret), false, `leaks ${secret}`);
    }
    const keys = Object.keys(r.json).sort();
    assert.deepEqual(keys, ['code', 'customer', 'in_warranty', 'kind', 'outlet', 'product', 'quote_fen', 'registered_at', 'status', 'timeline']);
});

test('a wrong code and a wrong tail answer the same 404', async () => {
    const wrongTail = String((Number(phone.slice(-4)) + 1) % 10000).padStart(4, '0');
    const a = await lookup(code, wrongTail);
    const b = await lookup('R0000000000', phone.slice(-4));
    const c = await lookup(code, 'abcd');
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.equal(c.status, 404);
    assert.equal(a.text, b.text);
    assert.equal(a.text, c.text);
    assert.equal(a.json.error.code, 'not_found');
});

test('repeated misses from one client answer 429, even for a right answer', async () => {
    // three misses so far (the test above); the limit is MISSES per window
    let last;
    for (let i = 0; i < MISSES; i++) last = await lookup('R0000000001', '0000');
    assert.equal(last.status, 429);
    assert.equal(last.json.error.code, 'rate_limited');
    assert.ok(last.headers.get('retry-after'));
    const right = await lookup(code, phone.slice(-4));
    assert.equal(right.status, 429, 'a guesser cannot confirm a hit once blocked');
});
