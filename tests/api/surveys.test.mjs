// Satisfaction surveys (issue 13, M11): a delivered repair produces exactly one
// invitation; a signed link answers once, then 410, and a tampered one 404; a low
// score opens a follow-up; call-back attempts and outcomes; the once-per-N-days limit;
// consent per channel; dispatch_satisfaction (and per outlet and product line) against
// a count made here; the outlet ranking and its weights; bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { sql } from './network-helpers.mjs';

let s, admin, agent, supervisor, tech;
let n = 0;
const now = () => Math.floor(Date.now() / 1000);
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);

before(async () => {
    s = await startServer({ args: ['--public-rate', '100000'] });
    [admin, agent, supervisor] = [await s.token('admin'), await s.token('agent'), await s.token('supervisor')];
    const t = now();
    await sql(s, `INSERT INTO outlets (code, name, region, created_at, updated_at) VALUES ('SVA', 'Outlet A', '440106', ${t}, ${t}), ('SVB', 'Outlet B', '310104', ${t}, ${t})`);
    await sql(s, `INSERT INTO product_lines (code, name, created_at) VALUES ('SVTV', 'TV', ${t}), ('SVAU', 'Audio', ${t})`);
    await sql(s, `INSERT INTO technicians (code, outlet_id, name, created_at, updated_at) SELECT 'TSV' || code, id, 'tech', ${t}, ${t} FROM outlets WHERE code IN ('SVA', 'SVB')`);
    tech = await s.token('technician', 'SVA');
});
after(async () => { await s?.stop(); });

/** A customer with a phone (always), an email when asked and consents {channel: 0|1}. */
async function customer({ email = false, consents = {} } = {}) {
    n++;
    const body = { name: `回访 客户${n}`, phone: `1390${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(4, '0')}` };
    if (email) body.email = `sv${process.pid}-${n}@example.com`;
    const r = await s.api('/api/v1/customers', { token: agent, body });
    assert.equal(r.status, 201, r.text);
    for (const [ch, g] of Object.entries(consents))
        await sql(s, `INSERT INTO customer_consents (customer_id, channel, granted, updated_at, updated_by) SELECT id, '${ch}', ${g}, 0, 'test' FROM customers WHERE code = '${r.json.code}'`);
    return r.json.code;
}

/** A repair at `outlet` of `line`, repaired, made in the database; returns its code. */
async function repaired(cust, outlet = 'SVA', line = 'SVTV') {
    n++;
    const code = `RSV${process.pid}x${n}`, t = now();
    await sql(s, `INSERT INTO repairs (code, customer_id, outlet_id, product_line_id, status, fault, registered_at, received_at, repaired_at, created_at, updated_at)
        SELECT '${code}', c.id, o.id, p.id, 'repaired', 'no sound', ${t}, ${t}, ${t}, ${t}, ${t} FROM customers c, outlets o, product_lines p
        WHERE c.code = '${cust}' AND o.code = '${outlet}' AND p.code = '${line}'`);
    return code;
}
const deliver = async (code) => {
    const r = await s.api(`/api/v1/repairs/${code}/transitions`, { token: admin, body: { to: 'delivered' } });
    assert.equal(r.status, 200, r.text);
};
/** An on-site visit for a repair (appointment made in the database); returns its code. */
async function visit(repair, outlet = 'SVA') {
    n++;
    const code = `ASV${process.pid}x${n}`, t = now();
    await sql(s, `INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at, repair_code, created_at)
        SELECT '${code}', t.id, o.id, ${t - 7200}, ${t - 3600}, '${repair}', ${t} FROM technicians t JOIN outlets o ON o.id = t.outlet_id WHERE o.code = '${outlet}'`);
    return code;
}
const complete = (code, token = admin) => s.api(`/api/v1/appointments/${code}/complete`, { token, body: {} });
const surveysOf = (cust) => sql(s, `SELECT COUNT(*) FROM surveys v JOIN customers c ON c.id = v.customer_id WHERE c.code = '${cust}'`);
const tokenOf = async (cust) => {
    const p = await sql(s, `SELECT o.payload FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE c.code = '${cust}' AND o.template = 'survey_invitation' ORDER BY o.id DESC LIMIT 1`);
    return JSON.parse(p).link.split('#')[1];
};
const good = { first_impression: 5, repair_time: 4, attitude: 5, overall: 5, nps: 9, comment: '很好' };
const pub = (token, body) => s.api(`/api/v1/public/surveys/${encodeURIComponent(token)}`, body ? { body } : {});

