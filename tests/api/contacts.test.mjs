// The contact center (issue 11, M9): the CTI webhook (Zammad's generic events,
// form-encoded and JSON) pops the right customer on the ringing agent's screen over
// server-sent events for the three number forms (+86, 0086, national, a landline with
// its area code), several matches and none; hangup logs the contact (and a call-back
// when missed or out of hours); a wrong or revoked token stores nothing; the wrap-up by
// version, letters logged by hand, the search and its downloads, the timeline, outlet
// confinement and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { outletBody, sql } from './network-helpers.mjs';

let s, admin, agentTok, desk, tech, cti, c1, c2, c3, c4, repairKA;

/** An SSE reader on a session: next(pred, ms) resolves with the first matching event. */
async function sseOpen(session) {
    const ctl = new AbortController();
    const res = await session.fetch('/api/v1/desk/events', { headers: { Accept: 'text/event-stream' }, signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const events = [];
    const waiters = [];
    (async () => {
        try {
            for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                buf += dec.decode(value, { stream: true });
                let i;
                while ((i = buf.indexOf('\n\n')) >= 0) {
                    const block = buf.slice(0, i);
                    buf = buf.slice(i + 2);
                    const ev = { event: 'message', data: '' };
                    for (const line of block.split('\n')) {
                        if (line.startsWith('event: ')) ev.event = line.slice(7);
                        else if (line.startsWith('data: ')) ev.data += line.slice(6);
                    }
                    if (!ev.data) continue;
                    ev.json = JSON.parse(ev.data);
                    events.push(ev);
                    for (const w of [...waiters]) if (w.pred(ev)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(ev); }
                }
            }
        } catch { /* aborted */ }
    })();
    return {
        events,
        next(pred, ms = 3000) {
            const hit = events.find(pred);
            if (hit) { events.splice(events.indexOf(hit), 1); return Promise.resolve(hit); }
            return new Promise((resolve, reject) => {
                const w = { pred, resolve: (ev) => { clearTimeout(t); events.splice(events.indexOf(ev), 1); resolve(ev); } };
                const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error('no such event within ' + ms + ' ms; got ' + JSON.stringify(events.map((e) => e.event + ':' + e.data).slice(-5)))); }, ms);
                waiters.push(w);
            });
        },
        close: () => ctl.abort(),
    };
}

const hook = (body, token = cti) => {
    const form = typeof body === 'string';
    return s.api(`/api/v1/cti/${token}`, { method: 'POST', body, headers: form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {} });
};
const count = async (table) => Number(await sql(s, `SELECT COUNT(*) FROM ${table}`));
const contactsOf = async (code, token = agentTok) => {
    const r = await s.api(`/api/v1/contacts?customer=${code}`, { token });
    assert.equal(r.status, 200, r.text);
    return r.json.items;
};

