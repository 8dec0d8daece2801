// Customer master (M1, issue 3): create with duplicate refusal and force, validation per
// field, every matching rule, search, update with version, consents, history, merge,
// export, erasure and roles. Runs on SQLite and PostgreSQL (see lib/server.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runProcess } from './lib/server.mjs';

let s, agent, sup, marketer, tech, warehouse;
before(async () => {
    s = await startServer();
    const outlet = await sql(`INSERT INTO outlets (code, name, created_at, updated_at)
        VALUES ('OC1', 'test outlet', 0, 0)`).then(() => 'OC1');
    [agent, sup, marketer, tech, warehouse] = await Promise.all([
        s.token('agent'), s.token('supervisor'), s.token('marketer'),
        s.token('technician', outlet), s.token('warehouse'),
    ]);
});
after(async () => { await s?.stop(); });

/** Raw SQL on the test database (to check what the API does not show). */
async function sql(text) {
    const r = s.backend === 'postgres'
        ? await runProcess('psql', ['-v', 'ON_ERROR_STOP=1', '-qAt', s.db, '-c', text])
        : await runProcess('sqlite3', [s.db, text]);
    if (r.code !== 0) throw new Error(`sql failed: ${text}\n${r.stderr}`);
    return r.stdout.trim();
}

const call = (path, opts = {}) => s.api(path, { token: agent, ...opts });
const create = (body, token = agent) => s.api('/api/v1/customers', { token, body });
const match = (q, token = agent) => s.api('/api/v1/customers/match?' + new URLSearchParams(q), { token });
const search = (q, extra = {}, token = agent) =>
    s.api('/api/v1/customers?' + new URLSearchParams({ q, ...extra }), { token });

// Unique numbers per test run so tests never depend on each other.
let seq = 0;
function mobile() {
    seq++;
    return `137${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
}

test('create answers 201 with a C+8-digit code and normalised identities', async () => {
    const m = mobile();
    const r = await create({
        name: '  張偉  ', phone: `+86 ${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
        email: '  Zhang.Wei@Example.COM ', region: '310104', address: '上海市徐汇区漕溪北路 88 号',
        phones: ['021-6234 5678'],
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^C\d{8}$/);
    assert.equal(r.json.name, '張偉');
    assert.equal(r.json.phone, m);
    assert.deepEqual(r.json.phones, [{ number: m, kind: 'mobile' }, { number: '02162345678', kind: 'landline' }]);
    assert.deepEqual(r.json.emails, ['zhang.wei@example.com']);
    assert.equal(r.json.region, '310104');
    assert.equal(r.json.version, 1);
    assert.deepEqual(r.json.consents, { phone: null, sms: null, email: null, fax: null, post: null });
    const again = await call(`/api/v1/customers/${r.json.code}`);
    assert.equal(again.status, 200);
    assert.equal(again.json.code, r.json.code);
    // codes are sequential from the counter
    const r2 = await create({ name: '李娜', phone: mobile() });
    assert.equal(r2.status, 201);
    assert.equal(Number(r2.json.code.slice(1)), Number(r.json.code.slice(1)) + 1);
});

test('a strong match refuses the create with the matches, unless forced', async () => {
    const m = mobile();
    const first = await create({ name: '王芳', phone: m, email: `wf${m}@163.com` });
    assert.equal(first.status, 201);
    const full = m.split('').map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    for (const body of [
        { name: '王芳', phone: `0086 ${m}` },                 // same phone, another form
        { name: '王小芳', phone: full },                       // full-width digits, another name
        { name: '王芳', email: `WF${m}@163.COM` },            // email in capitals
        { name: '王芳', phone: mobile(), email: ` wf${m}@163.com ` },
    ]) {
        const r = await create(body);
        assert.equal(r.status, 409, JSON.stringify(body) + r.text);
        assert.equal(r.json.error.code, 'duplicate');
        assert.equal(r.json.error.matches.length, 1);
        const [x] = r.json.error.matches;
        assert.equal(x.customer.code, first.json.code);
        assert.equal(x.strength, 'strong');
        assert.ok(x.reasons.includes(body.email ? 'email' : 'phone'), x.reasons.join());
    }
    const forced = await create({ name: '王芳', phone: m, force: true });
    assert.equal(forced.status, 201, forced.text);
    assert.notEqual(forced.json.code, first.json.code);
    // both are strong matches now
    const both = await match({ phone: m });
    assert.deepEqual(both.json.matches.map((x) => x.customer.code).sort(),
        [first.json.code, forced.json.code].sort());
});