test('a delivered repair produces exactly one invitation, by email when email consent is granted', async () => {
    const c = await customer({ email: true, consents: { email: 1 } });
    const code = await repaired(c);
    await deliver(code);
    assert.equal(await surveysOf(c), '1');
    const out = await sql(s, `SELECT o.channel || ' ' || o.recipient FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE c.code = '${c}' AND o.template = 'survey_invitation'`);
    assert.equal(out, `email sv${process.pid}-${n - 1}@example.com`);
    // a second step of the same repair (none after delivered) or a retry makes no second one
    const again = await s.api(`/api/v1/repairs/${code}/transitions`, { token: admin, body: { to: 'delivered' } });
    assert.equal(again.status, 409);
    assert.equal(await surveysOf(c), '1');
    // the survey is on the customer's timeline (SPEC M1)
    const h = await s.api(`/api/v1/customers/${c}/history`, { token: agent });
    assert.equal(h.status, 200, h.text);
    const ev = (h.json.items || h.json.events || h.json).filter((e) => e.kind === 'survey');
    assert.equal(ev.length, 1, h.text);
    assert.match(JSON.stringify(ev[0]), /repair · email · open/);
});

test('a survey link answers once, then 410; a tampered link 404; bad answers change nothing', async () => {
    const c = await customer({ email: true, consents: { email: 1 } });
    await deliver(await repaired(c));
    const tok = await tokenOf(c);
    const g = await pub(tok);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.template.texts.overall.en, 'Overall, how satisfied are you with this service?');
    assert.match(g.json.template.texts.overall.zh, /满意/);
    // tampered: one hex digit of the signature, the code, the expiry
    const last = tok.slice(-1) === '0' ? '1' : '0';
    assert.equal((await pub(tok.slice(0, -1) + last)).status, 404);
    const [code, exp, mac] = tok.split('.');
    assert.equal((await pub(`${code}.${Number(exp) + 86400}.${mac}`)).status, 404);
    assert.equal((await pub(`S99999999.${exp}.${mac}`)).status, 404);
    assert.equal((await pub('garbage')).status, 404);
    const bad = await pub(tok, { ...good, overall: 6 });
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.json.error.fields?.overall || bad.json.fields?.overall || /overall/.test(bad.text));
    assert.equal(await sql(s, `SELECT status FROM surveys WHERE code = '${code}'`), 'open');
    const a = await pub(tok, good);
    assert.equal(a.status, 200, a.text);
    assert.equal(await sql(s, `SELECT CAST(q_first AS TEXT) || CAST(q_time AS TEXT) || CAST(q_attitude AS TEXT) || CAST(q_overall AS TEXT) || ' ' || CAST(nps AS TEXT) || ' ' || answered_via FROM surveys WHERE code = '${code}'`), '5455 9 link');
    assert.equal((await pub(tok, good)).status, 410);
    assert.equal((await pub(tok)).status, 410);
    // an expired link answers 410: the survey's expiry moved into the past and a link
    // signed for it with the server key (HMAC-SHA256 of "<code>.<expires>")
    const c2 = await customer({ email: true, consents: { email: 1 } });
    await deliver(await repaired(c2));
    const code2 = (await tokenOf(c2)).split('.')[0];
    const past = now() - 10;
    await sql(s, `UPDATE surveys SET expires_at = ${past} WHERE code = '${code2}'`);
    const key = Buffer.from(await sql(s, 'SELECT key_hex FROM survey_settings'), 'hex');
    const sig = createHmac('sha256', key).update(`${code2}.${past}`).digest('hex');
    assert.equal((await pub(`${code2}.${past}.${sig}`)).status, 410);
    assert.equal((await pub(`${code2}.${past}.${sig}`, good)).status, 410);
    assert.equal(await sql(s, `SELECT status FROM surveys WHERE code = '${code2}'`), 'open');
});

