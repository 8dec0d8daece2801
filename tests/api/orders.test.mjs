// Orders (issue 14 item 4, M13), the genuine-battery check and the feedback store (M14):
// online and outlet orders with stock reserved, released and issued through the parts
// ledger (never negative), changes until shipping, the lookup by code + phone tail (the
// same 404 for a wrong code or tail, then 429), outlet confinement, bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoServer, freshPhone, sql } from './repairs-helpers.mjs';

const MISSES = 6;
let ctx, s, admin, sup, mgr1, mgr2;
before(async () => {
    ctx = await demoServer({ env: { AFTERSALES_PORTAL_MISSES: String(MISSES) } });
    s = ctx.s;
    admin = await s.token('admin');
    sup = await s.token('supervisor');
    mgr1 = await s.token('outlet_manager', 'O0001');
    mgr2 = await s.token('outlet_manager', 'O0002');
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

/** on_hand and reserved of part at warehouse (by code): [on_hand, reserved]. */
async function stock(part, wh) {
    const out = await sql(s, `SELECT s.on_hand || ',' || s.reserved FROM stock s JOIN parts p ON p.id = s.part_id
        JOIN warehouses w ON w.id = s.warehouse_id WHERE p.number = '${part}' AND w.code = '${wh}'`);
    return out ? out.split(',').map(Number) : [0, 0];
}
const CENTRAL = 'SH-PC';
const pub = (p, opts) => s.api(p, opts);
const place = (phone, lines, extra = {}) => pub('/api/v1/public/orders', { body: { name: '林小姐', phone, address: '上海市徐汇区漕溪北路 1 号', lines, ...extra } });

test('the portal lists accessories with catalog prices', async () => {
    const r = await pub('/api/v1/public/accessories');
    assert.equal(r.status, 200, r.text);
    const fw50 = r.json.items.find((i) => i.part === 'ACC-NP-FW50');
    assert.deepEqual({ ...fw50 }, { part: 'ACC-NP-FW50', description: 'NP-FW50 原装充电电池', description_en: 'NP-FW50 rechargeable battery', price_fen: 39900, kind: 'battery' });
    assert.ok(r.json.items.some((i) => i.kind === 'memory_card'));
});

test('products are on sale as parts of the catalog: listed, ordered online with stock reserved, and importable as kind product', async () => {
    const r = await pub('/api/v1/public/accessories');
    const speaker = r.json.items.find((i) => i.part === 'PRD-SRS-XB100');
    assert.deepEqual({ ...speaker }, { part: 'PRD-SRS-XB100', description: 'SRS-XB100 便携式蓝牙音箱', description_en: 'SRS-XB100 portable Bluetooth speaker', price_fen: 39900, kind: 'product' });
    const [h0, r0] = await stock('PRD-SRS-XB100', CENTRAL);
    const o = await place(freshPhone(), [{ part: 'PRD-SRS-XB100', qty: 1 }, { part: 'ACC-NP-BX1', qty: 1 }]);
    assert.equal(o.status, 201, o.text);
    assert.equal(o.json.total_fen, 39900 + 29900);
    assert.deepEqual(await stock('PRD-SRS-XB100', CENTRAL), [h0, r0 + 1], 'one speaker reserved at central');
    const bad = path.join(os.tmpdir(), `acc-kind-${process.pid}.csv`);
    writeFileSync(bad, `part,kind\nPRD-WH-CH520,gadget\n`);
    const x = await s.run(['import', 'accessories', bad]);
    assert.notEqual(x.code, 0);
    assert.match(x.stderr, /:2: kind: battery, memory_card, accessory or product/);
});

test('an online order: code, catalog prices, stock reserved at central, confirmation in the outbox, modified, then cancelled', async () => {
    const phone = freshPhone();
    const [h0, r0] = await stock('ACC-NP-FW50', CENTRAL);
    const [, rc0] = await stock('ACC-SF-G64', CENTRAL);
    let r = await place(phone, [{ part: 'acc-np-fw50', qty: 2 }]);
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    assert.match(code, /^S\d{10}$/);
    assert.equal(r.json.status, 'placed');
    assert.equal(r.json.channel, 'online');
    assert.equal(r.json.total_fen, 2 * 39900);
    assert.deepEqual(r.json.lines.map((l) => [l.part, l.qty, l.price_fen]), [['ACC-NP-FW50', 2, 39900]]);
    assert.equal(r.json.modifiable, true);
    for (const k of ['contact_phone', 'customer', 'warehouse', 'version']) assert.equal(k in r.json, false, `public view shows ${k}`);
    assert.deepEqual(await stock('ACC-NP-FW50', CENTRAL), [h0, r0 + 2]);
    const ob = await sql(s, `SELECT channel || ' ' || recipient || ' ' || template FROM outbox WHERE payload LIKE '%${code}%' ORDER BY id`);
    assert.equal(ob, `sms ${phone} order_placed`);
    // the customer was matched/created from name + phone (M1) and the order is on the timeline
    const cust = await sql(s, `SELECT cu.code FROM orders o JOIN customers cu ON cu.id = o.customer_id WHERE o.code = '${code}'`);
    const hist = await s.api(`/api/v1/customers/${cust}/history`, { token: admin });
    assert.equal(hist.status, 200, hist.text);
    assert.ok(JSON.stringify(hist.json).includes(code), 'the order is on the customer timeline');

    // modify: one battery fewer, a card more
    r = await pub(`/api/v1/public/orders/${code}?phone_tail=${phone.slice(-4)}`, { method: 'PATCH', body: { lines: [{ part: 'ACC-NP-FW50', qty: 1 }, { part: 'ACC-SF-G64', qty: 1 }] } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total_fen, 39900 + 69900);
    assert.deepEqual(await stock('ACC-NP-FW50', CENTRAL), [h0, r0 + 1]);
    assert.deepEqual((await stock('ACC-SF-G64', CENTRAL))[1], rc0 + 1);

    // more than is available: refused, nothing changed, never negative
    const [hc, rc1] = await stock('ACC-SF-G64', CENTRAL);
    r = await pub(`/api/v1/public/orders/${code}?phone_tail=${phone.slice(-4)}`, { method: 'PATCH', body: { lines: [{ part: 'ACC-SF-G64', qty: 99 }] } });
    assert.ok(hc - rc1 + 1 < 99, 'the demo central stock is below 99');
    {
        assert.equal(r.status, 409, r.text);
        assert.equal(r.json.error.code, 'out_of_stock');
        assert.deepEqual(await stock('ACC-SF-G64', CENTRAL), [hc, rc1]);
        assert.deepEqual(await stock('ACC-NP-FW50', CENTRAL), [h0, r0 + 1]);
        const again = await pub(`/api/v1/public/orders/${code}?phone_tail=${phone.slice(-4)}`);
        assert.equal(again.json.total_fen, 39900 + 69900);
    }
    const neg = await sql(s, 'SELECT COUNT(*) FROM stock WHERE on_hand < reserved OR reserved < 0 OR on_hand < 0');
    assert.equal(neg, '0');

    // cancel: every reservation released
    r = await pub(`/api/v1/public/orders/${code}/cancel?phone_tail=${phone.slice(-4)}`, { method: 'POST' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'cancelled');
    assert.equal(r.json.modifiable, false);
    assert.deepEqual(await stock('ACC-NP-FW50', CENTRAL), [h0, r0]);
    assert.deepEqual((await stock('ACC-SF-G64', CENTRAL))[1], rc0);
    const moves = await sql(s, `SELECT kind || ':' || qty FROM stock_moves WHERE reason = '${code}' ORDER BY id`);
    assert.deepEqual(moves.split('\n'), ['reserve:2', 'release:2', 'reserve:1', 'reserve:1', 'release:1', 'release:1']);
});

test('staff move an order to shipped (stock issued); after that neither customer nor staff may change or cancel it', async () => {
    const phone = freshPhone();
    const [h0, r0] = await stock('ACC-NP-BX1', CENTRAL);
    let r = await place(phone, [{ part: 'ACC-NP-BX1', qty: 3 }]);
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    let o = (await s.api(`/api/v1/orders/${code}`, { token: sup })).json;
    assert.equal(o.warehouse, CENTRAL);
    assert.equal(o.contact_phone, phone);
    // stale version
    r = await s.api(`/api/v1/orders/${code}/transition`, { token: sup, body: { to: 'confirmed', version: o.version + 5 } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    // skipping a state
    r = await s.api(`/api/v1/orders/${code}/transition`, { token: sup, body: { to: 'shipped', version: o.version } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'invalid_transition');
    for (const to of ['confirmed', 'picked', 'shipped']) {
        r = await s.api(`/api/v1/orders/${code}/transition`, { token: sup, body: { to, version: o.version } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, to);
        o = r.json;
    }
    assert.deepEqual(await stock('ACC-NP-BX1', CENTRAL), [h0 - 3, r0]);
    assert.ok(o.shipped_at);
    const tail = phone.slice(-4);
    r = await pub(`/api/v1/public/orders/${code}?phone_tail=${tail}`, { method: 'PATCH', body: { lines: [{ part: 'ACC-NP-BX1', qty: 1 }] } });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'not_modifiable');
    r = await pub(`/api/v1/public/orders/${code}/cancel?phone_tail=${tail}`, { method: 'POST' });
    assert.equal(r.status, 409, r.text);
    r = await s.api(`/api/v1/orders/${code}`, { token: sup, method: 'PATCH', body: { version: o.version, lines: [{ part: 'ACC-NP-BX1', qty: 1 }] } });
    assert.equal(r.status, 409, r.text);
    assert.deepEqual(await stock('ACC-NP-BX1', CENTRAL), [h0 - 3, r0], 'refusals change no stock');
    const st = await pub(`/api/v1/public/orders/${code}?phone_tail=${tail}`);
    assert.equal(st.status, 200);
    assert.deepEqual(st.json.events.map((e) => e.status), ['placed', 'confirmed', 'picked', 'shipped']);
    assert.equal(JSON.stringify(st.json).includes('actor'), false);
    // payment as a state
    r = await s.api(`/api/v1/orders/${code}/payment`, { token: sup, body: { version: o.version, paid: true, method: 'alipay', reference: 'AP-123' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual({ paid: r.json.payment.paid, method: r.json.payment.method, reference: r.json.payment.reference }, { paid: true, method: 'alipay', reference: 'AP-123' });
    r = await s.api(`/api/v1/orders/${code}/payment`, { token: sup, body: { version: r.json.version, paid: true, method: 'bitcoin' } });
    assert.equal(r.status, 422);
    // a return puts the units back
    o = (await s.api(`/api/v1/orders/${code}`, { token: sup })).json;
    r = await s.api(`/api/v1/orders/${code}/transition`, { token: sup, body: { to: 'returned', version: o.version } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await stock('ACC-NP-BX1', CENTRAL), [h0, r0]);
});

test('outlet orders reserve at the outlet warehouse and are confined to their outlet', async () => {
    const phone = freshPhone();
    let r = await s.api('/api/v1/orders', { token: mgr1, body: { name: '周先生', phone, lines: [{ part: 'ACC-SF-M128', qty: 1 }] } });
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    assert.equal(r.json.channel, 'outlet');
    assert.equal(r.json.outlet, 'O0001');
    const wh = r.json.warehouse;
    assert.equal((await stock('ACC-SF-M128', wh))[1] >= 1, true);
    // another outlet's staff: the same 404 as a missing order
    const other = await s.api(`/api/v1/orders/${code}`, { token: mgr2 });
    const missing = await s.api('/api/v1/orders/S0000000000', { token: mgr2 });
    assert.equal(other.status, 404);
    assert.equal(other.text, missing.text);
    r = await s.api(`/api/v1/orders/${code}/transition`, { token: mgr2, body: { to: 'confirmed', version: 1 } });
    assert.equal(r.status, 404);
    const list2 = await s.api('/api/v1/orders?limit=500', { token: mgr2 });
    assert.equal(list2.status, 200);
    assert.equal(list2.json.items.some((i) => i.code === code), false);
    assert.ok(list2.json.items.every((i) => i.outlet === 'O0002'), 'outlet O0002 sees its own only');
    const list1 = await s.api('/api/v1/orders?limit=500', { token: mgr1 });
    assert.ok(list1.json.items.some((i) => i.code === code));
    // outlet staff may not take an order for another outlet
    r = await s.api('/api/v1/orders', { token: mgr1, body: { name: '周先生', phone, outlet: 'O0002', lines: [{ part: 'ACC-SF-M128', qty: 1 }] } });
    assert.equal(r.status, 422);
    // center staff see every outlet; filters and downloads
    const all = await s.api('/api/v1/orders?outlet=O0001&status=placed', { token: sup });
    assert.ok(all.json.items.some((i) => i.code === code));
    assert.ok(all.json.items.every((i) => i.outlet === 'O0001' && i.status === 'placed'));
    const csv = await s.api('/api/v1/orders?format=csv&outlet=O0001', { token: sup, headers: { Accept: 'text/csv' } });
    assert.equal(csv.status, 200);
    assert.match(csv.text.split('\r\n')[0], /^code,status,channel,outlet,customer,customer_name,contact_phone,total_fen,paid,placed_at,shipped_at$/);
    assert.ok(csv.text.includes(code));
    const xlsx = await s.api('/api/v1/orders?format=xlsx', { token: sup, headers: { Accept: '*/*' } });
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
});

test('bad input is refused with a reason and stores nothing', async () => {
    const before = await sql(s, 'SELECT COUNT(*) FROM orders');
    const phone = freshPhone();
    const cases = [
        [{ name: '甲', phone, lines: [] }, 'lines'],
        [{ name: '甲', phone, lines: [{ part: 'ACC-NP-FW50', qty: 0 }] }, 'lines[0]'],
        [{ name: '甲', phone, lines: [{ part: 'ACC-NP-FW50', qty: 1 }, { part: 'acc-np-fw50', qty: 1 }] }, 'lines[1]'],
        [{ name: '甲', phone: '12', lines: [{ part: 'ACC-NP-FW50', qty: 1 }] }, 'phone'],
        [{ name: '甲', lines: [{ part: 'ACC-NP-FW50', qty: 1 }] }, 'phone'],
        [{ name: '甲', phone, lines: [{ part: 'ACC-NP-FW50', qty: 1 }], price_fen: 1 }, 'price_fen'],
    ];
    for (const [body, field] of cases) {
        const r = await pub('/api/v1/public/orders', { body });
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(field in r.json.error.fields, `${field} named: ${r.text}`);
    }
    let r = await place(phone, [{ part: 'NO-SUCH-PART', qty: 1 }]);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'unknown_part');
    // a part of the catalog that is not on sale online
    const plain = await sql(s, "SELECT number FROM parts WHERE id NOT IN (SELECT part_id FROM accessories) LIMIT 1");
    r = await place(phone, [{ part: plain, qty: 1 }]);
    assert.equal(r.status, 422, r.text);
    r = await place(phone, [{ part: 'ACC-NP-FW50', qty: 99 }]);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'out_of_stock');
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM orders'), before);
    r = await s.api('/api/v1/orders?status=lost', { token: sup });
    assert.equal(r.status, 422);
    r = await s.api('/api/v1/orders?outlet=NOPE', { token: sup });
    assert.equal(r.status, 422);
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM stock WHERE on_hand < reserved OR reserved < 0'), '0');
});

test('`aftersales import accessories` puts catalog parts on sale online, all or nothing', async () => {
    const plain = await sql(s, "SELECT number FROM parts WHERE id NOT IN (SELECT part_id FROM accessories) ORDER BY id LIMIT 1");
    const bad = path.join(os.tmpdir(), `acc-bad-${process.pid}.csv`);
    writeFileSync(bad, `part,kind\n${plain},battery\nNO-SUCH-PART,battery\n`);
    let r = await s.run(['import', 'accessories', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /:3: part: no part NO-SUCH-PART/);
    assert.equal((await pub('/api/v1/public/accessories')).json.items.some((i) => i.part === plain), false, 'nothing of a refused file');
    const f = path.join(os.tmpdir(), `acc-${process.pid}.csv`);
    writeFileSync(f, `part,kind,sort\n${plain.toLowerCase()},accessory,99\n`);
    r = await s.run(['import', 'accessories', f]);
    assert.equal(r.code, 0, r.stderr);
    const item = (await pub('/api/v1/public/accessories')).json.items.find((i) => i.part === plain);
    assert.equal(item.kind, 'accessory');
    assert.equal((await pub('/api/v1/public/accessories')).json.items.at(-1).part, plain, 'sorted by its place');
});

test('the battery check answers genuine or unknown and nothing else', async () => {
    const f = path.join(os.tmpdir(), `batteries-${process.pid}.csv`);
    writeFileSync(f, 'serial\nBT-GEN-0001\nbt-gen-0002\n');
    const imp = await s.run(['import', 'battery-serials', f]);
    assert.equal(imp.code, 0, imp.stderr);
    const bad = path.join(os.tmpdir(), `batteries-bad-${process.pid}.csv`);
    writeFileSync(bad, 'serial\nBT-GEN-0003\nno good!\n');
    const imp2 = await s.run(['import', 'battery-serials', bad]);
    assert.notEqual(imp2.code, 0);
    assert.match(imp2.stderr, /:3: serial/);
    for (const [serial, result] of [['BT-GEN-0001', 'genuine'], ['bt-gen-0002', 'genuine'], ['BT-GEN-0003', 'unknown'], ['SB10007919', 'genuine'], ['FAKE-9999', 'unknown']]) {
        const r = await pub(`/api/v1/public/battery/${serial}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { result }, serial);
        assert.equal(r.headers.get('cache-control'), 'no-store');
    }
    const r = await pub('/api/v1/public/battery/x');
    assert.equal(r.status, 422);
});

test('feedback is stored under the matched customer or anonymously, routed to its outlet, and listed for staff', async () => {
    const phone = freshPhone();
    const o = await place(phone, [{ part: 'ACC-RMF-TX520', qty: 1 }]);
    assert.equal(o.status, 201, o.text);
    const cust = await sql(s, `SELECT cu.code FROM orders o JOIN customers cu ON cu.id = o.customer_id WHERE o.code = '${o.json.code}'`);
    let r = await pub('/api/v1/public/feedback', { body: { channel: 'kiosk', category: 'praise', text: '原装电池很好用', contact: phone, outlet: 'O0001' } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.json), ['code']);
    const matched = r.json.code;
    r = await pub('/api/v1/public/feedback', { body: { channel: 'portal', category: 'suggestion', text: '希望延长营业时间', outlet: 'O0002' } });
    assert.equal(r.status, 201, r.text);
    const anon = r.json.code;
    for (const body of [{ channel: 'kiosk', category: 'rant', text: 'x' }, { channel: 'fax', category: 'other', text: 'x' }, { channel: 'portal', category: 'other', text: '' }, { channel: 'portal', category: 'other', text: 'x', outlet: 'NOPE' }]) {
        r = await pub('/api/v1/public/feedback', { body });
        assert.equal(r.status, 422, JSON.stringify(body));
    }
    const all = await s.api('/api/v1/feedback?limit=500', { token: sup });
    const m = all.json.items.find((i) => i.code === matched);
    const a = all.json.items.find((i) => i.code === anon);
    assert.equal(m.customer, cust);
    assert.equal(m.outlet, 'O0001');
    assert.equal(a.customer, null);
    const mine = await s.api('/api/v1/feedback?limit=500', { token: mgr1 });
    assert.ok(mine.json.items.some((i) => i.code === matched));
    assert.equal(mine.json.items.some((i) => i.code === anon), false);
    const hist = await s.api(`/api/v1/customers/${cust}/history`, { token: admin });
    assert.ok(JSON.stringify(hist.json).includes(matched));
    const csv = await s.api('/api/v1/feedback?format=csv', { token: sup, headers: { Accept: 'text/csv' } });
    assert.equal(csv.text.split('\r\n')[0], 'code,received_at,channel,category,outlet,customer,contact,text,status,note');
});

test('merge moves orders and feedback to the survivor; erasure blanks their contact details', async () => {
    const p1 = freshPhone(), p2 = freshPhone();
    const a = await place(p1, [{ part: 'ACC-NP-FW50', qty: 1 }]);
    const b = await place(p2, [{ part: 'ACC-NP-FW50', qty: 1 }], { name: '林小姐二' });
    assert.equal(b.status, 201, b.text);
    const owner = (code) => sql(s, `SELECT cu.code FROM orders o JOIN customers cu ON cu.id = o.customer_id WHERE o.code = '${code}'`);
    const ca = await owner(a.json.code), cb = await owner(b.json.code);
    assert.notEqual(ca, cb);
    const fb = await pub('/api/v1/public/feedback', { body: { channel: 'portal', category: 'product', text: '电池续航很好', contact: p2 } });
    assert.equal(fb.status, 201);
    let r = await s.api(`/api/v1/customers/${ca}/merge`, { token: sup, body: { duplicate: cb } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await owner(b.json.code), ca);
    assert.equal(await sql(s, `SELECT cu.code FROM feedback f JOIN customers cu ON cu.id = f.customer_id WHERE f.code = '${fb.json.code}'`), ca);
    r = await s.api(`/api/v1/customers/${ca}/erase`, { token: sup, body: { reason: '客户要求删除' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await sql(s, `SELECT contact_name || '|' || contact_phone || '|' || COALESCE(address, '') FROM orders WHERE code IN ('${a.json.code}', '${b.json.code}') ORDER BY id`), '||\n||');
    assert.equal(await sql(s, `SELECT text || '|' || COALESCE(contact, '') FROM feedback WHERE code = '${fb.json.code}'`), '|');
});

test('order lookup: a wrong tail and a wrong code give the same 404, then 429', async () => {
    const phone = freshPhone();
    const o = await place(phone, [{ part: 'ACC-NP-FW50', qty: 1 }]);
    assert.equal(o.status, 201, o.text);
    const code = o.json.code;
    const ok = await pub(`/api/v1/public/orders/${code.toLowerCase()}?phone_tail=${phone.slice(-4)}`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.code, code);
    for (const secret of [phone, '林小姐', '漕溪北路', 'contact', 'customer', 'version']) assert.equal(ok.text.includes(secret), false, `leaks ${secret}`);
    const wrongTail = String((Number(phone.slice(-4)) + 1) % 10000).padStart(4, '0');
    const a = await pub(`/api/v1/public/orders/${code}?phone_tail=${wrongTail}`);
    const b = await pub(`/api/v1/public/orders/S0000000000?phone_tail=${phone.slice(-4)}`);
    const c = await pub(`/api/v1/public/orders/${code}?phone_tail=abcd`);
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.equal(a.text, b.text);
    assert.equal(a.text, c.text);
    // a write with a wrong tail is the same miss
    const w = await pub(`/api/v1/public/orders/${code}/cancel?phone_tail=${wrongTail}`, { method: 'POST' });
    assert.equal(w.status, 404);
    assert.equal(w.text, a.text);
    let last;
    for (let i = 0; i < MISSES; i++) last = await pub(`/api/v1/public/orders/S0000000001?phone_tail=0000`);
    assert.equal(last.status, 429);
    assert.equal(last.json.error.code, 'rate_limited');
    assert.ok(last.headers.get('retry-after'));
    const right = await pub(`/api/v1/public/orders/${code}?phone_tail=${phone.slice(-4)}`);
    assert.equal(right.status, 429, 'blocked even for the right answer');
    assert.equal((await s.api(`/api/v1/orders/${code}`, { token: sup })).json.status, 'placed', 'the wrong-tail cancel changed nothing');
});