test('validation: every bad field is named with its reason, and nothing is stored', async () => {
    const before = Number(await sql('SELECT COUNT(*) FROM customers'));
    const cases = [
        [{ phone: mobile() }, { name: 'required' }],
        [{ name: '   ', phone: mobile() }, { name: 'required' }],
        [{ name: '赵六' }, { phone: 'required', email: 'required' }],
        [{ name: '赵六', phone: '12345' }, { phone: 'invalid' }],
        [{ name: '赵六', phone: '+1 415 555 0100' }, { phone: 'invalid' }],
        [{ name: '赵六', phone: '138OO138OOO' }, { phone: 'invalid' }],
        [{ name: '赵六', email: 'not-an-email' }, { email: 'invalid' }],
        [{ name: '赵六', email: 'a@b' }, { email: 'invalid' }],
        [{ name: '赵六', phone: mobile(), region: '99' }, { region: 'invalid' }],
        [{ name: '赵'.repeat(101), phone: mobile() }, { name: 'too_long' }],
        [{ name: 'x'.repeat(100000), phone: mobile() }, { name: 'too_long' }],
        [{ name: '赵六', phone: mobile(), address: '路'.repeat(201) }, { address: 'too_long' }],
        [{ name: '赵六', phone: '1'.repeat(5000) }, { phone: 'too_long' }],
        [{ name: '赵六', phone: mobile(), colour: 'red' }, { colour: 'unknown field' }],
        [{ name: 42, phone: mobile() }, { name: 'invalid' }],
        [{ name: '赵\u0001六', phone: mobile() }, { name: 'invalid' }],
        [{ name: '赵六', phones: ['13800138000', 'bad'] }, { phones: 'invalid' }],
        [{ name: '', phone: 'x', email: 'y' }, { name: 'required', phone: 'invalid', email: 'invalid' }],
    ];
    for (const [body, fields] of cases) {
        const r = await create(body);
        assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80) + ' ' + r.text);
        assert.equal(r.json.error.code, 'validation_failed');
        for (const [f, why] of Object.entries(fields)) {
            assert.equal(r.json.error.fields[f], why, `${JSON.stringify(body).slice(0, 60)}: ${f}`);
        }
    }
    assert.equal(Number(await sql('SELECT COUNT(*) FROM customers')), before);
    const bad = await s.api('/api/v1/customers', { token: agent, body: '{"name":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
});

