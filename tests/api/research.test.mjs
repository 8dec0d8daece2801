// Market research questionnaires (issue 13 item 7, M12): a questionnaire of single,
// multiple, scale and text questions in zh and en, edited only in draft (version
// checked), sent to a segment: the recipients are frozen by the campaign freeze
// (consent for the channel honoured, merged duplicates once, erased customers never)
// and each gets one outbox message with a signed single-use link. The public link
// answers once then 410, a tampered one 404, a closed questionnaire 410; answers are
// checked by kind (422); the results count exactly what was submitted here, and the
// answers download as CSV/XLSX, one row per response and one column per question.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { sql } from './network-helpers.mjs';

let s, marketer, supervisor, agent, admin, manager;
before(async () => {
    s = await startServer({ args: ['--public-rate', '100000'] });
    [marketer, supervisor, agent, admin] = [await s.token('marketer'), await s.token('supervisor'), await s.token('agent'), await s.token('admin')];
    const o = await s.api('/api/v1/outlets', { token: admin, body: { code: 'RSO1', name: '调研网点', type: 'authorised', region: '110105' } });
    assert.ok([201, 409].includes(o.status), o.text);
    manager = await s.token('outlet_manager', 'RSO1');
});
after(async () => { await s?.stop(); });

let m = 0;
async function person(name, consents = {}) {
    m++;
    const r = await s.api('/api/v1/customers', { token: admin, body: { name, phone: `1380${String(process.pid % 1000).padStart(3, '0')}${String(m).padStart(4, '0')}`, email: `rs${process.pid}-${m}@example.com`, region: '540102' } });
    assert.equal(r.status, 201, r.text);
    if (Object.keys(consents).length) {
        const c = await s.api(`/api/v1/customers/${r.json.code}/consents`, { token: admin, method: 'PUT', body: consents });
        assert.equal(c.status, 200, c.text);
    }
    return r.json.code;
}

const bi = (zh, en) => ({ zh, en });
const QUESTIONS = [
    { kind: 'single', text: bi('您使用哪种产品？', 'Which product do you use?'), required: true, options: [bi('电视', 'TV'), bi('相机', 'Camera'), bi('音响', 'Audio')] },
    { kind: 'multiple', text: bi('您从哪里了解我们？', 'Where did you hear of us?'), options: [bi('网络', 'Web'), bi('门店', 'Store'), bi('朋友', 'Friends'), bi('广告', 'Ads')] },
    { kind: 'scale', text: bi('推荐意愿', 'Would you recommend us?'), required: true, min: 0, max: 10 },
    { kind: 'text', text: bi('其他建议', 'Anything else?') },
];

async function draft(questions = QUESTIONS) {
    const r = await s.api('/api/v1/questionnaires', { token: marketer, body: { title: bi('产品调研', 'Product research'), questions } });
    assert.equal(r.status, 201, r.text);
    return r.json.code;
}

