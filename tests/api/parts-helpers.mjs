// Helpers for tests that need spare-parts records of an outlet (issue 10): a part with
// stock at a central warehouse, a part request line of a repair at an outlet, and a
// transfer to an outlet's warehouse, made through the API as admin.
import assert from 'node:assert/strict';
import { makeRepair } from './network-helpers.mjs';

const admins = new WeakMap();
let seq = 0;

async function adminOf(s) {
    if (!admins.has(s)) admins.set(s, await s.token('admin'));
    return admins.get(s);
}

/** A fresh part with `qty` units at the central warehouse HELPER-CENTRAL; its number. */
export async function partInStock(s, qty = 5) {
    const token = await adminOf(s);
    const c = await s.api('/api/v1/warehouses', { token, body: { code: 'HELPER-CENTRAL', name: '零件中心', kind: 'central', region: '310115' } });
    assert.ok([201, 409].includes(c.status), c.text);
    const number = `HLP-${process.pid}-${++seq}`;
    let r = await s.api('/api/v1/parts', { token, body: { number, description: '测试配件', price_fen: 100, source: 'domestic' } });
    assert.equal(r.status, 201, r.text);
    r = await s.api('/api/v1/stock-moves', { token, body: { kind: 'receipt', part: number, qty, to: 'HELPER-CENTRAL' } });
    assert.equal(r.status, 201, r.text);
    return number;
}

/** A reserved part request line of a new repair at outlet (by code); its line code. */
export async function makePartLine(s, outlet) {
    const token = await adminOf(s);
    const part = await partInStock(s, 1);
    const repair = await makeRepair(s, outlet, 'diagnosing');
    const r = await s.api(`/api/v1/repairs/${repair}/part-requests`, { token, body: { lines: [{ part, qty: 1 }] } });
    assert.equal(r.status, 201, r.text);
    return r.json.lines[0].code;
}

/** A transfer in transit from the central warehouse to outlet's own warehouse; its code. */
export async function makeTransfer(s, outlet) {
    const token = await adminOf(s);
    const w = await s.api('/api/v1/warehouses', { token, body: { code: `W-${outlet}`, name: `${outlet} 库房`, kind: 'outlet', outlet } });
    assert.ok([201, 409].includes(w.status), w.text);
    const part = await partInStock(s, 1);
    const r = await s.api('/api/v1/stock-moves', { token, body: { kind: 'transfer', part, qty: 1, from: 'HELPER-CENTRAL', to: `W-${outlet}` } });
    assert.equal(r.status, 201, r.text);
    return r.json.transfer;
}