test('a score of 2 or below opens one follow-up for a supervisor, who closes it', async () => {
    const c = await customer({ email: true, consents: { email: 1 } });
    await deliver(await repaired(c, 'SVB'));
    const tok = await tokenOf(c);
    const code = tok.split('.')[0];
    assert.equal((await pub(tok, { first_impression: 4, repair_time: 2, attitude: 1, overall: 3 })).status, 200);
    const l = await s.api('/api/v1/survey-followups?status=open', { token: supervisor });
    assert.equal(l.status, 200, l.text);
    const f = l.json.items.filter((x) => x.survey === code);
    assert.equal(f.length, 1);
    assert.equal(f[0].reason, 'repair_time 2; attitude 1');
    assert.equal(f[0].outlet, 'SVB');
    assert.equal((await s.api('/api/v1/survey-followups', { token: agent })).status, 403);
    assert.equal((await s.api(`/api/v1/survey-followups/${code}/close`, { token: supervisor, body: {} })).status, 422);
    const cl = await s.api(`/api/v1/survey-followups/${code}/close`, { token: supervisor, body: { note: '已回电致歉' } });
    assert.equal(cl.status, 200, cl.text);
    assert.equal((await s.api(`/api/v1/survey-followups/${code}/close`, { token: supervisor, body: { note: 'x' } })).status, 404);
    const csv = await s.api('/api/v1/survey-followups?format=csv', { token: supervisor });
    assert.equal(csv.status, 200);
    assert.match(csv.text.split('\r\n')[0], /^survey,customer,customer_name,phone,outlet,reason,status/);
    // a good answer opens none
    const c2 = await customer({ email: true, consents: { email: 1 } });
    await deliver(await repaired(c2));
    await pub(await tokenOf(c2), good);
    assert.equal(await sql(s, `SELECT COUNT(*) FROM survey_followups f JOIN surveys v ON v.id = f.survey_id JOIN customers c ON c.id = v.customer_id WHERE c.code = '${c2}'`), '0');
});

test('consent per channel: no email without email consent (call-back instead), none when calls are refused', async () => {
    const noEmail = await customer({ email: true, consents: { email: 0 } });
    await deliver(await repaired(noEmail));
    assert.equal(await sql(s, `SELECT v.channel FROM surveys v JOIN customers c ON c.id = v.customer_id WHERE c.code = '${noEmail}'`), 'callback');
    assert.equal(await sql(s, `SELECT COUNT(*) FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE c.code = '${noEmail}' AND o.template = 'survey_invitation'`), '0');
    const sms = await customer({ consents: { sms: 1 } });
    await deliver(await repaired(sms));
    assert.equal(await sql(s, `SELECT o.channel FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE c.code = '${sms}' AND o.template = 'survey_invitation'`), 'sms');
    const never = await customer({ email: true, consents: { email: 0, sms: 0, phone: 0 } });
    await deliver(await repaired(never));
    assert.equal(await surveysOf(never), '0');
});