before(async () => {
    s = await startServer();
    admin = await s.token('admin');
    agentTok = await s.token('agent');
    for (const [code, region] of [['KA', '310104'], ['KB', '110105']]) {
        const o = await s.api('/api/v1/outlets', { token: admin, body: outletBody(code, { region, covers: [region] }) });
        assert.equal(o.status, 201, o.text);
    }
    tech = await s.token('outlet_manager', 'KA');
    const mk = async (name, phone) => {
        const r = await s.api('/api/v1/customers', { token: agentTok, body: { name, phone } });
        assert.equal(r.status, 201, r.text);
        return r.json.code;
    };
    c1 = await mk('张 三', '13800138000');
    c2 = await mk('李 四', '021-6234-5678');
    c3 = await mk('王 五', '13900139000');
    c4 = await mk('赵 六', '13700137000');
    // c4 shares c3's number: two people on one phone (the chooser)
    await sql(s, `INSERT INTO customer_phones (customer_id, phone, kind, created_at) SELECT id, '13900139000', 'mobile', 0 FROM customers WHERE code = '${c4}'`);
    const now = Math.floor(Date.now() / 1000);
    repairKA = 'RCT' + process.pid;
    await sql(s, `INSERT INTO repairs (code, customer_id, outlet_id, status, registered_at, created_at, updated_at)
        SELECT '${repairKA}', c.id, o.id, 'received', ${now}, ${now}, ${now} FROM customers c, outlets o WHERE c.code = '${c1}' AND o.code = 'KA'`);
    const closed = { zone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
    const cal = await s.api('/api/v1/calendars/closed', { method: 'PUT', token: admin, body: closed });
    assert.ok([200, 201].includes(cal.status), cal.text);
    for (const [code, number, calendar] of [['TV', '400-810-0000', 'always'], ['NIGHT', '4008200000', 'closed']]) {
        const h = await s.api(`/api/v1/hotlines/${code}`, { method: 'PUT', token: admin, body: { number, name: `热线 ${code}`, calendar } });
        assert.equal(h.status, 200, h.text);
    }
    await s.addUser('desk1', 'agent');
    desk = await s.login('desk1');
    const e = await desk.request('/api/v1/desk/extension', { method: 'PUT', body: { extension: '801' } });
    assert.equal(e.status, 200, e.text);
    const t = await s.run(['cti', 'token', 'pbx']);
    assert.equal(t.code, 0, t.stderr);
    cti = t.stdout.trim();
    assert.match(cti, /^[0-9a-f]{64}$/);
});
after(async () => { await s?.stop(); });

test('the token is stored hashed; the hotlines and the published calendar', async () => {
    assert.equal(await sql(s, `SELECT COUNT(*) FROM cti_tokens WHERE token_hash = '${cti}'`), '0');
    assert.equal(await count('cti_tokens'), 1);
    const h = await s.api('/api/v1/hotlines', { token: agentTok });
    assert.equal(h.status, 200, h.text);
    assert.deepEqual(h.json.items.map((x) => [x.code, x.number, x.open_now]), [['TV', '4008100000', true], ['NIGHT', '4008200000', false]]);
    const cal = await s.api('/api/v1/calendars/hotline', { token: agentTok });
    assert.equal(cal.status, 200, cal.text);
    assert.deepEqual(cal.json.weekly.sun, [['08:30', '20:30']]);
});

test('CTI calls in the three number forms pop the right customer and log a contact', async () => {
    const sse = await sseOpen(desk);
    await sse.next((e) => e.event === 'ready');
    const forms = [
        ['form', '+8613800138000', c1], ['json', '008613800138000', c1], ['form', '021-6234-5678', c2],
        ['json', '+86 21 6234 5678', c2], ['json', '13800138000', c1],
    ];
    let i = 0;
    for (const [kind, from, want] of forms) {
        const callId = `call-${++i}`;
        const body = kind === 'form'
            ? `event=newCall&from=${encodeURIComponent(from)}&to=4008100000&direction=in&callId=${callId}&user%5B%5D=801`
            : { event: 'newCall', from, to: '400-810-0000', direction: 'in', callId, user: ['801'] };
        const t0 = Date.now();
        const r = await hook(body);
        assert.equal(r.status, 200, r.text);
        const pop = await sse.next((e) => e.event === 'call' && e.json.call.call_id === callId);
        // not a speed test (bench/contacts.sh is): well under the 15 s keep-alive ping,
        // so a lost wake-up of the stream still fails
        assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
        assert.equal(pop.json.match, 'one', from);
        assert.equal(pop.json.customers[0].code, want, from);
        assert.equal(pop.json.call.hotline.code, 'TV');
        assert.equal(pop.json.call.out_of_hours, false);
        if (want === c1) {
            assert.equal(pop.json.customers[0].open_repairs[0].code, repairKA);
            assert.deepEqual(pop.json.customers[0].phones, [{ phone: '13800138000' }]);
        }
        assert.equal((await hook({ event: 'answer', callId, user: ['801'] })).status, 200);
        assert.equal((await hook(`event=hangup&callId=${callId}&cause=normalClearing`)).status, 200);
        const st = await sse.next((e) => e.event === 'call_state' && e.json.call_id === callId && e.json.state === 'ended');
        assert.match(st.json.contact, /^CT\d{11}$/);
    }
    const mine = await contactsOf(c1);
    assert.equal(mine.length, 3);
    assert.deepEqual(mine.map((x) => [x.channel, x.direction, x.hotline, x.handled_by, x.outcome, x.out_of_hours]),
        Array(3).fill(['phone', 'in', 'TV', 'desk1', null, false]));
    assert.equal((await contactsOf(c2)).length, 2);
    // the pop of the third call for c1 shows the earlier calls as recent contacts
    const r = await hook({ event: 'newCall', from: '13800138000', to: '4008100000', direction: 'in', callId: 'call-again', user: ['801'] });
    assert.equal(r.status, 200);
    const pop = await sse.next((e) => e.event === 'call' && e.json.call.call_id === 'call-again');
    assert.equal(pop.json.customers[0].recent_contacts.length, 3);
    sse.close();
});

test('several matches give a chooser, none a prefilled form; the unmatched contact keeps the number', async () => {
    const sse = await sseOpen(desk);
    await sse.next((e) => e.event === 'ready');
    const r2 = await hook({ event: 'newCall', from: '+86 139 0013 9000', to: '4008100000', direction: 'in', callId: 'two', user: ['801'] });
    assert.equal(r2.status, 200, r2.text);
    const two = await sse.next((e) => e.event === 'call' && e.json.call.call_id === 'two');
    assert.equal(two.json.match, 'several');
    assert.deepEqual(two.json.customers.map((x) => x.code).sort(), [c3, c4].sort());
    await hook({ event: 'newCall', from: '13512345678', to: '4008100000', direction: 'in', callId: 'nobody', user: ['801'] });
    const none = await sse.next((e) => e.event === 'call' && e.json.call.call_id === 'nobody');
    assert.equal(none.json.match, 'none');
    assert.deepEqual(none.json.customers, []);
    assert.equal(none.json.prefill.phone, '13512345678');
    await hook({ event: 'answer', callId: 'nobody', user: ['801'] });
    await hook({ event: 'hangup', callId: 'nobody', cause: 'normalClearing' });
    const st = await sse.next((e) => e.event === 'call_state' && e.json.call_id === 'nobody' && e.json.state === 'ended');
    const g = await s.api(`/api/v1/contacts/${st.json.contact}`, { token: agentTok });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.customer, null);
    assert.equal(g.json.address, '13512345678');
    // a stranger's missed call is called back too, by number
    await hook({ event: 'newCall', from: '0755-8888 6666', to: '4008100000', direction: 'in', callId: 'stranger', user: ['801'] });
    assert.equal((await hook({ event: 'hangup', callId: 'stranger', cause: 'noAnswer' })).status, 200);
    const cbs = (await s.api('/api/v1/callbacks', { token: agentTok })).json.items.filter((x) => x.number === '0755-8888 6666');
    assert.deepEqual(cbs.map((x) => [x.cause, x.customer]), [['missed', null]]);
    sse.close();
});

