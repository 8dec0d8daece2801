// Repairs (issue 4, SPEC M4): creation and codes, the lifecycle with roles and
// requirements, outlet confinement (contract: GET /api/v1/repairs/{code} answers 404 to
// another outlet's staff), lists with filters and keyset pagination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, sql, freshPhone, freshSerial, localDate } from './repairs-helpers.mjs';

let ctx, s, customer, inSerial, outSerial;
before(async () => {
    ctx = await demoServer();
    s = ctx.s;
    // a customer with a unit in warranty and one out of warranty
    const phone = freshPhone();
    inSerial = freshSerial('in');
    outSerial = freshSerial('out');
    let r = await s.api('/api/v1/public/warranty-registrations', { body: { name: '林黛玉', phone, model: 'XR-75X90L', serial: inSerial, purchase_date: localDate(-30) } });
    assert.equal(r.status, 201, r.text);
    r = await s.api('/api/v1/public/warranty-registrations', { body: { name: '林黛玉', phone, model: 'CFI-1200', serial: outSerial, purchase_date: '2023-01-05' } });
    assert.equal(r.status, 201, r.text);
    customer = (await ctx.agent.request(`/api/v1/units/${inSerial}`)).json.customer.code;
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

const create = (who, body) => who.request('/api/v1/repairs', { body });
const move = (who, code, body) => who.request(`/api/v1/repairs/${code}/transitions`, { body });
const today = () => localDate(0).replaceAll('-', '').slice(2);
const snapshot = async (code) => sql(s, `SELECT r.status, r.version, r.received_at, r.repaired_at, r.delivered_at, r.cancelled_at, r.quote_fen, r.in_warranty,
    (SELECT count(*) FROM repair_events e WHERE e.repair_id = r.id), (SELECT count(*) FROM audit a WHERE a.entity_code = r.code)
    FROM repairs r WHERE r.code = '${code}'`);

test('an agent registers a repair: code R+YYMMDD+sequence, registered, recorded', async () => {
    const r = await create(ctx.agent, { customer, serial: inSerial.toLowerCase(), kind: 'carry_in', channel: 'phone', fault: '无法开机', outlet: 'O0001' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, new RegExp(`^R${today()}\\d{4,}$`));
    assert.equal(r.json.status, 'registered');
    assert.equal(r.json.customer.code, customer);
    assert.equal(r.json.serial, inSerial);
    assert.equal(r.json.model.code, 'XR-75X90L');
    assert.equal(r.json.product_line.code, 'TV');
    assert.equal(r.json.outlet.code, 'O0001');
    assert.equal(r.json.in_warranty, null, 'decided at receipt');
    assert.equal(r.json.events.length, 1);
    assert.equal(r.json.events[0].status, 'registered');
    assert.equal(r.json.events[0].actor, 'agent');
    assert.deepEqual(r.json.next.map((n) => n.to), ['cancelled']);
    const audit = await sql(s, `SELECT actor, action FROM audit WHERE entity = 'repair' AND entity_code = '${r.json.code}'`);
    assert.equal(audit, 'agent|create');
});

test('creation validates: customer, serial/model, outlet, kind, channel', async () => {
    const before = await sql(s, 'SELECT count(*) FROM repairs');
    const units = await sql(s, 'SELECT count(*) FROM units');
    const base = { customer, serial: inSerial, fault: '屏幕有横线', outlet: 'O0001' };
    const cases = [
        [{ ...base, customer: 'C99999999' }, 'customer'],
        [{ ...base, serial: 'x!' }, 'serial'],
        [{ ...base, serial: freshSerial('u') }, 'model'],      // unknown serial, no model
        [{ ...base, serial: undefined }, 'model'],              // neither
        [{ ...base, serial: freshSerial('u'), model: 'NOPE' }, 'model'],
        [{ ...base, outlet: 'O9999' }, 'outlet'],
        [{ ...base, outlet: undefined }, 'outlet'],
        [{ ...base, kind: 'drive_by' }, 'kind'],
        [{ ...base, channel: 'pigeon' }, 'channel'],
        [{ ...base, fault: undefined }, 'fault'],
        [{ ...base, customer: undefined }, 'customer'],
        [{ ...base, bogus: 1 }, 'bogus'],
    ];
    for (const [body, field] of cases) {
        const r = await create(ctx.agent, body);
        assert.equal(r.status, 422, `${field}: ${r.text}`);
        assert.ok(r.json.error.fields?.[field], `${field}: ${r.text}`);
    }
    assert.equal(await sql(s, 'SELECT count(*) FROM repairs'), before);
    assert.equal(await sql(s, 'SELECT count(*) FROM units'), units);
    // outlet staff register at their own outlet only
    let r = await create(ctx.tech, { ...base, outlet: 'O0002' });
    assert.equal(r.status, 422);
    r = await create(ctx.tech, { customer, model: 'HT-A9', fault: '无声音' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.outlet.code, 'O0001');
    assert.equal(r.json.channel, 'walk_in');
    assert.equal(r.json.serial, null);
    // an unknown serial with its model becomes a known unit of this customer
    const serial = freshSerial('new');
    r = await create(ctx.agent, { customer, serial, model: 'HT-A9', fault: '无声音', outlet: 'O0002', kind: 'mail_in', channel: 'email' });
    assert.equal(r.status, 201, r.text);
    assert.equal(await sql(s, `SELECT count(*) FROM units WHERE serial = '${serial.toUpperCase()}'`), '1');
    // a caller not yet a customer: created by the M1 rules
    const phone = freshPhone();
    r = await create(ctx.agent, { name: '贾宝玉', phone, model: 'HT-A9', fault: '无声音', outlet: 'O0001' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.customer.code, /^C/);
    r = await create(ctx.agent, { name: '贾宝玉', phone, model: 'HT-A9', fault: '又坏了', outlet: 'O0001' });
    assert.equal(r.status, 201);
    assert.equal(await sql(s, `SELECT count(DISTINCT customer_id) FROM repairs WHERE fault IN ('无声音', '又坏了') AND customer_id IN (SELECT customer_id FROM customer_phones WHERE phone = '${phone}')`), '1');
    // roles: warehouse and editor may not
    r = await create(ctx.warehouse, base);
    assert.equal(r.status, 403);
});

test('the whole lifecycle: each step by its role, recorded with actor and time', async () => {
    // a paid repair (a model, no unit): its quote is made by the quote route (labour from
    // the price guide), the customer's approval by a transition
    let r = await create(ctx.agent, { customer, model: 'HT-A9', fault: '画面闪烁', outlet: 'O0001' });
    const code = r.json.code;
    const steps = [
        [ctx.tech, { to: 'received' }],
        [ctx.tech, { to: 'diagnosing' }],
        [ctx.tech, { quote: { level: 'A' } }],
        [ctx.agent, { to: 'approved' }],
        [ctx.tech, { to: 'waiting_parts', note: '等主板' }],
        [ctx.tech, { to: 'repairing' }],
        [ctx.tech, { to: 'repaired' }],
        [ctx.manager, { to: 'delivered' }],
    ];
    let quoted = 0;
    for (const [who, body] of steps) {
        if (body.quote) {
            const q = await who.request(`/api/v1/repairs/${code}/quote`, { body: body.quote });
            assert.equal(q.status, 201, q.text);
            assert.equal(q.json.repair.status, 'quoted');
            quoted = q.json.total_fen;
            continue;
        }
        r = await move(who, code, body);
        assert.equal(r.status, 200, `${body.to}: ${r.text}`);
        assert.equal(r.json.status, body.to);
    }
    assert.equal(r.json.in_warranty, false, 'no unit: paid');
    assert.ok(quoted > 0);
    assert.equal(r.json.quote_fen, quoted);
    for (const k of ['received_at', 'repaired_at', 'delivered_at']) assert.match(r.json[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(r.json.cancelled_at, null);
    assert.deepEqual(r.json.events.map((e) => e.status), ['registered', 'received', 'diagnosing', 'quoted', 'approved', 'waiting_parts', 'repairing', 'repaired', 'delivered']);
    assert.deepEqual(r.json.events.map((e) => e.actor), ['agent', 'tech', 'tech', 'tech', 'agent', 'tech', 'tech', 'tech', 'manager']);
    assert.equal(r.json.events[5].note, '等主板');
    assert.equal(r.json.events[3].note, (quoted / 100).toFixed(2));
    assert.deepEqual(r.json.next, []);
    assert.equal(r.json.version, 9);
    assert.equal(await sql(s, `SELECT count(*) FROM audit WHERE entity_code = '${code}' AND action = 'transition'`), '8');
    // the customer is told the unit is ready: one message queued in the outbox
    assert.equal(await sql(s, `SELECT count(*) FROM outbox WHERE template = 'repair_ready' AND payload = '{"code":"${code}"}'`), '1');
    // in warranty at receipt, and out of warranty: paid
    r = await create(ctx.agent, { customer, serial: inSerial, fault: '画面闪烁', outlet: 'O0001' });
    r = await move(ctx.tech, r.json.code, { to: 'received' });
    assert.equal(r.json.in_warranty, true, 'unit in warranty at receipt');
    r = await create(ctx.agent, { customer, serial: outSerial, fault: '手柄漂移', outlet: 'O0001' });
    r = await move(ctx.tech, r.json.code, { to: 'received' });
    assert.equal(r.json.in_warranty, false);
    // no unit at all: paid
    r = await create(ctx.agent, { customer, model: 'HT-A9', fault: '无声音', outlet: 'O0001' });
    r = await move(ctx.manager, r.json.code, { to: 'received' });
    assert.equal(r.json.in_warranty, false);
});

test('every illegal transition is refused with 409 and changes nothing', async () => {
    const all = ['registered', 'received', 'diagnosing', 'quoted', 'approved', 'waiting_parts', 'repairing', 'repaired', 'delivered', 'cancelled'];
    const legal = {
        registered: ['received', 'cancelled'], received: ['diagnosing', 'cancelled'],
        diagnosing: ['quoted', 'waiting_parts', 'repairing', 'cancelled'], quoted: ['approved', 'cancelled'],
        approved: ['waiting_parts', 'repairing', 'cancelled'], waiting_parts: ['repairing', 'cancelled'],
        repairing: ['waiting_parts', 'repaired', 'cancelled'], repaired: ['delivered'], delivered: [], cancelled: [],
    };
    const path = ['received', 'diagnosing', 'quoted', 'approved', 'waiting_parts', 'repairing', 'repaired', 'delivered'];
    // paid, so that it is quoted (by the quote route) on its way
    let r = await create(ctx.agent, { customer, model: 'HT-A9', fault: '过热', outlet: 'O0001' });
    const code = r.json.code;
    let state = 'registered';
    let refused = 0;
    for (let i = 0; ; i++) {
        const snap = await snapshot(code);
        for (const to of all) {
            if (legal[state].includes(to)) continue;
            r = await move(ctx.admin, code, { to, quote_fen: 100, reason: 'x' });
            assert.equal(r.status, 409, `${state} -> ${to}: ${r.text}`);
            assert.equal(r.json.error.code, 'illegal_transition');
            refused++;
        }
        assert.equal(await snapshot(code), snap, `nothing changed in ${state}`);
        if (i === path.length) break;
        r = path[i] === 'quoted' ? await ctx.tech.request(`/api/v1/repairs/${code}/quote`, { body: { level: 'A' } })
            : await move(ctx.tech, code, { to: path[i] });
        assert.equal(r.status, path[i] === 'quoted' ? 201 : 200, r.text);
        state = path[i];
    }
    assert.equal(refused, 9 * 10 - 19); // the 9 states of the path x 10 targets, minus the 19 legal moves
    // a cancelled repair goes nowhere either
    r = await create(ctx.agent, { customer, model: 'HT-A9', fault: '无声音', outlet: 'O0001' });
    await move(ctx.agent, r.json.code, { to: 'cancelled', reason: '客户撤回' });
    const snap = await snapshot(r.json.code);
    for (const to of all) {
        const x = await move(ctx.admin, r.json.code, { to, reason: 'x', quote_fen: 1 });
        assert.equal(x.status, 409, to);
    }
    assert.equal(await snapshot(r.json.code), snap);
});

test('roles and requirements: 403 for the wrong role, 422 without quote or reason, 409 stale version', async () => {
    let r = await create(ctx.agent, { customer, serial: inSerial, fault: '噪音', outlet: 'O0001' });
    const code = r.json.code;
    let snap = await snapshot(code);
    r = await move(ctx.agent, code, { to: 'received' });
    assert.equal(r.status, 403);
    r = await move(ctx.tech, code, { to: 'cancelled', reason: '不修了' });
    assert.equal(r.status, 403, 'technicians do not cancel');
    assert.equal(await snapshot(code), snap);
    await move(ctx.tech, code, { to: 'received' });
    await move(ctx.tech, code, { to: 'diagnosing' });
    snap = await snapshot(code);
    r = await move(ctx.tech, code, { to: 'quoted', quote_fen: -5 });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.quote_fen);
    r = await move(ctx.manager, code, { to: 'cancelled' });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields.reason);
    r = await move(ctx.manager, code, { to: 'cancelled', reason: '   ' });
    assert.equal(r.status, 422);
    r = await move(ctx.tech, code, { to: 'flying' });
    assert.equal(r.status, 422);
    r = await move(ctx.tech, code, { to: 'repairing', version: 1 });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    assert.equal(await snapshot(code), snap);
    r = await move(ctx.tech, code, { to: 'repairing', version: 3 });
    assert.equal(r.status, 200, r.text);
    r = await move(ctx.manager, code, { to: 'cancelled', reason: '客户拒绝报价' });
    assert.equal(r.status, 200);
    assert.equal(r.json.cancel_reason, '客户拒绝报价');
    assert.ok(r.json.cancelled_at);
    assert.equal(r.json.events.at(-1).note, '客户拒绝报价');
});

test('outlet staff see only their outlet: another outlet\'s repair is 404 exactly like a missing one', async () => {
    const r = await create(ctx.agent, { customer, serial: inSerial, fault: '无法开机', outlet: 'O0001' });
    const code = r.json.code;
    const other = await ctx.tech2.request(`/api/v1/repairs/${code}`);
    const missing = await ctx.tech2.request('/api/v1/repairs/R0000000000');
    assert.equal(other.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(other.json, missing.json);
    assert.equal(other.text, missing.text);
    const snap = await snapshot(code);
    const mv = await move(ctx.tech2, code, { to: 'received' });
    assert.equal(mv.status, 404);
    assert.equal(mv.text, missing.text);
    assert.equal(await snapshot(code), snap);
    assert.equal((await ctx.tech.request(`/api/v1/repairs/${code}`)).status, 200);
    assert.equal((await ctx.agent.request(`/api/v1/repairs/${code}`)).status, 200);
    // lists: tech2 sees O0002 only, even when asking for O0001
    const l = await ctx.tech2.request('/api/v1/repairs?outlet=O0001&limit=500');
    assert.equal(l.status, 200);
    assert.ok(l.json.items.length > 0);
    assert.ok(l.json.items.every((x) => x.outlet.code === 'O0002'));
    assert.ok(!l.json.items.some((x) => x.code === code));
    // the unit lookup hides other outlets' repairs and the owner from outlet staff
    const u = await ctx.tech2.request(`/api/v1/units/${inSerial}`);
    assert.equal(u.status, 200);
    assert.equal(u.json.customer, undefined);
    assert.equal(u.json.repairs.some((x) => x.code === code), false);
});

test('200 concurrent creations give 200 distinct codes in one daily sequence', async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => ({ customer, model: 'HT-A9', fault: `并发 ${i}`, outlet: i % 2 ? 'O0001' : 'O0002' }));
    const res = await Promise.all(bodies.map((b) => create(ctx.agent, b)));
    for (const r of res) assert.equal(r.status, 201, r.text);
    const codes = res.map((r) => r.json.code);
    assert.equal(new Set(codes).size, 200);
    const seqs = codes.map((c) => Number(c.slice(7))).sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'gap-free');
    assert.equal(await sql(s, `SELECT count(*) FROM repairs WHERE fault LIKE '并发 %'`), '200');
});

test('lists: filters by status, outlet, kind, customer, age; keyset pagination', async () => {
    let r = await ctx.supervisor.request(`/api/v1/repairs?customer=${customer}&limit=500`);
    assert.equal(r.status, 200);
    const mine = r.json.items;
    assert.ok(mine.length > 200);
    assert.ok(mine.every((x) => x.customer.code === customer));
    // pages of 7 cover the same set, in the same order, without overlap
    const seen = [];
    let cursor = null;
    do {
        r = await ctx.supervisor.request(`/api/v1/repairs?customer=${customer}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200);
        assert.ok(r.json.items.length <= 7);
        seen.push(...r.json.items.map((x) => x.code));
        cursor = r.json.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, mine.map((x) => x.code));
    r = await ctx.supervisor.request(`/api/v1/repairs?customer=${customer}&status=delivered&limit=500`);
    assert.ok(r.json.items.length >= 1);
    assert.ok(r.json.items.every((x) => x.status === 'delivered'));
    r = await ctx.supervisor.request('/api/v1/repairs?kind=mail_in&limit=500');
    assert.ok(r.json.items.length >= 1);
    assert.ok(r.json.items.every((x) => x.kind === 'mail_in'));
    r = await ctx.supervisor.request('/api/v1/repairs?outlet=O0002&limit=500&open=1');
    assert.ok(r.json.items.every((x) => x.outlet.code === 'O0002' && !['delivered', 'cancelled'].includes(x.status)));
    r = await ctx.supervisor.request('/api/v1/repairs?age=30&limit=500');
    assert.ok(r.json.items.length > 0, 'demo repairs are older than 30 days');
    assert.ok(r.json.items.every((x) => x.age_days >= 30));
    r = await ctx.supervisor.request(`/api/v1/repairs?customer=${customer}&age=1`);
    assert.equal(r.json.items.length, 0, 'this customer\'s repairs are all from today');
    for (const q of ['status=nope', 'kind=x', 'outlet=O9999', 'customer=C99999999', 'limit=0', 'limit=x', 'age=-1', 'cursor=abc']) {
        r = await ctx.supervisor.request(`/api/v1/repairs?${q}`);
        assert.equal(r.status, 422, q);
    }
    r = await ctx.editor.request('/api/v1/repairs');
    assert.equal(r.status, 403);
});

test('warranty registrations and repairs appear on the customer\'s history (M1)', async () => {
    const r = await ctx.agent.request(`/api/v1/customers/${customer}/history?limit=500`);
    assert.equal(r.status, 200, r.text);
    const kinds = new Set(r.json.items.map((i) => i.kind));
    assert.ok(kinds.has('warranty'), r.text.slice(0, 300));
    assert.ok(kinds.has('repair'));
    const w = r.json.items.find((i) => i.kind === 'warranty' && i.code === inSerial);
    assert.ok(w, 'the registration is listed by serial');
    assert.match(w.summary, /XR-75X90L/);
    const rep = r.json.items.find((i) => i.kind === 'repair');
    assert.match(rep.code, /^R\d+/);
});

test('without an outlet, a repair is routed by the customer\'s region and the product line', async () => {
    const c = await ctx.agent.request('/api/v1/customers', { body: { name: '曹操', phone: freshPhone(), region: '310104' } });
    assert.equal(c.status, 201, c.text);
    const want = await ctx.agent.request('/api/v1/routing/suggest?region=310104&product_line=TV');
    assert.equal(want.status, 200, want.text);
    const r = await create(ctx.agent, { customer: c.json.code, model: 'KD-55X85K', fault: '无图像' });
    assert.ok(want.json.outlet, 'the demo network covers Xuhui for TV');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.outlet.code, want.json.outlet);
    // the agent is told why: the same reason the suggestion gives
    assert.equal(r.json.routing_reason, want.json.reason);
    assert.match(r.json.routing_reason, /^chosen because it is active, covers 310104 and is authorised for TV/);
    // an outlet the agent named is no automatic choice: no reason
    const named = await create(ctx.agent, { customer: c.json.code, model: 'KD-55X85K', fault: '无图像', outlet: want.json.candidates.at(-1).code });
    assert.equal(named.status, 201, named.text);
    assert.equal(named.json.outlet.code, want.json.candidates.at(-1).code);
    assert.equal(named.json.routing_reason, undefined);
    // a customer without a region cannot be routed: the agent must name the outlet
    const x = await create(ctx.agent, { customer, model: 'KD-55X85K', fault: '无图像' });
    assert.equal(x.status, 422);
    assert.match(x.json.error.fields.outlet, /region/);
});

test('a repair is quoted only by the quote route: a transition to quoted is refused (422 quote_required), nothing changes', async () => {
    // a paid repair being diagnosed, and an in-warranty one: neither is quoted by a typed amount
    for (const unit of [{ model: 'HT-A9' }, { serial: inSerial }]) {
        let r = await create(ctx.agent, { customer, ...unit, fault: '不出声', outlet: 'O0001' });
        const code = r.json.code;
        await move(ctx.tech, code, { to: 'received' });
        r = await move(ctx.tech, code, { to: 'diagnosing' });
        assert.equal(r.status, 200, r.text);
        const snap = await snapshot(code);
        for (const who of [ctx.tech, ctx.manager, ctx.admin]) {
            for (const body of [{ to: 'quoted', quote_fen: 35000 }, { to: 'quoted' }, { to: 'quoted', quote_fen: 1, version: r.json.version }]) {
                const x = await move(who, code, body);
                assert.equal(x.status, 422, `${JSON.stringify(body)}: ${x.text}`);
                assert.equal(x.json.error.code, 'quote_required');
                assert.match(x.json.error.message, new RegExp(`/api/v1/repairs/${code}/quote`));
            }
        }
        // so neither can it be approved without a priced quote
        const a = await move(ctx.agent, code, { to: 'approved' });
        assert.equal(a.status, 409);
        assert.equal(a.json.error.code, 'illegal_transition');
        assert.equal(await snapshot(code), snap, 'nothing changed');
        assert.equal(await sql(s, `SELECT count(*) FROM repair_charges c JOIN repairs r ON r.id = c.repair_id WHERE r.code = '${code}'`), '0');
    }
    // from a state where quoted is not a step at all, the refusal stays 409
    const r = await create(ctx.agent, { customer, model: 'HT-A9', fault: '不出声', outlet: 'O0001' });
    const x = await move(ctx.tech, r.json.code, { to: 'quoted', quote_fen: 100 });
    assert.equal(x.status, 409);
    assert.equal(x.json.error.code, 'illegal_transition');
});
