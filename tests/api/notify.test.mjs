// Notifications reach people (issue 11, 0023): staff accounts have an email address
// (accounts API, own page, `aftersales user add --email`), and the outbox sends rows of
// channel 'staff' (complaint escalations to 'supervisor') to the addresses of the
// enabled accounts of that role over real SMTP (scripts/smtp-sink); nobody with an
// address fails the row at once with a clear error.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, sql } from './repairs-helpers.mjs';
import { startSink, waitFor, decodeWords, bodyText } from './sink-helpers.mjs';

const FAST = { AFTERSALES_OUTBOX_INTERVAL: '1', AFTERSALES_OUTBOX_RETRY_BASE: '1', AFTERSALES_OUTBOX_RETRY_CAP: '2' };
let ctx, sink;
before(async () => {
    sink = await startSink();
    ctx = await demoServer({ args: ['--public-rate', '100000', '--mail-from', 'service@aftersales.test',
        '--smtp', `smtp://127.0.0.1:${sink.port}`], env: FAST });
});
after(async () => {
    await ctx?.s.stop();
    await sink?.remove();
});

const patch = (who, p, body) => who.request(p, { method: 'PATCH', body });
const user = async (login) => (await ctx.admin.request(`/api/v1/users/${login}`)).json;

test('an account email: created, normalised, unique, changed by version, cleared; bad input changes nothing', async () => {
    const { admin, agent } = ctx;
    let r = await admin.request('/api/v1/users', { body: { login: 'sup2', name: '主管 二', role: 'supervisor',
        password: 'Zx9-long-secret', email: ' Sup.Two@Example.COM ' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.email, 'sup.two@example.com');
    r = await admin.request('/api/v1/users', { body: { login: 'sup3', role: 'supervisor', password: 'Zx9-long-secret', email: 'not-an-address' } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.fields.email, 'not an email address');
    r = await admin.request('/api/v1/users', { body: { login: 'sup3', role: 'supervisor', password: 'Zx9-long-secret', email: 'SUP.TWO@example.com' } });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.fields.email, 'taken');
    assert.equal(await sql(ctx.s, "SELECT COUNT(*) FROM users WHERE login = 'sup3'"), '0', 'nothing stored');
    // PATCH by version
    let u = await user('sup2');
    r = await patch(admin, '/api/v1/users/sup2', { version: u.version, email: 'sup2@example.com' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, 'sup2@example.com');
    assert.equal(r.json.version, u.version + 1);
    r = await patch(admin, '/api/v1/users/sup2', { version: u.version, email: 'x@example.com' });
    assert.equal(r.status, 409, 'stale version');
    r = await patch(admin, '/api/v1/users/sup2', { version: u.version + 1, email: 'a@@b' });
    assert.equal(r.status, 422);
    r = await patch(agent, '/api/v1/users/sup2', { version: u.version + 1, email: 'x@example.com' });
    assert.equal(r.status, 403);
    assert.equal((await user('sup2')).email, 'sup2@example.com');
    u = await user('sup2');
    r = await patch(admin, '/api/v1/users/sup2', { version: u.version, email: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, null);
    // the list shows it and downloads it
    const list = await admin.request('/api/v1/users?q=sup');
    assert.ok(list.json.items.every((x) => 'email' in x));
    const csv = await admin.fetch('/api/v1/users?format=csv');
    assert.match((await csv.text()).split('\r\n')[0], /,email$/);
    const audit = await sql(ctx.s, "SELECT detail FROM audit WHERE entity = 'user' AND entity_code = 'sup2' AND action = 'update' ORDER BY id");
    assert.match(audit, /"fields":\["email"\]/);
    assert.doesNotMatch(audit, /example\.com/, 'the audit names fields, not values');
});

test('one sets one\'s own email on /api/v1/me; another account\'s address is refused', async () => {
    const { agent, supervisor } = ctx;
    let r = await patch(agent, '/api/v1/me', { email: 'Agent@Example.com' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, 'agent@example.com');
    assert.equal((await agent.request('/api/v1/me')).json.user.email, 'agent@example.com');
    r = await patch(supervisor, '/api/v1/me', { email: 'agent@example.com' });
    assert.equal(r.status, 409, r.text);
    r = await patch(supervisor, '/api/v1/me', { email: 'sup', role: 'admin' });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.fields.role, 'unknown field');
    assert.equal((await supervisor.request('/api/v1/me')).json.user.role, 'supervisor');
    r = await patch(agent, '/api/v1/me', { email: '' });
    assert.equal(r.json.email, null);
});

test('aftersales user add --email', async () => {
    const r = await ctx.s.run(['user', 'add', 'cli.sup', '--role', 'supervisor', '--email', 'CLI@example.com'], { input: 'Zx9-long-secret\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await user('cli.sup')).email, 'cli@example.com');
    const bad = await ctx.s.run(['user', 'add', 'cli.two', '--role', 'supervisor', '--email', 'nope'], { input: 'Zx9-long-secret\n' });
    assert.equal(bad.code, 2, bad.stderr);
    const dup = await ctx.s.run(['user', 'add', 'cli.three', '--role', 'supervisor', '--email', 'cli@example.com'], { input: 'Zx9-long-secret\n' });
    assert.equal(dup.code, 1);
    assert.equal(await sql(ctx.s, "SELECT COUNT(*) FROM users WHERE login IN ('cli.two', 'cli.three')"), '0');
});

const staffRows = (where) => sql(ctx.s, `SELECT id, status, attempts, COALESCE(last_error, '') FROM outbox WHERE channel = 'staff' AND ${where} ORDER BY id`)
    .then((t) => (t ? t.split('\n').map((l) => { const [id, status, attempts, err] = l.split('|'); return { id: Number(id), status, attempts: Number(attempts), err }; }) : []));
const settled = (where) => async () => {
    const r = await staffRows(where);
    return r.length && r.every((x) => x.status === 'sent' || x.status === 'failed') ? r : null;
};

test('a complaint escalation reaches every enabled supervisor with an address, in one mail, once', async () => {
    const { s, admin, supervisor, agent } = ctx;
    await sql(s, 'DELETE FROM outbox');
    assert.equal((await patch(supervisor, '/api/v1/me', { email: 'lead@example.com' })).status, 200);
    let u = await user('sup2');
    assert.equal((await patch(admin, '/api/v1/users/sup2', { version: u.version, email: 'second@example.com' })).status, 200);
    u = await user('cli.sup'); // has cli@example.com, disabled: gets nothing
    assert.equal((await admin.request('/api/v1/users/cli.sup/disable', { body: {} })).status, 200);
    const p = await admin.request('/api/v1/sla-policies/complaint', { method: 'PUT', body: { calendar: 'always',
        first_response_hours: 24, resolution_hours: 72, escalation: [0.75, 1.0] } });
    assert.equal(p.status, 200, p.text);
    const c = await agent.request('/api/v1/customers', { body: { name: '升级 客户', phone: '13800138555', force: true } });
    assert.equal(c.status, 201, c.text);
    const at = new Date(Date.now() - 20 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const k = await agent.request('/api/v1/complaints', { body: { customer: c.json.code, channel: 'phone', text: '一直没人回电', received_at: at } });
    assert.equal(k.status, 201, k.text);
    const esc = await s.run(['escalate']);
    assert.equal(esc.code, 0, esc.stderr);
    // the demo's old complaints escalate too: ours is the row naming its code
    const rows = await waitFor('the escalation sent', settled(`payload LIKE '%${k.json.code}%'`));
    assert.deepEqual(rows.map((x) => [x.status, x.attempts]), [['sent', 1]], rows.map((x) => x.err).join());
    const mails = (await sink.messages()).filter((m) => decodeWords(m.headers.subject ?? '').includes(k.json.code));
    assert.equal(mails.length, 1, 'one mail');
    assert.equal(mails[0].headers.to, 'lead@example.com, second@example.com');
    assert.match(decodeWords(mails[0].headers.subject), /升级提醒/);
    assert.match(bodyText(mails[0]), /75%/);
    const one = await supervisor.request(`/api/v1/outbox/${rows[0].id}`);
    assert.equal(one.json.channel, 'staff');
    assert.equal(one.json.recipient, 'supervisor');
    assert.equal(one.json.status, 'sent');
});

test('an outlet-bound role goes to that outlet\'s staff only; nobody with an address fails at once, clearly', async () => {
    const { s, admin } = ctx;
    let u = await user('manager'); // outlet_manager of O0001
    assert.equal((await patch(admin, '/api/v1/users/manager', { version: u.version, email: 'o1.manager@example.com' })).status, 200);
    let r = await admin.request('/api/v1/users', { body: { login: 'mgr2', role: 'outlet_manager', outlet: 'O0002',
        password: 'Zx9-long-secret', email: 'o2.manager@example.com' } });
    assert.equal(r.status, 201, r.text);
    await sql(s, `INSERT INTO outbox (channel, recipient, template, payload, created_at) VALUES
        ('staff', 'outlet_manager', 'complaint_escalation', '{"code":"K-O1","clock":"first_response","share_pct":75,"outlet":"O0001","lang":"en"}', 1),
        ('staff', 'warehouse', 'complaint_breach', '{"code":"K-W","clock":"resolution"}', 1),
        ('staff', 'outlet_manager', 'complaint_breach', '{"code":"K-O9","clock":"resolution","outlet":"O0009"}', 1),
        ('staff', 'nobody', 'complaint_breach', '{"code":"K-X","clock":"resolution"}', 1)`);
    const rows = await waitFor('every staff row settled', settled("payload LIKE '%\"K-%'"));
    assert.deepEqual(rows.map((x) => [x.status, x.attempts]), [['sent', 1], ['failed', 1], ['failed', 1], ['failed', 1]]);
    assert.equal(rows[1].err, 'no enabled warehouse has an email address (set one on the accounts screen)');
    assert.equal(rows[2].err, 'no enabled outlet_manager of outlet O0009 has an email address (set one on the accounts screen)');
    assert.equal(rows[3].err, 'staff: no role nobody');
    const mails = (await sink.messages()).filter((m) => /K-/.test(m.headers.subject));
    assert.equal(mails.length, 1);
    assert.equal(mails[0].headers.to, 'o1.manager@example.com');
    assert.equal(mails[0].headers.subject, 'Complaint K-O1 escalation (first_response 75%)', 'the payload\'s lang');
});

// ---- the customer's language (0023): stored, edited, imported and exported, and used by
// the sender for every message to the customer whose payload names no lang

let n = 0;
const serial = () => `NT${process.pid}-${++n}`;
async function register(email) {
    const sn = serial();
    const r = await ctx.s.api('/api/v1/public/warranty-registrations', {
        body: { name: 'Anna Smith', phone: '', email, model: 'HT-A9', serial: sn, purchase_date: '2026-01-10' },
    });
    assert.equal(r.status, 201, r.text);
    return sn;
}

test('a customer\'s language: zh-CN by default, set on create and by version, refused when unknown', async () => {
    const { agent } = ctx;
    let r = await agent.request('/api/v1/customers', { body: { name: '默认 语言', phone: '13800138601' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.lang, 'zh-CN');
    r = await agent.request('/api/v1/customers', { body: { name: 'Anna Smith', email: 'anna.en@example.com', lang: 'en' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.lang, 'en');
    const code = r.json.code;
    r = await agent.request('/api/v1/customers', { body: { name: 'X', phone: '13800138602', lang: 'fr' } });
    assert.equal(r.status, 422);
    assert.match(r.json.error.fields.lang, /zh-CN, en/);
    let c = (await agent.request(`/api/v1/customers/${code}`)).json;
    r = await patch(agent, `/api/v1/customers/${code}`, { version: c.version, lang: 'de' });
    assert.equal(r.status, 422);
    r = await patch(agent, `/api/v1/customers/${code}`, { version: c.version, lang: 'zh-CN' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.lang, 'zh-CN');
    c = r.json;
    r = await patch(agent, `/api/v1/customers/${code}`, { version: c.version, lang: 'en' });
    assert.equal(r.json.lang, 'en');
    r = await patch(agent, `/api/v1/customers/${code}`, { version: r.json.version, name: 'Anna Smith-Lee' });
    assert.equal(r.json.lang, 'en', 'kept when not sent');
    const audit = await sql(ctx.s, `SELECT detail FROM audit WHERE entity = 'customer' AND entity_code = '${code}' ORDER BY id`);
    assert.match(audit, /"fields":\["lang"\]/);
});

test('an English customer gets the English template, a Chinese one the Chinese; a payload lang wins', async () => {
    const { s } = ctx;
    await sql(s, 'DELETE FROM outbox');
    const en = await register('anna.en@example.com'); // the English customer above (a strong match by email)
    const zh = await register(`zh${process.pid}@example.com`); // a new customer: zh-CN
    const cid = await sql(s, "SELECT customer_id FROM customer_emails WHERE email = 'anna.en@example.com'");
    await sql(s, `INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at) VALUES
        ('email', 'anna.en@example.com', 'repair_status', '{"code":"R-LANG-1","status":"repairing"}', ${cid}, 1),
        ('email', 'anna.en@example.com', 'repair_status', '{"code":"R-LANG-2","status":"维修中","lang":"zh-CN"}', ${cid}, 1)`);
    await waitFor('all sent', async () => (await sql(s, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")) === '0'
        && (await sql(s, 'SELECT COUNT(*) FROM outbox')) === '4');
    const msgs = await sink.messages();
    const subj = (re) => msgs.map((m) => decodeWords(m.headers.subject ?? '')).filter((x) => re.test(x));
    assert.deepEqual(subj(new RegExp(en)), [`Warranty registration confirmed: ${en}`]);
    assert.deepEqual(subj(new RegExp(zh)), [`保修登记确认 ${zh}`]);
    assert.deepEqual(subj(/R-LANG-1/), ['Repair R-LANG-1: repairing']);
    assert.deepEqual(subj(/R-LANG-2/), ['维修单 R-LANG-2 状态更新：维修中'], 'the payload\'s lang over the customer\'s');
});

test('customer CSV: an optional lang column imports (empty: zh-CN); the export keeps the contract six columns; a bad value stops the file', async () => {
    const { s, agent } = ctx;
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'notify-csv-'));
    try {
        const good = path.join(dir, 'good.csv');
        await writeFile(good, 'code,name,email,lang\nC80000001,Bob Lang,bob.lang@example.com,en\nC80000002,李 默认,li.lang@example.com,\n');
        let r = await s.run(['import', 'customers', good]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal((await agent.request('/api/v1/customers/C80000001')).json.lang, 'en');
        assert.equal((await agent.request('/api/v1/customers/C80000002')).json.lang, 'zh-CN');
        const bad = path.join(dir, 'bad.csv');
        await writeFile(bad, 'code,name,email,lang\nC80000003,Cy,cy.lang@example.com,EN-us\n');
        r = await s.run(['import', 'customers', bad]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /bad\.csv:2: lang: must be zh-CN or en/);
        assert.equal((await agent.request('/api/v1/customers/C80000003')).status, 404);
        const out = await s.run(['export', 'customers']);
        assert.equal(out.code, 0, out.stderr);
        const lines = out.stdout.split('\r\n');
        assert.equal(lines[0], 'code,name,phone,email,region,address', 'exactly the contract\'s six columns');
        assert.ok(lines.includes('C80000001,Bob Lang,,bob.lang@example.com,,'), out.stdout.slice(0, 400));
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});
