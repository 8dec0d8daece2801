// Outlet confinement and roles over EVERY route (issue 6, M16): a role x route matrix
// built from `aftersales routes` (METHOD PATTERN ROLES), so routes added later are
// covered without editing this file, except where a route needs a person to say how
// to make a record of another outlet for it (OWNED) or why it holds no outlet data
// (SHARED): a route open to outlet staff with a path parameter that is in neither
// table fails the test until someone adds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BIN, runProcess, startServer } from './lib/server.mjs';
import { makeRepair, outletBody, sql } from './network-helpers.mjs';
import { makeFeedback, makeOrder } from './orders-helpers.mjs';
import { makePartLine, makeTransfer } from './parts-helpers.mjs';

const ROLES = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse',
    'editor', 'marketer'];
const OUTLET_ROLES = ['outlet_manager', 'technician'];
// Routes that need no login, and why that is right.
const PUBLIC_OK = new Set(['GET /healthz', 'GET /api/v1/openapi.json', 'POST /api/v1/session',
    'POST /api/v1/cti/:token']); // the PBX bridge: the path's secret token (stored hashed) is the credential
let contactSeq = 0;
/** A phone contact about a repair of outlet o, made in the database; returns its code. */
async function contactAt(server, o) {
    const repair = await makeRepair(server, o);
    const code = `CTX${process.pid}${++contactSeq}`;
    await sql(server, `INSERT INTO contacts (code, channel, direction, started_at, repair_id, customer_id, created_at, updated_at)
        SELECT '${code}', 'phone', 'in', 0, r.id, r.customer_id, 0, 0 FROM repairs r WHERE r.code = '${repair}'`);
    return code;
}
const isWrite = (m) => !['GET', 'HEAD'].includes(m);