test('a missed call and an out-of-hours call go to the call-back list; agents work through it', async () => {
    await hook({ event: 'newCall', from: '13700137000', to: '4008100000', direction: 'in', callId: 'miss', user: ['801'] });
    await hook({ event: 'hangup', callId: 'miss', cause: 'cancel' });
    await hook({ event: 'newCall', from: '13700137000', to: '4008200000', direction: 'in', callId: 'night', user: ['801'] });
    await hook({ event: 'answer', callId: 'night', user: ['801'] });
    await hook({ event: 'hangup', callId: 'night', cause: 'normalClearing' });
    const list = await s.api('/api/v1/callbacks', { token: agentTok });
    assert.equal(list.status, 200, list.text);
    const ours = list.json.items.filter((x) => x.number === '13700137000');
    assert.deepEqual(ours.map((x) => x.cause), ['missed', 'out_of_hours']);
    const miss = ours[0];
    const ct = await s.api(`/api/v1/contacts/${miss.contact}`, { token: agentTok });
    assert.equal(ct.json.outcome, 'missed');
    const night = await s.api(`/api/v1/contacts/${ours[1].contact}`, { token: agentTok });
    assert.equal(night.json.out_of_hours, true);
    assert.equal(night.json.hotline, 'NIGHT');
    const a1 = await desk.request(`/api/v1/callbacks/${miss.code}/attempts`, { body: { version: miss.version, outcome: 'no_answer' } });
    assert.equal(a1.status, 200, a1.text);
    assert.deepEqual([a1.json.attempts, a1.json.status, a1.json.last_outcome], [1, 'open', 'no_answer']);
    const stale = await desk.request(`/api/v1/callbacks/${miss.code}/attempts`, { body: { version: miss.version, outcome: 'reached' } });
    assert.equal(stale.status, 409);
    const a2 = await desk.request(`/api/v1/callbacks/${miss.code}/attempts`, { body: { version: a1.json.version, outcome: 'reached', note: '已回电' } });
    assert.equal(a2.status, 200, a2.text);
    assert.equal(a2.json.status, 'done');
    const open = await s.api('/api/v1/callbacks?status=open', { token: agentTok });
    assert.ok(!open.json.items.some((x) => x.code === miss.code));
    const bad = await desk.request(`/api/v1/callbacks/${ours[1].code}/attempts`, { body: { version: 1, outcome: 'maybe' } });
    assert.equal(bad.status, 422);
    assert.ok(bad.json.error.fields.outcome);
    assert.equal(await sql(s, `SELECT COUNT(*) FROM callback_attempts`), '2');
});