test('a questionnaire is validated by kind and edited only in draft, version checked', async () => {
    const bad = [
        [{ title: bi('x', 'x'), questions: [] }, 'questions'],
        [{ title: { zh: 'x' }, questions: QUESTIONS }, 'title.en'],
        [{ title: bi('x', 'x'), questions: [{ kind: 'single', text: bi('a', 'a'), options: [bi('1', '1')] }] }, 'questions[1].options'],
        [{ title: bi('x', 'x'), questions: [{ kind: 'scale', text: bi('a', 'a'), min: 5, max: 3 }] }, 'questions[1].max'],
        [{ title: bi('x', 'x'), questions: [{ kind: 'text', text: bi('a', 'a'), options: [bi('1', '1'), bi('2', '2')] }] }, 'questions[1].options'],
        [{ title: bi('x', 'x'), questions: [{ kind: 'rank', text: bi('a', 'a') }] }, 'questions[1].kind'],
        [{ title: bi('x', 'x'), questions: [{ kind: 'multiple', text: bi('a', 'a'), options: [bi('1', '1'), { zh: '2' }] }] }, 'questions[1].options[2]'],
    ];
    const before_ = Number(await sql(s, 'SELECT COUNT(*) FROM questionnaires'));
    for (const [body, field] of bad) {
        const r = await s.api('/api/v1/questionnaires', { token: marketer, body });
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(field in r.json.error.fields, `${field} in ${JSON.stringify(r.json.error.fields)}`);
    }
    assert.equal(Number(await sql(s, 'SELECT COUNT(*) FROM questionnaires')), before_, 'nothing stored');
    const code = await draft();
    const g = await s.api(`/api/v1/questionnaires/${code}`, { token: supervisor });
    assert.equal(g.status, 200);
    assert.equal(g.json.status, 'draft');
    assert.equal(g.json.version, 1);
    assert.deepEqual(g.json.questions.map((q) => [q.no, q.kind, q.required]), [[1, 'single', true], [2, 'multiple', false], [3, 'scale', true], [4, 'text', false]]);
    assert.deepEqual(g.json.questions[0].options.map((o) => o.no), [1, 2, 3]);
    const edit = { version: 1, title: bi('产品调研 2026', 'Product research 2026'), questions: QUESTIONS };
    let r = await s.api(`/api/v1/questionnaires/${code}`, { token: marketer, method: 'PUT', body: edit });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.version, 2);
    r = await s.api(`/api/v1/questionnaires/${code}`, { token: marketer, method: 'PUT', body: edit });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    assert.equal((await s.api(`/api/v1/questionnaires/${code}`, { token: supervisor })).json.title.en, 'Product research 2026');
    assert.equal((await s.api('/api/v1/questionnaires/QN99999', { token: marketer, method: 'PUT', body: edit })).status, 404);
    const list = await s.api('/api/v1/questionnaires', { token: supervisor });
    assert.ok(list.json.items.some((x) => x.code === code));
    const csv = await s.api('/api/v1/questionnaires?format=csv', { token: supervisor });
    assert.match(csv.text.split('\r\n')[0], /^code,title_zh,title_en,status,segment,channel,sent_at,closed_at,created_by/);
    const xlsx = await s.api('/api/v1/questionnaires?format=xlsx', { token: supervisor });
    assert.equal(xlsx.status, 200);
    // close only once open
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/close`, { token: marketer, body: {} })).status, 409);
});

test('roles: marketers and admins write, supervisors read, agents and outlet staff are refused', async () => {
    const code = await draft();
    for (const t of [supervisor, agent, manager]) {
        assert.equal((await s.api('/api/v1/questionnaires', { token: t, body: { title: bi('x', 'x'), questions: QUESTIONS } })).status, 403);
        assert.equal((await s.api(`/api/v1/questionnaires/${code}/send`, { token: t, body: { segment: 'SG00001', channel: 'email', version: 1 } })).status, 403);
    }
    const technician = await s.token('technician', 'RSO1');
    for (const t of [agent, manager, technician]) {
        // the role is refused before any lookup: an existing questionnaire and a missing
        // one answer the same 403, as a campaign or a segment does (no outlet owns them,
        // so there is nothing of the caller's outlet to show and no 404 to give)
        for (const c of [code, 'QN-NO-SUCH']) {
            for (const sub of ['', '/results', '/recipients', '/answers', '/results?format=csv']) {
                const r = await s.api(`/api/v1/questionnaires/${c}${sub}`, { token: t });
                assert.equal(r.status, 403, `${c}${sub}: ${r.text}`);
            }
        }
        assert.equal((await s.api('/api/v1/questionnaires', { token: t })).status, 403);
        assert.equal((await s.api('/api/v1/campaigns/CP-NO-SUCH', { token: t === agent ? manager : t })).status, 403);
        assert.equal((await s.api('/api/v1/segments', { token: t })).status, 403);
    }
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/results`, { token: supervisor })).status, 200);
    assert.equal((await s.api('/api/v1/questionnaires', { token: admin, body: { title: bi('x', 'x'), questions: QUESTIONS } })).status, 201);
});