// How to make a record that belongs to an outlet, for each route with a path parameter
// that outlet staff may call: make(ctx, outletCode) -> the parameter value; body for writes.
const OWNED = {
    'GET /api/v1/outlets/:code': { make: async (ctx, o) => o },
    'GET /api/v1/technicians/:code': { make: (ctx, o) => ctx.technician(o) },
    'PATCH /api/v1/technicians/:code': { make: (ctx, o) => ctx.technician(o), body: { version: 1, phone: '13900000000' } },
    'GET /api/v1/outlets/:code/slots': { make: async (ctx, o) => o, query: '?date=2031-01-08' },
    'POST /api/v1/appointments/:code/cancel': { make: (ctx, o) => ctx.appointment(o) },
    'POST /api/v1/appointments/:code/complete': { make: (ctx, o) => ctx.appointment(o) },
    'GET /api/v1/repairs/:code': { make: (ctx, o) => makeRepair(ctx.s, o) },
    'POST /api/v1/repairs/:code/transitions': { make: (ctx, o) => makeRepair(ctx.s, o), body: { to: 'diagnosing', version: 1 } },
    'GET /api/v1/repairs/:code/labour': { make: (ctx, o) => makeRepair(ctx.s, o) },
    'GET /api/v1/repairs/:code/charges': { make: (ctx, o) => makeRepair(ctx.s, o) },
    'POST /api/v1/repairs/:code/quote': { make: (ctx, o) => makeRepair(ctx.s, o, 'diagnosing'), body: { level: 'A' } },
    'POST /api/v1/repairs/:code/warranty-cost': { make: (ctx, o) => makeRepair(ctx.s, o), body: { level: 'A' } },
    'GET /api/v1/repairs/:code/part-requests': { make: (ctx, o) => makeRepair(ctx.s, o) },
    'POST /api/v1/repairs/:code/part-requests': { make: (ctx, o) => makeRepair(ctx.s, o, 'diagnosing'), body: { lines: [{ part: 'NO-SUCH-PART', qty: 1 }] } },
    'POST /api/v1/part-request-lines/:code/receive': { make: (ctx, o) => makePartLine(ctx.s, o) },
    'POST /api/v1/part-request-lines/:code/issue': { make: (ctx, o) => makePartLine(ctx.s, o) },
    'POST /api/v1/part-request-lines/:code/cancel': { make: (ctx, o) => makePartLine(ctx.s, o) },
    'POST /api/v1/transfers/:code/receive': { make: (ctx, o) => makeTransfer(ctx.s, o) },
    'GET /api/v1/complaints/:code': { make: (ctx, o) => ctx.complaint(o) },
    'GET /api/v1/contacts/:code': { make: (ctx, o) => contactAt(ctx.s, o) },
    'POST /api/v1/complaints/:code/responses': { make: (ctx, o) => ctx.complaint(o), body: { text: '已回电' } },
    'POST /api/v1/complaints/:code/pause': { make: (ctx, o) => ctx.complaint(o), body: { reason: '等客户' } },
    'POST /api/v1/complaints/:code/resume': { make: (ctx, o) => ctx.complaint(o, true) },
    'POST /api/v1/complaints/:code/resolve': { make: (ctx, o) => ctx.complaint(o), body: { note: '已处理' } },
    'POST /api/v1/complaints/:code/transitions': { make: (ctx, o) => ctx.complaint(o), body: { to: 'in_progress' } },
    'GET /api/v1/orders/:code': { make: (ctx, o) => makeOrder(ctx.s, o) },
    'PATCH /api/v1/orders/:code': { make: (ctx, o) => makeOrder(ctx.s, o), body: { version: 1, lines: [{ part: 'NO-SUCH-PART', qty: 1 }] } },
    'POST /api/v1/orders/:code/transition': { make: (ctx, o) => makeOrder(ctx.s, o), body: { to: 'confirmed', version: 1 } },
    'POST /api/v1/orders/:code/payment': { make: (ctx, o) => makeOrder(ctx.s, o), body: { paid: false, version: 1 } },
    'GET /api/v1/feedback/:code': { make: (ctx, o) => makeFeedback(ctx.s, o) },
    'PATCH /api/v1/feedback/:code': { make: (ctx, o) => makeFeedback(ctx.s, o), body: { version: 1, status: 'in_progress' } },
};
// Routes with a path parameter open to outlet staff whose records belong to no outlet.
const SHARED = {
    'GET /api/v1/regions/:code': 'the official region list is reference data',
    'GET /api/v1/models/:code': 'the product catalog is the same for every outlet',
    'GET /api/v1/units/:serial': "a unit is the customer's product, looked up by serial at any outlet that receives it",
    'GET /api/v1/customers/:code': 'the customer master (M1) is shared: the outlet receiving a unit finds its owner',
    'GET /api/v1/parts/:number': 'the part catalog is the same for every outlet',
    'GET /api/v1/kb/articles/:code': 'the information base is the same for every outlet',
    'DELETE /api/v1/me/sessions/:id': "only the caller's own sessions: another person's is 404 whatever the outlet",
    'DELETE /api/v1/tokens/:id': "only the caller's own tokens (an admin's: any): another person's is 404 whatever the outlet",
};
// Lists open to outlet staff: how to tell that an item belongs to another outlet.
const LISTS = {
    'GET /api/v1/outlets': (item, other) => item.code === other.outlet,
    'GET /api/v1/technicians': (item, other) => item.outlet === other.outlet,
    'GET /api/v1/appointments': (item, other) => item.outlet === other.outlet,
    'GET /api/v1/repairs': (item, other) => item.code === other.repair || item.outlet === other.outlet ||
        item.outlet?.code === other.outlet,
    'GET /api/v1/complaints': (item, other) => item.code === other.complaint || item.outlet === other.outlet,
    'GET /api/v1/orders': (item, other) => item.code === other.order || item.outlet === other.outlet,
    'GET /api/v1/feedback': (item, other) => item.code === other.feedback || item.outlet === other.outlet,
    'GET /api/v1/contacts': (item, other) => item.code === other.contact || item.repair === other.repair,
};

let s, routes, tokens = {}, ctx;