test('a wrong or revoked CTI token stores nothing', async () => {
    const before = [await count('cti_calls'), await count('contacts'), await count('callbacks')];
    const wrong = await hook({ event: 'newCall', from: '13800138000', to: '4008100000', direction: 'in', callId: 'x1', user: ['801'] }, 'f'.repeat(64));
    assert.equal(wrong.status, 404);
    const t = await s.run(['cti', 'token', 'old']);
    const old = t.stdout.trim();
    const id = await sql(s, `SELECT id FROM cti_tokens WHERE name = 'old'`);
    assert.equal((await s.run(['cti', 'revoke', id])).code, 0);
    const revoked = await hook({ event: 'newCall', from: '13800138000', to: '4008100000', direction: 'in', callId: 'x2', user: ['801'] }, old);
    assert.equal(revoked.status, 403);
    assert.deepEqual([await count('cti_calls'), await count('contacts'), await count('callbacks')], before);
    // the secret in the path never reaches the logs (they show the route's pattern)
    const logs = s.logs();
    assert.match(logs.stdout + logs.stderr, /POST \/api\/v1\/cti\/:token/);
    assert.ok(!(logs.stdout + logs.stderr).includes(cti) && !(logs.stdout + logs.stderr).includes(old), 'a CTI token was logged');
});