let sent; // {code, tokens: {customer: token}, ok, sms, ...}

test('sending freezes the consenting survivors of the segment, once each, and queues one signed link per recipient', async () => {
    const ok = await person('调研 甲', { email: true, sms: true });
    const ok2 = await person('调研 乙', { email: true });
    const ok3 = await person('调研 丙', { email: true });
    const smsOnly = await person('调研 丁', { sms: true });
    const refused = await person('调研 戊', { email: false, sms: true });
    const never = await person('调研 己');
    const erased = await person('调研 庚', { email: true });
    const survivor = await person('调研 辛', { email: true });
    const dup = await person('调研 辛二', { email: true });
    assert.equal((await s.api(`/api/v1/customers/${erased}/erase`, { token: admin, body: { reason: 'request' } })).status, 200);
    assert.equal((await s.api(`/api/v1/customers/${survivor}/merge`, { token: admin, body: { duplicate: dup } })).status, 200);
    const seg = await s.api('/api/v1/segments', { token: marketer, body: { name: '西藏', filter: { region: '54' } } });
    assert.equal(seg.status, 201, seg.text);
    const code = await draft();
    // bad sendings change nothing
    for (const body of [{ segment: 'SG99999', channel: 'email', version: 1 }, { segment: seg.json.code, channel: 'fax', version: 1 }, { segment: seg.json.code, channel: 'email' }]) {
        const r = await s.api(`/api/v1/questionnaires/${code}/send`, { token: marketer, body });
        assert.equal(r.status, 422, r.text);
    }
    let r = await s.api(`/api/v1/questionnaires/${code}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'email', version: 7 } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'stale_version');
    assert.equal(Number(await sql(s, `SELECT COUNT(*) FROM research_recipients r JOIN questionnaires q ON q.id = r.questionnaire_id WHERE q.code = '${code}'`)), 0);
    r = await s.api(`/api/v1/questionnaires/${code}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'email', version: 1 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.recipients, 4);
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'email', version: 2 } })).status, 409);
    const g = await s.api(`/api/v1/questionnaires/${code}`, { token: supervisor });
    assert.equal(g.json.status, 'open');
    assert.equal(g.json.segment, seg.json.code);
    const edit = await s.api(`/api/v1/questionnaires/${code}`, { token: marketer, method: 'PUT', body: { version: g.json.version, title: bi('x', 'x'), questions: QUESTIONS } });
    assert.equal(edit.status, 409, 'an open questionnaire is not edited');
    const rc = await s.api(`/api/v1/questionnaires/${code}/recipients`, { token: supervisor });
    assert.deepEqual(rc.json.items.map((x) => x.customer).sort(), [ok, ok2, ok3, survivor].sort());
    assert.ok(rc.json.items.every((x) => x.status === 'queued'));
    for (const not of [smsOnly, refused, never, erased, dup]) assert.ok(!rc.json.items.some((x) => x.customer === not), not);
    const rows = (await sql(s, `SELECT c.code || ' ' || o.recipient || ' ' || o.payload FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE o.template = 'research_invitation' ORDER BY o.id`)).split('\n');
    assert.equal(rows.length, 4, 'one message per recipient');
    const tokens = {};
    for (const row of rows) {
        const [cust, to, ...rest] = row.split(' ');
        const p = JSON.parse(rest.join(' '));
        assert.equal(to, await sql(s, `SELECT e.email FROM customer_emails e JOIN customers c ON c.id = e.customer_id WHERE c.code = '${cust}' ORDER BY e.id LIMIT 1`));
        assert.equal(p.title, '产品调研');
        assert.match(p.link, /^\/portal\/research\.html#QN\d+\.\d+\.[0-9a-f]{64}$/);
        assert.match(p.headers['List-Unsubscribe'], /^<\/api\/v1\/public\/unsubscribe\//);
        tokens[cust] = p.link.slice(p.link.indexOf('#') + 1);
    }
    const csv = await s.api(`/api/v1/questionnaires/${code}/recipients?format=csv`, { token: supervisor });
    assert.match(csv.text.split('\r\n')[0], /^id,customer,customer_name,status,answered_at/);
    // sms: only the consenting phones
    const code2 = await draft();
    r = await s.api(`/api/v1/questionnaires/${code2}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'sms', version: 1, lang: 'en' } });
    assert.equal(r.status, 200, r.text);
    const rc2 = await s.api(`/api/v1/questionnaires/${code2}/recipients`, { token: supervisor });
    assert.deepEqual(rc2.json.items.map((x) => x.customer).sort(), [ok, smsOnly, refused].sort());
    const p2 = JSON.parse(await sql(s, `SELECT payload FROM outbox WHERE template = 'research_invitation' AND channel = 'sms' ORDER BY id LIMIT 1`));
    assert.equal(p2.title, 'Product research');
    assert.equal(p2.lang, 'en');
    assert.equal(p2.headers, undefined);
    // a recipient erased after the sending: the link is gone, nothing stored
    const gone = await person('调研 壬', { sms: true });
    const code3 = await draft();
    assert.equal((await s.api(`/api/v1/questionnaires/${code3}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'sms', version: 1 } })).status, 200);
    const link3 = JSON.parse(await sql(s, `SELECT o.payload FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE c.code = '${gone}' AND o.template = 'research_invitation'`)).link;
    assert.equal((await s.api(`/api/v1/customers/${gone}/erase`, { token: admin, body: { reason: 'request' } })).status, 200);
    assert.equal((await s.api(`/api/v1/public/research/${link3.split('#')[1]}`)).status, 410);
    sent = { code, tokens, people: [ok, ok2, ok3, survivor] };
});