before(async () => {
    const r = await runProcess(BIN, ['routes']);
    assert.equal(r.code, 0, r.stderr);
    routes = r.stdout.trim().split('\n').map((line) => {
        const [method, pattern, roles = ''] = line.split(' ');
        return { method, pattern, key: `${method} ${pattern}`,
            public: roles === 'public', roles: new Set(roles === 'public' ? [] : roles.split(',')) };
    });
    s = await startServer();
    const admin = await s.token('admin');
    for (const [code, region] of [['OA', '310104'], ['OB', '110105']]) {
        const c = await s.api('/api/v1/outlets', { token: admin,
            body: outletBody(code, { region, covers: [region] }) });
        assert.equal(c.status, 201, c.text);
    }
    for (const role of ROLES)
        tokens[role] = await s.token(role, OUTLET_ROLES.includes(role) ? 'OA' : undefined);
    ctx = {
        s,
        slot: 0,
        async appointment(outlet) {
            const technician = await this.technician(outlet);
            const h = String(9 + (this.slot++ % 10)).padStart(2, '0');
            const a = await s.api('/api/v1/appointments', { token: admin,
                body: { technician, starts_at: `2031-01-08T${h}:00:00+08:00` } });
            assert.equal(a.status, 201, a.text);
            return a.json.code;
        },
        // a complaint about a repair of the outlet (paused when asked, for resume)
        async complaint(outlet, paused = false) {
            if (!this.customer) {
                const c = await s.api('/api/v1/customers', { token: admin, body: { name: '投诉人', phone: '13700137001' } });
                assert.equal(c.status, 201, c.text);
                this.customer = c.json.code;
            }
            const repair = await makeRepair(s, outlet);
            await sql(s, `UPDATE repairs SET customer_id = (SELECT id FROM customers WHERE code = '${this.customer}') WHERE code = '${repair}'`);
            const k = await s.api('/api/v1/complaints', { token: admin,
                body: { customer: this.customer, repair, channel: 'phone', text: '投诉' } });
            assert.equal(k.status, 201, k.text);
            if (paused) {
                const p = await s.api(`/api/v1/complaints/${k.json.code}/pause`, { token: admin, body: { reason: '等客户' } });
                assert.equal(p.status, 201, p.text);
            }
            return k.json.code;
        },
        async technician(outlet) {
            const t = await s.api('/api/v1/technicians', { token: admin, body: { outlet, name: `技师 ${outlet}` } });
            assert.equal(t.status, 201, t.text);
            return t.json.code;
        },
    };
});
after(async () => { await s?.stop(); });

const fill = (pattern, value) => pattern.replace(/:[A-Za-z_]+/g, encodeURIComponent(value));
const call = (rt, path, token, body) =>
    s.api(path, { method: rt.method, token, body: isWrite(rt.method) ? (body ?? {}) : undefined });

test('the route table is read and includes this feature', () => {
    assert.ok(routes.length >= 10);
    assert.ok(routes.some((r) => r.key === 'GET /api/v1/outlets/:code'));
    for (const r of routes)
        assert.ok(r.public || r.roles.size > 0, `${r.key} allows no role at all`);
});

test('public routes are only the ones meant to be', () => {
    for (const r of routes.filter((x) => x.public))
        assert.ok(r.pattern.startsWith('/api/v1/public/') || PUBLIC_OK.has(r.key),
            `${r.key} needs no login: move it under /api/v1/public/ or add it to PUBLIC_OK with a reason`);
});

test('every non-public route answers 401 without credentials', async () => {
    for (const r of routes.filter((x) => !x.public)) {
        const res = await call(r, fill(r.pattern, 'NOPE1'), undefined);
        assert.equal(res.status, 401, `${r.key} without login`);
        assert.equal(res.json?.error?.code, 'unauthenticated', r.key);
    }
});

test('every role gets exactly the routes it is declared for (403 otherwise)', async () => {
    for (const r of routes.filter((x) => !x.public)) {
        for (const role of ROLES) {
            const res = await call(r, fill(r.pattern, 'NOPE1'), tokens[role]);
            assert.ok(res.status < 500, `${r.key} as ${role}: ${res.status} ${res.text}`);
            if (r.roles.has(role)) {
                assert.notEqual(res.json?.error?.code, 'forbidden', `${r.key} as ${role} is declared allowed`);
                assert.notEqual(res.status, 401, `${r.key} as ${role}`);
            } else {
                assert.equal(res.status, 403, `${r.key} as ${role} is not declared: ${res.status}`);
                assert.equal(res.json?.error?.code, 'forbidden');
            }
        }
    }
});