test('bad CTI events are refused and change nothing', async () => {
    const before = await count('cti_calls');
    for (const body of [{ event: 'ring', callId: 'b1' }, { event: 'newCall', callId: 'b2', from: '1', to: '2', direction: 'sideways' },
        { event: 'newCall', from: '13800138000', to: '4008100000', direction: 'in' }, '[1,2]']) {
        const r = typeof body === 'string'
            ? await s.api(`/api/v1/cti/${cti}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
            : await hook(body);
        assert.ok([400, 422].includes(r.status), r.text);
    }
    const unknown = await hook({ event: 'hangup', callId: 'never-rang' });
    assert.equal(unknown.status, 404);
    assert.equal(await count('cti_calls'), before);
});

test('the wrap-up form updates the contact by version; a letter is logged by hand; the timeline shows both', async () => {
    const [last] = await contactsOf(c2);
    const w = await desk.request(`/api/v1/contacts/${last.code}`, { method: 'PATCH',
        body: { version: last.version, reason: 'status_query', outcome: 'resolved', repair: repairKA, body: '询问维修进度' } });
    assert.equal(w.status, 200, w.text);
    assert.deepEqual([w.json.reason, w.json.outcome, w.json.repair, w.json.version], ['status_query', 'resolved', repairKA, last.version + 1]);
    const stale = await desk.request(`/api/v1/contacts/${last.code}`, { method: 'PATCH', body: { version: last.version, outcome: 'follow_up' } });
    assert.equal(stale.status, 409);
    const badReason = await desk.request(`/api/v1/contacts/${last.code}`, { method: 'PATCH', body: { version: w.json.version, reason: 'gossip' } });
    assert.equal(badReason.status, 422);
    const letter = await desk.request('/api/v1/contacts', { body: { channel: 'letter', customer: c3, reason: 'complaint', subject: '来信：维修太慢', started_at: '2026-11-20T02:00:00Z' } });
    assert.equal(letter.status, 201, letter.text);
    assert.deepEqual([letter.json.channel, letter.json.handled_by, letter.json.customer.code, letter.json.started_at], ['letter', 'desk1', c3, '2026-11-20T02:00:00Z']);
    const fax = await desk.request('/api/v1/contacts', { body: { channel: 'fax', address: '010-8888-9999', reason: 'purchase' } });
    assert.equal(fax.status, 201, fax.text);
    // a wrap-up of "call back" puts the number on the call-back list, once
    for (const version of [fax.json.version, fax.json.version + 1]) {
        const cb = await desk.request(`/api/v1/contacts/${fax.json.code}`, { method: 'PATCH', body: { version, outcome: 'call_back' } });
        assert.equal(cb.status, 200, cb.text);
    }
    const req = (await s.api('/api/v1/callbacks', { token: agentTok })).json.items.filter((x) => x.contact === fax.json.code);
    assert.deepEqual(req.map((x) => [x.cause, x.number]), [['requested', '010-8888-9999']]);
    for (const body of [{ channel: 'pigeon', customer: c3 }, { channel: 'letter' }, { channel: 'letter', customer: 'C99999999' },
        { channel: 'letter', customer: c3, extra: 1 }, { channel: 'letter', customer: c3, duration_s: -1 }]) {
        const r = await desk.request('/api/v1/contacts', { body });
        assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    }
    const h = await s.api(`/api/v1/customers/${c3}/history`, { token: agentTok });
    assert.equal(h.status, 200, h.text);
    const items = h.json.items ?? h.json.events ?? h.json;
    assert.ok(JSON.stringify(items).includes(letter.json.code), h.text);
});

test('the search filters and downloads; bad filters are refused', async () => {
    const letters = await s.api('/api/v1/contacts?channel=letter', { token: agentTok });
    assert.deepEqual(letters.json.items.map((x) => x.customer.code), [c3]);
    const day = await s.api('/api/v1/contacts?from=2026-11-20&to=2026-11-20', { token: agentTok });
    assert.deepEqual(day.json.items.map((x) => x.channel), ['letter']);
    const byAgent = await s.api('/api/v1/contacts?agent=desk1&reason=status_query', { token: agentTok });
    assert.equal(byAgent.json.items.length, 1);
    const byRepair = await s.api(`/api/v1/contacts?repair=${repairKA}`, { token: agentTok });
    assert.equal(byRepair.json.items.length, 1);
    const page = await s.api('/api/v1/contacts?limit=2', { token: agentTok });
    assert.equal(page.json.items.length, 2);
    const page2 = await s.api(`/api/v1/contacts?limit=2&cursor=${page.json.next_cursor}`, { token: agentTok });
    assert.notEqual(page2.json.items[0].code, page.json.items[1].code);
    const csv = await s.api('/api/v1/contacts?format=csv&channel=phone', { token: agentTok });
    assert.equal(csv.status, 200);
    const lines = csv.text.trim().split(/\r\n/);
    assert.match(lines[0], /^code,started_at,channel,direction,hotline,reason,outcome,handled_by/);
    assert.equal(lines.length - 1, (await s.api('/api/v1/contacts?channel=phone&limit=500', { token: agentTok })).json.items.length);
    const xlsx = await s.api('/api/v1/contacts?format=xlsx', { token: agentTok });
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
    for (const q of ['channel=pigeon', 'customer=C99999999', 'from=yesterday', 'agent=nobody', 'reason=x']) {
        const r = await s.api(`/api/v1/contacts?${q}`, { token: agentTok });
        assert.equal(r.status, 422, q + r.text);
    }
    const cb = await s.api('/api/v1/callbacks?format=csv&status=done', { token: agentTok });
    assert.match(cb.text, /^code,created_at,number,cause/);
});

test('outlet staff see only the contacts of their outlet repairs', async () => {
    const mine = await s.api('/api/v1/contacts', { token: tech });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.items.map((x) => x.repair), [repairKA]);
    const other = (await contactsOf(c1))[0];
    const hidden = await s.api(`/api/v1/contacts/${other.code}`, { token: tech });
    assert.equal(hidden.status, 404);
    const missing = await s.api('/api/v1/contacts/CT000000000', { token: tech });
    assert.equal(hidden.text, missing.text.replace('CT000000000', other.code) === hidden.text ? hidden.text : missing.text);
    const kb = await s.token('outlet_manager', 'KB');
    assert.deepEqual((await s.api('/api/v1/contacts', { token: kb })).json.items, []);
    for (const [m, p] of [['PATCH', '/api/v1/contacts/' + other.code], ['GET', '/api/v1/callbacks'], ['GET', '/api/v1/desk/events'], ['PUT', '/api/v1/hotlines/X']]) {
        const r = await s.api(p, { method: m, token: tech, body: m === 'GET' ? undefined : {} });
        assert.equal(r.status, 403, m + p);
    }
});

test('outlet staff log a walk-in at their counter and see it; another outlet gets 404 and cannot link our repair', async () => {
    const kb = await s.token('outlet_manager', 'KB');
    const techKA = await s.token('technician', 'KA');
    let r = await s.api('/api/v1/contacts', { token: tech, body: { channel: 'walk_in', customer: c2, reason: 'consultation', outcome: 'resolved', subject: '柜台咨询' } });
    assert.equal(r.status, 201, r.text);
    const walkIn = r.json.code;
    assert.equal(r.json.channel, 'walk_in');
    r = await s.api('/api/v1/contacts', { token: tech, body: { channel: 'walk_in', customer: c1, repair: repairKA, reason: 'status_query' } });
    assert.equal(r.status, 201, r.text);
    const aboutRepair = r.json.code;
    // the same outlet's other staff see both; their list holds them
    for (const token of [tech, techKA]) {
        assert.equal((await s.api(`/api/v1/contacts/${walkIn}`, { token })).status, 200);
        const codes = (await s.api('/api/v1/contacts?limit=500', { token })).json.items.map((x) => x.code);
        assert.ok(codes.includes(walkIn) && codes.includes(aboutRepair), codes.join());
    }
    // another outlet: 404 exactly as a missing one, nothing listed, our repair is "no such record"
    const hidden = await s.api(`/api/v1/contacts/${walkIn}`, { token: kb });
    const missing = await s.api('/api/v1/contacts/CT000000000', { token: kb });
    assert.equal(hidden.status, 404);
    assert.deepEqual(hidden.json, missing.json);
    assert.deepEqual((await s.api('/api/v1/contacts?limit=500', { token: kb })).json.items, []);
    const before = await sql(s, 'SELECT COUNT(*) FROM contacts');
    r = await s.api('/api/v1/contacts', { token: kb, body: { channel: 'walk_in', customer: c1, repair: repairKA } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.fields.repair, 'no such record');
    r = await s.api('/api/v1/contacts', { token: kb, body: { channel: 'walk_in' } });
    assert.equal(r.status, 422);
    assert.equal(await sql(s, 'SELECT COUNT(*) FROM contacts'), before, 'nothing stored');
    // the desk sees them all; the customer card's timeline too
    assert.equal((await s.api(`/api/v1/contacts/${walkIn}`, { token: agentTok })).status, 200);
    const h = await s.api(`/api/v1/customers/${c2}/history`, { token: agentTok });
    assert.ok(JSON.stringify(h.json).includes(walkIn));
});

test('merging customers moves their contacts and call-backs; erasure clears what they said', async () => {
    const sup = await s.token('supervisor');
    const mk = async (phone) => (await s.api('/api/v1/customers', { token: agentTok, body: { name: '合并 客户', phone } })).json.code;
    const [a, b] = [await mk('13600136001'), await mk('13600136002')];
    await hook({ event: 'newCall', from: '13600136002', to: '4008100000', direction: 'in', callId: 'merge-1', user: ['801'] });
    await hook({ event: 'hangup', callId: 'merge-1', cause: 'cancel' });
    const letter = await desk.request('/api/v1/contacts', { body: { channel: 'letter', customer: b, subject: '私人信息', body: '地址：某路 1 号' } });
    assert.equal(letter.status, 201, letter.text);
    assert.equal((await contactsOf(b)).length, 2);
    const m = await s.api(`/api/v1/customers/${a}/merge`, { token: sup, body: { duplicate: b, version: 1 } });
    assert.equal(m.status, 200, m.text);
    const moved = await contactsOf(a);
    assert.equal(moved.length, 2);
    assert.ok(moved.every((x) => x.customer.code === a));
    const cb = (await s.api('/api/v1/callbacks', { token: agentTok })).json.items.find((x) => x.number === '13600136002');
    assert.equal(cb.customer.code, a);
    const e = await s.api(`/api/v1/customers/${a}/erase`, { token: sup, body: { reason: 'customer asked by letter' } });
    assert.equal(e.status, 200, e.text);
    const after = await s.api(`/api/v1/contacts/${letter.json.code}`, { token: agentTok });
    assert.equal(after.status, 200, after.text);
    assert.deepEqual([after.json.subject, after.json.body, after.json.address], [null, null, null]);
    assert.equal(await sql(s, `SELECT COUNT(*) FROM callbacks WHERE number = '13600136002'`), '0');
    assert.equal(await sql(s, `SELECT COUNT(*) FROM cti_calls WHERE from_number = '13600136002'`), '0');
});