test('a customer is surveyed at most once in interval_days (admin setting)', async () => {
    const bad = await s.api('/api/v1/survey-settings', { method: 'PUT', token: admin, body: { interval_days: -1, link_days: 14, max_attempts: 3 } });
    assert.equal(bad.status, 422);
    assert.equal((await s.api('/api/v1/survey-settings', { method: 'PUT', token: agent, body: { interval_days: 30, link_days: 14, max_attempts: 3 } })).status, 403);
    const c = await customer();
    await deliver(await repaired(c));
    await deliver(await repaired(c));
    assert.equal(await surveysOf(c), '1');
    // the earlier survey 31 days ago: the next delivery invites again
    await sql(s, `UPDATE surveys SET created_at = created_at - 31 * 86400 WHERE customer_id = (SELECT id FROM customers WHERE code = '${c}')`);
    let r = await s.api('/api/v1/survey-settings', { method: 'PUT', token: admin, body: { interval_days: 30, link_days: 14, max_attempts: 3 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.interval_days, 30);
    await deliver(await repaired(c));
    assert.equal(await surveysOf(c), '2');
    await deliver(await repaired(c));
    assert.equal(await surveysOf(c), '2');
    r = await s.api('/api/v1/survey-settings', { method: 'PUT', token: admin, body: { interval_days: 0, link_days: 14, max_attempts: 3 } });
    assert.equal(r.status, 200);
    await deliver(await repaired(c));
    assert.equal(await surveysOf(c), '3');
    await s.api('/api/v1/survey-settings', { method: 'PUT', token: admin, body: { interval_days: 90, link_days: 14, max_attempts: 3 } });
});

test('call-back tasks: attempts with outcome codes, answered by the agent; closed after max attempts', async () => {
    const c = await customer();
    await deliver(await repaired(c));
    const l = await s.api('/api/v1/surveys?channel=callback&status=open', { token: agent });
    assert.equal(l.status, 200, l.text);
    const task = l.json.items.find((x) => x.customer === c);
    assert.ok(task, 'the call-back task is listed');
    const one = await s.api(`/api/v1/surveys/${task.code}`, { token: agent });
    assert.equal(one.status, 200);
    assert.match(one.json.template.script.zh, /售后服务中心/);
    const at = (body) => s.api(`/api/v1/surveys/${task.code}/attempts`, { token: agent, body });
    assert.equal((await at({ outcome: 'maybe' })).status, 422);
    assert.equal((await at({ outcome: 'call_back_later' })).status, 422);
    let r = await at({ outcome: 'no_answer' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.attempts, 1);
    assert.equal((await at({ outcome: 'answered', answers: { overall: 5 } })).status, 422);
    r = await at({ outcome: 'answered', note: '客户很满意', answers: { first_impression: 5, repair_time: 5, attitude: 5, overall: 4 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'answered');
    assert.equal(r.json.overall, 4);
    assert.equal(r.json.answered_via, 'callback');
    assert.deepEqual(r.json.history.map((h) => h.outcome), ['no_answer', 'answered']);
    assert.equal((await at({ outcome: 'busy' })).status, 409);
    const c2 = await customer();
    await deliver(await repaired(c2));
    const code2 = await sql(s, `SELECT v.code FROM surveys v JOIN customers c ON c.id = v.customer_id WHERE c.code = '${c2}'`);
    for (const o of ['no_answer', 'busy', 'no_answer'])
        assert.equal((await s.api(`/api/v1/surveys/${code2}/attempts`, { token: agent, body: { outcome: o } })).status, 200);
    assert.equal(await sql(s, `SELECT status || ' ' || CAST(attempts AS TEXT) FROM surveys WHERE code = '${code2}'`), 'closed 3');
    const x = await s.api('/api/v1/surveys?format=xlsx', { token: agent });
    assert.equal(x.status, 200);
});

test('a completed visit is surveyed; dispatch_satisfaction equals a count made here, per outlet and product line', async () => {
    // visits: [outlet, line, overall or null (not answered)]
    const plan = [['SVA', 'SVTV', 5], ['SVA', 'SVTV', 4], ['SVA', 'SVAU', 3], ['SVB', 'SVTV', 5], ['SVB', 'SVAU', null], ['SVB', 'SVAU', 1]];
    for (const [o, l, overall] of plan) {
        const c = await customer({ email: true, consents: { email: 1 } });
        const rep = await repaired(c, o, l);
        const a = await visit(rep, o);
        const r = await complete(a, o === 'SVA' ? tech : admin);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.completed, true);
        assert.equal((await complete(a)).status, 409);
        const tok = await tokenOf(c);
        if (overall !== null)
            assert.equal((await pub(tok, { first_impression: 4, repair_time: 4, attitude: 4, overall })).status, 200);
    }
    // the technician of SVA cannot complete SVB's visit
    const other = await visit(await repaired(await customer(), 'SVB'), 'SVB');
    assert.equal((await complete(other, tech)).status, 404);
    const want = (rows) => {
        const ans = rows.filter((p) => p[2] !== null);
        return { surveys: rows.length, answers: ans.length, sat: ans.filter((p) => p[2] >= 4).length };
    };
    const r = await s.api(`/api/v1/kpi/turnaround?from=${today()}&to=${tomorrow()}`, { token: admin });
    assert.equal(r.status, 200, r.text);
    const w = want(plan);
    assert.equal(r.json.total.dispatch_surveys, w.surveys);
    assert.equal(r.json.total.dispatch_answers, w.answers);
    assert.equal(r.json.total.dispatch_satisfaction, w.sat / w.answers);
    assert.equal(r.json.total.dispatch_response_rate, w.answers / w.surveys);
    assert.equal(r.json.targets.dispatch_satisfaction, 0.99);
    const province = { SVA: '440000', SVB: '310000' };
    for (const [by, keyOf] of [['outlet', (p) => p[0]], ['product_line', (p) => p[1]],
        ['region', (p) => province[p[0]]], ['month', () => today().slice(0, 7)]]) {
        const g = await s.api(`/api/v1/kpi/turnaround?from=${today()}&to=${tomorrow()}&group_by=${by}`, { token: admin });
        assert.equal(g.status, 200, g.text);
        for (const key of new Set(plan.map(keyOf))) {
            const e = g.json.groups.find((x) => x.key === key);
            assert.ok(e, `group ${by} ${key}`);
            const wg = want(plan.filter((p) => keyOf(p) === key));
            assert.equal(e.dispatch_satisfaction, wg.answers ? wg.sat / wg.answers : null, `${by} ${key}`);
            assert.equal(e.dispatch_response_rate, wg.answers / wg.surveys, `${by} ${key}`);
        }
    }
    const cli = await s.run(['kpi', '--from', today(), '--to', tomorrow(), '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).dispatch_satisfaction, w.sat / w.answers);
});

test('the outlet ranking: each axis and the total by the stated weights; admins edit the weights', async () => {
    let r = await s.api(`/api/v1/kpi/ranking?from=${today()}&to=${tomorrow()}`, { token: supervisor });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.weights, { quality: 40, parts: 20, contact: 25, cost: 15 });
    const a = r.json.items.find((x) => x.outlet === 'SVA');
    assert.ok(a && a.rank >= 1);
    // contact = mean of satisfaction (all surveys answered) and complaint response (none here)
    assert.equal(a.contact, Math.round(a.satisfaction * 1000) / 10);
    assert.equal(a.parts, null);
    assert.equal(a.cost, null);
    // no repairs completed in the period at these outlets through the KPI facts? quality from rate_4d / rr90
    const axes = [['quality', 40], ['contact', 25]].filter(([k]) => a[k] !== null);
    const tot = axes.reduce((t, [k, wt]) => t + a[k] * wt, 0) / axes.reduce((t, [, wt]) => t + wt, 0);
    assert.ok(Math.abs(a.total - tot) < 0.11, `${a.total} vs ${tot}`);
    const sorted = [...r.json.items].filter((x) => x.total !== null).sort((x, y) => y.total - x.total);
    assert.deepEqual(sorted.map((x) => x.outlet), r.json.items.filter((x) => x.total !== null).map((x) => x.outlet));
    assert.equal((await s.api('/api/v1/kpi/ranking/weights', { method: 'PUT', token: supervisor, body: { quality: 1, parts: 1, contact: 1, cost: 1 } })).status, 403);
    assert.equal((await s.api('/api/v1/kpi/ranking/weights', { method: 'PUT', token: admin, body: { quality: 0, parts: 0, contact: 0, cost: 0 } })).status, 422);
    assert.equal((await s.api('/api/v1/kpi/ranking/weights', { method: 'PUT', token: admin, body: { quality: 101, parts: 0, contact: 0, cost: 0 } })).status, 422);
    r = await s.api('/api/v1/kpi/ranking/weights', { method: 'PUT', token: admin, body: { quality: 0, parts: 0, contact: 100, cost: 0 } });
    assert.equal(r.status, 200, r.text);
    r = await s.api(`/api/v1/kpi/ranking?from=${today()}&to=${tomorrow()}`, { token: admin });
    const a2 = r.json.items.find((x) => x.outlet === 'SVA');
    assert.equal(a2.total, a2.contact);
    const csv = await s.api(`/api/v1/kpi/ranking?from=${today()}&to=${tomorrow()}&format=csv`, { token: admin });
    assert.equal(csv.status, 200);
    assert.match(csv.text.split('\r\n')[0], /^rank,outlet,name,quality,parts,contact,cost,total/);
    const t = await s.api('/api/v1/kpi/ranking/trend?outlet=SVA&months=3', { token: admin });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.items.length, 3);
    assert.equal(t.json.items[2].month, today().slice(0, 7));
    assert.equal(t.json.items[2].total, a2.total);
    assert.equal((await s.api('/api/v1/kpi/ranking/trend?outlet=NOPE', { token: admin })).status, 404);
    assert.equal((await s.api('/api/v1/kpi/ranking', { token: tech })).status, 403);
    await s.api('/api/v1/kpi/ranking/weights', { method: 'PUT', token: admin, body: { quality: 40, parts: 20, contact: 25, cost: 15 } });
});

test('templates: the four seed questions with NPS and free text in zh-CN and en; admins edit them', async () => {
    const r = await s.api('/api/v1/survey-templates', { token: agent });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((t) => t.code), ['repair', 'visit']);
    const t = r.json.items[0];
    assert.deepEqual(Object.keys(t.texts).sort(), ['attitude', 'comment', 'first_impression', 'nps', 'overall', 'repair_time']);
    const body = { name: t.name, script: t.script, texts: { ...t.texts, overall: { zh: '总体满意度？', en: 'Overall?' } }, nps: false, free_text: true };
    assert.equal((await s.api('/api/v1/survey-templates/repair', { method: 'PUT', token: agent, body })).status, 403);
    assert.equal((await s.api('/api/v1/survey-templates/repair', { method: 'PUT', token: admin, body: { ...body, texts: { overall: { zh: 'x' } } } })).status, 422);
    const p = await s.api('/api/v1/survey-templates/repair', { method: 'PUT', token: admin, body });
    assert.equal(p.status, 200, p.text);
    const again = await s.api('/api/v1/survey-templates', { token: agent });
    assert.equal(again.json.items[0].texts.overall.en, 'Overall?');
    assert.equal(again.json.items[0].nps, false);
    await s.api('/api/v1/survey-templates/repair', { method: 'PUT', token: admin, body: { ...body, texts: t.texts, nps: true } });
    assert.equal((await s.api('/api/v1/survey-templates?format=csv', { token: agent })).status, 200);
});
