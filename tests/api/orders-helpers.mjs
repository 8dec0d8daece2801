// Helpers for tests that need orders or feedback of an outlet (issue 14): a part in stock
// at the outlet's own warehouse and an order taken there, made through the API as admin.
import assert from 'node:assert/strict';

const admins = new WeakMap();
let seq = 0;

async function adminOf(s) {
    if (!admins.has(s)) admins.set(s, await s.token('admin'));
    return admins.get(s);
}

/** An order placed at outlet (by code) for a part with stock at the outlet; its code. */
export async function makeOrder(s, outlet) {
    const token = await adminOf(s);
    const w = await s.api('/api/v1/warehouses', { token, body: { code: `W-${outlet}`, name: `${outlet} 库房`, kind: 'outlet', outlet } });
    assert.ok([201, 409].includes(w.status), w.text);
    const number = `ORD-${process.pid}-${++seq}`;
    let r = await s.api('/api/v1/parts', { token, body: { number, description: '测试电池', price_fen: 1000, source: 'domestic' } });
    assert.equal(r.status, 201, r.text);
    r = await s.api('/api/v1/stock-moves', { token, body: { kind: 'receipt', part: number, qty: 5, to: `W-${outlet}` } });
    assert.equal(r.status, 201, r.text);
    const phone = `137${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
    r = await s.api('/api/v1/orders', { token, body: { name: '测试客户', phone, outlet, lines: [{ part: number, qty: 1 }] } });
    assert.equal(r.status, 201, r.text);
    return r.json.code;
}

/** Feedback routed to outlet; its code. */
export async function makeFeedback(s, outlet) {
    const r = await s.api('/api/v1/public/feedback', { body: { channel: 'counter', category: 'service', text: `反馈 ${outlet}`, outlet } });
    assert.equal(r.status, 201, r.text);
    return r.json.code;
}