test('match: strong on phone in every usual form, landline, email; reasons given', async () => {
    const m = mobile();
    const c = (await create({ name: '陈小明', phone: m, phones: ['0755-8888 9999'], email: `cxm${m}@qq.com`, region: '440305' })).json;
    const forms = [m, `+86 ${m}`, `0086${m}`, `86 ${m}`, `(+86) ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
        m.split('').map((d) => String.fromCharCode(0xff10 + Number(d))).join('')];
    for (const phone of forms) {
        const r = await match({ phone });
        assert.equal(r.status, 200, phone);
        assert.equal(r.json.matches.length, 1, phone);
        assert.equal(r.json.matches[0].customer.code, c.code);
        assert.equal(r.json.matches[0].strength, 'strong');
        assert.deepEqual(r.json.matches[0].reasons, ['phone']);
    }
    for (const phone of ['+86 755 8888 9999', '0755-88889999', '+86 (0)755 8888 9999']) {
        const r = await match({ phone });
        assert.equal(r.json.matches[0]?.customer.code, c.code, phone);
    }
    const e = await match({ email: ` CXM${m}@QQ.COM` });
    assert.equal(e.json.matches[0].customer.code, c.code);
    assert.deepEqual(e.json.matches[0].reasons, ['email']);
    const all = await match({ phone: m, email: `cxm${m}@qq.com`, name: '陳小明' });
    assert.deepEqual(all.json.matches[0].reasons, ['phone', 'email', 'name']);
    assert.equal(all.json.matches[0].customer.name, '陈小明');
    // malformed input is a 422 naming the field
    const bad = await match({ phone: '12' });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.fields.phone, 'invalid');
    const none = await match({});
    assert.equal(none.status, 422);
});

test('match: weak on the same name with a related region or the same phone tail; a name alone lists namesakes', async () => {
    // a name nobody else has in this database
    const name = '歐陽' + String.fromCharCode(0x4e00 + (process.pid % 5000)) + '娜';
    const simplified = name.replace('歐陽', '欧阳');
    const m = mobile();
    const a = (await create({ name: simplified, phone: m, region: '310104' })).json;
    const b = (await create({ name, phone: mobile(), region: '440305' })).json;

    const alone = await match({ name });
    assert.equal(alone.status, 200);
    assert.deepEqual(alone.json.matches.map((x) => x.customer.code).sort(), [a.code, b.code].sort());
    for (const x of alone.json.matches) {
        assert.equal(x.strength, 'weak');
        assert.deepEqual(x.reasons, ['name']);
    }
    // with the city: only the Shanghai one
    const region = await match({ name: simplified, region: '310000' });
    assert.deepEqual(region.json.matches.map((x) => [x.customer.code, x.strength, x.reasons.join()]),
        [[a.code, 'weak', 'name,region']]);
    // another phone ending in the same four digits
    const tail = '139' + '0000' + m.slice(-4);
    const t = await match({ name: simplified, phone: tail });
    assert.deepEqual(t.json.matches.map((x) => [x.customer.code, x.strength, x.reasons.join()]),
        [[a.code, 'weak', 'name,phone_tail']]);
    // a different phone and a different region: no match
    const no = await match({ name: simplified, phone: '13911112222', region: '110105' });
    assert.deepEqual(no.json.matches, []);
    // strong before weak
    const mix = await match({ name: simplified, phone: m });
    assert.equal(mix.json.matches[0].customer.code, a.code);
    assert.equal(mix.json.matches[0].strength, 'strong');
});

test('search: code, full phone, last four digits, phone prefix, email, two-character name prefix', async () => {
    const m = mobile();
    const c = (await create({ name: '黎明', phone: m, email: `liming${m}@sina.com` })).json;
    await create({ name: '黎明辉', phone: mobile() });
    const codes = async (q, extra) => {
        const r = await search(q, extra);
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((x) => x.code);
    };
    assert.deepEqual(await codes(c.code), [c.code]);
    assert.deepEqual(await codes(c.code.toLowerCase()), [c.code]);
    assert.ok((await codes(c.code.slice(0, 8))).includes(c.code));
    assert.deepEqual(await codes(`+86 ${m}`), [c.code]);
    const byTail = await search(m.slice(-4));
    assert.ok(byTail.json.items.some((x) => x.code === c.code && x.matched_on === 'phone_tail'), byTail.text);
    const byTail6 = await search(m.slice(-6));
    assert.ok(byTail6.json.items.some((x) => x.code === c.code));
    const byPrefix = await search(m.slice(0, 7));
    assert.ok(byPrefix.json.items.some((x) => x.code === c.code && x.matched_on === 'phone_prefix'));
    assert.deepEqual(await codes(`LIMING${m}@SINA.COM`), [c.code]);
    assert.ok((await codes(`liming${m}@`)).includes(c.code));
    const byName = await search('黎明');
    assert.ok(byName.json.items.length >= 2);
    assert.ok(byName.json.items.every((x) => x.name.startsWith('黎明')));
    assert.equal(byName.json.items[0].matched_on, 'name');
    assert.ok((await codes('黎')).includes(c.code));
    // an unknown name finds nothing
    assert.deepEqual(await codes('不存在的人名字'), []);
});

test('search: name results page with a cursor; traditional input finds simplified names', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await create({ name: `钟离${'甲乙丙丁戊'[i]}`, phone: mobile() })).json.code);
    const seen = [];
    let cursor;
    for (let page = 0; page < 5; page++) {
        const r = await search('鍾離', { limit: '2', ...(cursor ? { cursor } : {}) });
        assert.equal(r.status, 200);
        seen.push(...r.json.items.map((x) => x.code));
        cursor = r.json.next_cursor;
        if (!cursor) break;
    }
    assert.deepEqual(seen.sort(), made.sort());
    const r = await search('x', { limit: '0' });
    assert.equal(r.status, 422);
});

test('update: needs the current version (409 stale_version), replaces phones, refuses a taken phone unless forced', async () => {
    const m = mobile();
    const c = (await create({ name: '周杰', phone: m })).json;
    const other = (await create({ name: '周杰伦', phone: mobile() })).json;
    const path = `/api/v1/customers/${c.code}`;
    const ok = await call(path, { method: 'PATCH', body: { version: 1, name: '周 杰', region: '110105', phones: [m, '010-8599 0000'] } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.version, 2);
    assert.equal(ok.json.name, '周 杰');
    assert.deepEqual(ok.json.phones.map((p) => p.number), [m, '01085990000']);
    const stale = await call(path, { method: 'PATCH', body: { version: 1, name: '周杰' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.code, 'stale_version');
    const noVersion = await call(path, { method: 'PATCH', body: { name: '周杰' } });
    assert.equal(noVersion.status, 422);
    assert.ok(noVersion.json.error.fields.version);
    const bad = await call(path, { method: 'PATCH', body: { version: 2, email: 'nope' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.fields.email, 'invalid');
    const empty = await call(path, { method: 'PATCH', body: { version: 2, phones: [] } });
    assert.equal(empty.status, 422);
    const taken = await call(path, { method: 'PATCH', body: { version: 2, phones: [m, other.phone] } });
    assert.equal(taken.status, 409);
    assert.equal(taken.json.error.code, 'duplicate');
    assert.equal(taken.json.error.matches[0].customer.code, other.code);
    const forced = await call(path, { method: 'PATCH', body: { version: 2, phones: [m, other.phone], force: true } });
    assert.equal(forced.status, 200);
    assert.equal(forced.json.version, 3);
    // the name key follows the name: the new name is found
    const found = await match({ name: '周杰' });
    assert.ok(found.json.matches.some((x) => x.customer.code === c.code));
    const missing = await call('/api/v1/customers/C99999999', { method: 'PATCH', body: { version: 1, name: 'x' } });
    assert.equal(missing.status, 404);
});

test('consents per channel are recorded, shown and audited in the history', async () => {
    const c = (await create({ name: '孙丽', phone: mobile() })).json;
    const path = `/api/v1/customers/${c.code}/consents`;
    const r = await call(path, { method: 'PUT', body: { sms: true, email: false, source: 'phone call' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.consents, { phone: null, sms: true, email: false, fax: null, post: null });
    assert.equal(r.json.consent_details.sms.source, 'phone call');
    const r2 = await call(path, { method: 'PUT', body: { sms: null, post: true } });
    assert.deepEqual(r2.json.consents, { phone: null, sms: null, email: false, fax: null, post: true });
    for (const body of [{ sms: 'yes' }, {}, { tv: true }]) {
        const bad = await call(path, { method: 'PUT', body });
        assert.equal(bad.status, 422, JSON.stringify(body));
    }
    const h = await call(`/api/v1/customers/${c.code}/history`);
    assert.equal(h.status, 200);
    const consent = h.json.items.filter((x) => x.action === 'consent');
    assert.equal(consent.length, 4); // sms on, email off, sms cleared, post on
    assert.equal(h.json.items.at(-1).action, 'create');
    assert.equal(Number(await sql(`SELECT COUNT(*) FROM audit WHERE entity = 'customer' AND entity_code = '${c.code}' AND action = 'consent'`)), 4);
});

test('merge moves history, identities and other records to the survivor; the old code resolves to it', async () => {
    const m1 = mobile(), m2 = mobile();
    const a = (await create({ name: '郭靖', phone: m1 })).json;
    const b = (await create({ name: '郭 靖', phone: m2, email: `gj${m2}@126.com`, region: '330106', address: '杭州' })).json;
    await call(`/api/v1/customers/${b.code}/consents`, { method: 'PUT', body: { email: true } });
    // another capability's record under the duplicate: a registered unit (warranty history source)
    const bid = await sql(`SELECT id FROM customers WHERE code = '${b.code}'`);
    await sql(`INSERT INTO product_lines (code, name, created_at) VALUES ('PLM${process.pid}', 'line', 0)`);
    await sql(`INSERT INTO models (code, name, product_line_id, warranty_months, created_at, updated_at)
        SELECT 'MM${process.pid}', 'Model M', id, 12, 0, 0 FROM product_lines WHERE code = 'PLM${process.pid}'`);
    await sql(`INSERT INTO units (serial, model_id, customer_id, registered_at, warranty_until, created_at, updated_at)
        SELECT 'SM${process.pid}', id, ${bid}, 1700000000, '2030-01-01', 0, 0 FROM models WHERE code = 'MM${process.pid}'`);

    const agentTry = await call(`/api/v1/customers/${a.code}/merge`, { body: { duplicate: b.code } });
    assert.equal(agentTry.status, 403);
    const stale = await s.api(`/api/v1/customers/${a.code}/merge`, { token: sup, body: { duplicate: b.code, version: 7 } });
    assert.equal(stale.status, 409);
    for (const [dup, why] of [[a.code, 'same_customer'], ['C99999998', 'unknown']]) {
        const r = await s.api(`/api/v1/customers/${a.code}/merge`, { token: sup, body: { duplicate: dup } });
        assert.equal(r.status, 422);
        assert.equal(r.json.error.fields.duplicate, why);
    }
    const r = await s.api(`/api/v1/customers/${a.code}/merge`, { token: sup, body: { duplicate: b.code, version: 1 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, a.code);
    assert.deepEqual(r.json.phones.map((p) => p.number), [m1, m2]);
    assert.deepEqual(r.json.emails, [`gj${m2}@126.com`]);
    assert.equal(r.json.region, '330106'); // taken from the duplicate, the survivor had none
    assert.equal(r.json.consents.email, true);
    assert.deepEqual(r.json.merged_codes, [b.code]);

    // the old code resolves to the survivor everywhere
    const old = await call(`/api/v1/customers/${b.code}`);
    assert.equal(old.status, 200);
    assert.equal(old.json.code, a.code);
    assert.equal(old.json.resolved_from, b.code);
    assert.deepEqual((await search(b.code)).json.items.map((x) => x.code), [a.code]);
    const byPhone = await match({ phone: m2 });
    assert.deepEqual(byPhone.json.matches.map((x) => x.customer.code), [a.code]);
    assert.equal(await sql(`SELECT c.code FROM units u JOIN customers c ON c.id = u.customer_id WHERE u.serial = 'SM${process.pid}'`), a.code);

    // the timeline holds the unit, the survivor's and the duplicate's own events
    const h = await call(`/api/v1/customers/${b.code}/history`);
    assert.equal(h.status, 200);
    assert.equal(h.json.code, a.code);
    const kinds = h.json.items.map((x) => `${x.kind}:${x.action ?? ''}:${x.code}`);
    assert.ok(kinds.includes(`warranty::SM${process.pid}`), kinds.join(' '));
    assert.ok(kinds.includes(`customer:merge:${a.code}`));
    assert.ok(kinds.includes(`customer:create:${b.code}`));
    assert.ok(kinds.includes(`customer:consent:${b.code}`));
    const times = h.json.items.map((x) => x.at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');

    // merging a merged code again is refused; a chain stays one hop
    const again = await s.api(`/api/v1/customers/${a.code}/merge`, { token: sup, body: { duplicate: b.code } });
    assert.equal(again.status, 422);
    assert.equal(again.json.error.fields.duplicate, 'already_merged');
    const c = (await create({ name: '黄蓉', phone: mobile() })).json;
    const r2 = await s.api(`/api/v1/customers/${c.code}/merge`, { token: sup, body: { duplicate: a.code } });
    assert.equal(r2.status, 200);
    assert.deepEqual(r2.json.merged_codes.sort(), [a.code, b.code].sort());
    assert.equal((await call(`/api/v1/customers/${b.code}`)).json.code, c.code);
});

test('export holds everything on the person and is audited', async () => {
    const m = mobile();
    const c = (await create({ name: '林黛玉', phone: m, email: `ldy${m}@163.com`, address: '苏州' })).json;
    await call(`/api/v1/customers/${c.code}/consents`, { method: 'PUT', body: { post: true } });
    const r = await call(`/api/v1/customers/${c.code}/export`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.customer.code, c.code);
    assert.equal(r.json.customer.address, '苏州');
    assert.deepEqual(r.json.customer.emails, [`ldy${m}@163.com`]);
    assert.equal(r.json.customer.consents.post, true);
    assert.ok(r.json.history.some((x) => x.action === 'consent'));
    assert.match(r.headers.get('content-disposition') ?? '', /customer-C\d{8}\.json/);
    assert.equal(await sql(`SELECT COUNT(*) FROM audit WHERE entity_code = '${c.code}' AND action = 'export'`), '1');
    assert.equal((await s.api(`/api/v1/customers/${c.code}/export`, { token: marketer })).status, 403);
});

test('erasure removes personal fields, keeps the anonymous record for statistics', async () => {
    const m = mobile();
    const c = (await create({ name: '贾宝玉', phone: m, email: `jby${m}@qq.com`, region: '110108', address: '北京' })).json;
    await call(`/api/v1/customers/${c.code}/consents`, { method: 'PUT', body: { sms: true } });
    const cid = await sql(`SELECT id FROM customers WHERE code = '${c.code}'`);
    await sql(`INSERT INTO product_lines (code, name, created_at) VALUES ('PLE${process.pid}', 'line', 0)`);
    await sql(`INSERT INTO models (code, name, product_line_id, warranty_months, created_at, updated_at)
        SELECT 'ME${process.pid}', 'Model E', id, 12, 0, 0 FROM product_lines WHERE code = 'PLE${process.pid}'`);
    await sql(`INSERT INTO units (serial, model_id, customer_id, created_at, updated_at)
        SELECT 'SE${process.pid}', id, ${cid}, 0, 0 FROM models WHERE code = 'ME${process.pid}'`);
    // another feature's copy of the contact details: a queued confirmation message
    await sql(`INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)
        VALUES ('sms', '${m}', 'warranty_registered', '{"name":"贾宝玉"}', ${cid}, 0)`);

    assert.equal((await call(`/api/v1/customers/${c.code}/erase`, { body: { reason: 'request' } })).status, 403);
    const noReason = await s.api(`/api/v1/customers/${c.code}/erase`, { token: sup, body: {} });
    assert.equal(noReason.status, 422);
    assert.equal(noReason.json.error.fields.reason, 'required');
    const r = await s.api(`/api/v1/customers/${c.code}/erase`, { token: sup, body: { reason: 'customer asked by letter' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { code: c.code, status: 'erased' });

    const get = await call(`/api/v1/customers/${c.code}`);
    assert.equal(get.status, 410);
    assert.equal(get.json.error.code, 'erased');
    assert.deepEqual((await match({ phone: m })).json.matches, []);
    assert.deepEqual((await match({ email: `jby${m}@qq.com` })).json.matches, []);
    assert.deepEqual((await search('贾宝玉')).json.items, []);
    assert.deepEqual((await search(c.code)).json.items, []);
    // the row stays, anonymous; statistics keep region and links
    const row = await sql(`SELECT name || '|' || name_key || '|' || COALESCE(address, '') || '|' || region FROM customers WHERE code = '${c.code}'`);
    assert.equal(row, '|||110108');
    assert.equal(await sql(`SELECT COUNT(*) FROM customer_phones WHERE customer_id = ${cid}`), '0');
    assert.equal(await sql(`SELECT COUNT(*) FROM customer_emails WHERE customer_id = ${cid}`), '0');
    assert.equal(await sql(`SELECT COUNT(*) FROM customer_consents WHERE customer_id = ${cid}`), '0');
    assert.equal(await sql(`SELECT COUNT(*) FROM units WHERE customer_id = ${cid}`), '1');
    assert.equal(await sql(`SELECT recipient || '|' || payload FROM outbox WHERE customer_id = ${cid}`), '|{}');
    assert.equal(await sql(`SELECT COUNT(*) FROM audit WHERE entity_code = '${c.code}' AND action = 'erase'`), '1');
    // a new customer with that phone is not a duplicate any more
    assert.equal((await create({ name: '贾宝玉', phone: m })).status, 201);
});

test('roles: marketers read, outlet staff only match and open one customer, warehouse nothing', async () => {
    const m = mobile();
    const c = (await create({ name: '薛宝钗', phone: m })).json;
    assert.equal((await search('薛宝钗', {}, marketer)).status, 200);
    assert.equal((await s.api(`/api/v1/customers/${c.code}/history`, { token: marketer })).status, 200);
    assert.equal((await create({ name: '薛蟠', phone: mobile() }, marketer)).status, 403);
    assert.equal((await match({ phone: m }, tech)).status, 200);
    assert.equal((await s.api(`/api/v1/customers/${c.code}`, { token: tech })).status, 200);
    assert.equal((await search('薛', {}, tech)).status, 403);
    assert.equal((await s.api(`/api/v1/customers/${c.code}/history`, { token: tech })).status, 403);
    assert.equal((await create({ name: '薛蟠', phone: mobile() }, tech)).status, 403);
    assert.equal((await match({ phone: m }, warehouse)).status, 403);
    assert.equal((await s.api('/api/v1/customers/match?phone=' + m)).status, 401);
});