test("outlet staff get 404 for another outlet's records, exactly as for a missing one", async () => {
    const unlisted = [];
    for (const r of routes.filter((x) => !x.public && x.pattern.includes(':'))) {
        const staff = OUTLET_ROLES.filter((role) => r.roles.has(role));
        if (!staff.length || SHARED[r.key]) continue;
        const own = OWNED[r.key];
        if (!own) {
            unlisted.push(r.key);
            continue;
        }
        for (const role of staff) {
            const theirs = await own.make(ctx, 'OB');
            const q = own.query ?? '';
            const missing = await call(r, fill(r.pattern, 'NOPE-MISSING') + q, tokens[role], own.body);
            const other = await call(r, fill(r.pattern, theirs) + q, tokens[role], own.body);
            assert.equal(missing.status, 404, `${r.key} as ${role}, missing record`);
            assert.equal(other.status, 404, `${r.key} as ${role} on outlet OB's record: ${other.status} ${other.text}`);
            assert.deepEqual(other.json, missing.json, `${r.key}: the answer must not tell "exists elsewhere" from "missing"`);
            // and the same record is there for staff who may see it
            const mine = await own.make(ctx, 'OA');
            const ok = await call(r, fill(r.pattern, mine) + q, tokens[role], own.body);
            assert.notEqual(ok.status, 404, `${r.key} as ${role} on its own outlet's record: ${ok.text}`);
            const sup = await call(r, fill(r.pattern, await own.make(ctx, 'OB')) + q, tokens.supervisor, own.body);
            if (r.roles.has('supervisor'))
                assert.notEqual(sup.status, 404, `${r.key} as supervisor sees every outlet`);
        }
    }
    assert.deepEqual(unlisted, [], 'routes open to outlet staff with a path parameter: add each to OWNED ' +
        '(how to make a record of another outlet) or SHARED (why it holds no outlet data)');
});

test('lists open to outlet staff show only their own outlet', async () => {
    const other = { outlet: 'OB', repair: await makeRepair(s, 'OB'), technician: await ctx.technician('OB'),
        appointment: await ctx.appointment('OB'), complaint: await ctx.complaint('OB'),
        order: await makeOrder(s, 'OB'), feedback: await makeFeedback(s, 'OB'), contact: await contactAt(s, 'OB') };
    await contactAt(s, 'OA');
    await makeRepair(s, 'OA');
    await makeOrder(s, 'OA');
    await makeFeedback(s, 'OA');
    await ctx.complaint('OA');
    await ctx.appointment('OA');
    for (const r of routes.filter((x) => x.method === 'GET' && !x.pattern.includes(':') && LISTS[x.key]))
        for (const role of OUTLET_ROLES.filter((x) => r.roles.has(x))) {
            const res = await call(r, `${r.pattern}?limit=500`, tokens[role]);
            assert.equal(res.status, 200, `${r.key} as ${role}: ${res.text}`);
            assert.ok(Array.isArray(res.json.items), r.key);
            assert.ok(res.json.items.length > 0, `${r.key} as ${role} lists its own outlet's records`);
            const leaks = res.json.items.filter((it) => LISTS[r.key](it, other));
            assert.deepEqual(leaks, [], `${r.key} as ${role} lists another outlet's records`);
        }
    // the same lists do show outlet OB to a supervisor
    const all = await s.api('/api/v1/technicians?limit=500', { token: tokens.supervisor });
    assert.ok(all.json.items.some((t) => t.outlet === 'OB'));
});

test('outlet staff cannot reach another outlet through filters or writes', async () => {
    let r = await s.api('/api/v1/technicians?outlet=OB', { token: tokens.outlet_manager });
    assert.deepEqual(r.json.items, []);
    r = await s.api('/api/v1/outlets?q=OB', { token: tokens.technician });
    assert.deepEqual(r.json.items, []);
    r = await s.api('/api/v1/technicians', { token: tokens.outlet_manager, body: { outlet: 'OB', name: 'x' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.fields.outlet, 'no such outlet');
    r = await s.api('/api/v1/technicians', { token: tokens.outlet_manager, body: { name: '本店技师' } });
    assert.equal(r.status, 201);
    assert.equal(r.json.outlet, 'OA', "an outlet manager adds technicians to their own outlet");
});