test('a link answers once then 410, a tampered one 404, answers are checked by kind, and the results count them', async () => {
    assert.ok(sent, 'the sending test ran');
    const { code, tokens, people } = sent;
    const pub = (tok, body) => s.api(`/api/v1/public/research/${tok}`, body ? { method: 'POST', body } : {});
    const t0 = tokens[people[0]];
    const g = await pub(t0);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.questions.length, 4);
    assert.equal(g.json.title.zh, '产品调研');
    assert.equal(g.json.customer, undefined);
    // tampered: 404, nothing stored
    const flip = (t) => t.slice(0, -1) + (t.endsWith('0') ? '1' : '0');
    const [qc, rid, mac] = t0.split('.');
    for (const bad of [flip(t0), `${qc}.${Number(rid) + 1}.${mac}`, `QN00000.${rid}.${mac}`, 'nonsense', `${qc}.${rid}`]) {
        assert.equal((await pub(bad)).status, 404, bad);
        assert.equal((await pub(bad, { answers: { 1: 1, 3: 5 } })).status, 404, bad);
    }
    // 422 by kind, nothing stored
    const invalid = [
        [{ answers: { 1: 4, 3: 5 } }, 'answers.1'], // option not in the question
        [{ answers: { 1: 1, 2: [1, 5], 3: 5 } }, 'answers.2'],
        [{ answers: { 1: 1, 2: [2, 2], 3: 5 } }, 'answers.2'],
        [{ answers: { 1: 1, 3: 11 } }, 'answers.3'], // scale out of range
        [{ answers: { 1: 1, 3: -1 } }, 'answers.3'],
        [{ answers: { 3: 5 } }, 'answers.1'], // required missing
        [{ answers: { 1: 2 } }, 'answers.3'],
        [{ answers: { 1: 2, 3: 5, 9: 'x' } }, 'answers.9'],
        [{ answers: { 1: '1', 3: 5 } }, 'answers.1'],
        [{ answers: { 1: 1, 3: 5, 4: 7 } }, 'answers.4'],
        [{}, 'answers'],
    ];
    for (const [body, field] of invalid) {
        const r = await pub(t0, body);
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(field in r.json.error.fields, `${field} in ${JSON.stringify(r.json.error.fields)}`);
    }
    assert.equal(Number(await sql(s, 'SELECT COUNT(*) FROM research_answers')), 0);
    // what this test submits, and the counts it expects
    const submissions = [
        { 1: 1, 2: [1, 3], 3: 9, 4: '希望延长保修' },
        { 1: 2, 2: [1], 3: 10 },
        { 1: 1, 3: 9, 4: 'More stores, please' },
    ];
    for (let i = 0; i < submissions.length; i++) {
        const r = await pub(tokens[people[i]], { answers: submissions[i] });
        assert.equal(r.status, 200, r.text);
    }
    // once: then 410 for the page and the answer
    assert.equal((await pub(t0)).status, 410);
    assert.equal((await pub(t0, { answers: submissions[0] })).status, 410);
    const res = await s.api(`/api/v1/questionnaires/${code}/results`, { token: supervisor });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.recipients, 4);
    assert.equal(res.json.responses, 3);
    assert.equal(res.json.response_rate, 0.75);
    const [q1, q2, q3, q4] = res.json.questions;
    const count = (n, k, v) => submissions.filter((x) => (Array.isArray(x[n]) ? x[n].includes(v) : x[n] === v)).length;
    assert.deepEqual(q1.options.map((o) => o.count), [1, 2, 3].map((v) => count(1, 'single', v)));
    assert.deepEqual(q2.options.map((o) => o.count), [1, 2, 3, 4].map((v) => count(2, 'multiple', v)));
    assert.equal(q2.answered, 2);
    assert.equal(q3.distribution.length, 11);
    assert.deepEqual(q3.distribution.map((d) => d.count), [...Array(11).keys()].map((v) => count(3, 'scale', v)));
    assert.deepEqual(q4.texts.map((x) => x.text).sort(), ['More stores, please', '希望延长保修'].sort());
    assert.equal(q1.answered, 3);
    const rcsv = await s.api(`/api/v1/questionnaires/${code}/results?format=csv`, { token: supervisor });
    assert.equal(rcsv.status, 200);
    assert.match(rcsv.text.split('\r\n')[0], /^question,text,answer,count/);
    // the answers: one row per response, one column per question
    const a = await s.api(`/api/v1/questionnaires/${code}/answers`, { token: supervisor });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.items.length, 3);
    const byCustomer = Object.fromEntries(a.json.items.map((x) => [x.customer, x]));
    assert.deepEqual([byCustomer[people[0]].q1, byCustomer[people[0]].q2, byCustomer[people[0]].q3, byCustomer[people[0]].q4], ['电视', '网络; 朋友', 9, '希望延长保修']);
    assert.equal(byCustomer[people[1]].q4, undefined);
    const csv = await s.api(`/api/v1/questionnaires/${code}/answers?format=csv`, { token: supervisor });
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'response,customer,answered_at,Q1 您使用哪种产品？,Q2 您从哪里了解我们？,Q3 推荐意愿,Q4 其他建议');
    assert.equal(lines.length, 4);
    const en = await s.api(`/api/v1/questionnaires/${code}/answers?format=csv&lang=en`, { token: supervisor });
    assert.match(en.text.split('\r\n')[0], /Q1 Which product do you use\?/);
    assert.ok(en.text.includes('Web; Friends'));
    const xlsx = await s.api(`/api/v1/questionnaires/${code}/answers?format=xlsx`, { token: supervisor });
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/answers?format=pdf`, { token: supervisor })).status, 422);
    assert.equal((await s.api('/api/v1/questionnaires/QN99999/answers', { token: supervisor })).status, 404);
    // closed: 410 for a link not yet used
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/close`, { token: supervisor, body: {} })).status, 403);
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/close`, { token: marketer, body: {} })).status, 200);
    assert.equal((await pub(tokens[people[3]])).status, 410);
    assert.equal((await pub(tokens[people[3]], { answers: submissions[1] })).status, 410);
    assert.equal((await s.api(`/api/v1/questionnaires/${code}`, { token: supervisor })).json.status, 'closed');
    // erasure clears the text answers of the customer, and an erased customer's link is gone
    assert.equal((await s.api(`/api/v1/customers/${people[0]}/erase`, { token: admin, body: { reason: 'request' } })).status, 200);
    const after_ = await s.api(`/api/v1/questionnaires/${code}/results`, { token: supervisor });
    assert.deepEqual(after_.json.questions[3].texts.map((x) => x.text), ['More stores, please']);
});

test('a recipient whose invitation failed or bounced in the outbox is marked so, in the list and its download', async () => {
    await person('调研 投递甲', { email: true });
    await person('调研 投递乙', { email: true });
    const seg = await s.api('/api/v1/segments', { token: marketer, body: { name: '西藏 投递', filter: { region: '54', consent: ['email'] } } });
    assert.equal(seg.status, 201, seg.text);
    const code = await draft();
    assert.equal((await s.api(`/api/v1/questionnaires/${code}/send`, { token: marketer, body: { segment: seg.json.code, channel: 'email', version: 1 } })).status, 200);
    // every recipient points at its own invitation
    const q = `(SELECT id FROM questionnaires WHERE code = '${code}')`;
    assert.equal(await sql(s, `SELECT COUNT(*) || ' ' || SUM(CASE WHEN o.customer_id = r.customer_id AND o.template = 'research_invitation' THEN 1 ELSE 0 END)
        FROM research_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id WHERE r.questionnaire_id = ${q}`).then((x) => { const [n, ok] = x.split(' '); return n === ok && Number(n) >= 2 ? 'ok' : x; }), 'ok');
    const [first, second] = (await sql(s, `SELECT outbox_id FROM research_recipients WHERE questionnaire_id = ${q} ORDER BY id LIMIT 2`)).split('\n');
    // as the sender leaves a message whose retries ran out, and as mail-in marks a bounce
    await sql(s, `UPDATE outbox SET status = 'failed', attempts = 5, last_error = 'smtp: 550 no such user' WHERE id = ${first}`);
    await sql(s, `UPDATE outbox SET status = 'bounced', last_error = 'bounced: 5.1.1' WHERE id = ${second}`);
    const rc = await s.api(`/api/v1/questionnaires/${code}/recipients`, { token: supervisor });
    assert.equal(rc.status, 200, rc.text);
    const [a, b, ...rest] = rc.json.items;
    assert.deepEqual([a.status, a.delivery, a.delivery_error], ['failed', 'failed', 'smtp: 550 no such user']);
    assert.deepEqual([b.status, b.delivery, b.delivery_error], ['bounced', 'bounced', 'bounced: 5.1.1']);
    assert.ok(rest.every((x) => x.status === 'queued' && x.delivery !== 'failed' && x.delivery !== 'bounced'), JSON.stringify(rest));
    const res = await s.api(`/api/v1/questionnaires/${code}/results`, { token: supervisor });
    assert.equal(res.json.undelivered, 2);
    assert.equal(res.json.recipients, rc.json.items.length);
    const csv = (await s.api(`/api/v1/questionnaires/${code}/recipients?format=csv`, { token: supervisor })).text.split('\r\n');
    assert.match(csv[0], /^id,customer,customer_name,status,answered_at,delivery,delivery_error$/);
    assert.match(csv[1], /,failed,.*,failed,smtp: 550 no such user$/);
    assert.match(csv[2], /,bounced,.*,bounced,bounced: 5\.1\.1$/);
    const xlsx = await s.api(`/api/v1/questionnaires/${code}/recipients?format=xlsx`, { token: supervisor });
    assert.equal(xlsx.status, 200);
});
