// The information base (issue 14, contract: GET /api/v1/public/kb/search?q=&lang=):
// the lifecycle and roles, sanitised bodies, versions, twins, the expiring list, images,
// and search: a fixed corpus and 34 fixed queries whose expected results are written
// here, so SQLite and PostgreSQL are held to the same lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, sql } from './repairs-helpers.mjs';
import { startServer } from './lib/server.mjs';

let ctx, s;
const code = {}; // corpus key -> article code

// [key, kind, lang, title, body, {audience, state}] in creation (and publication) order;
// among equal rank the newest comes first.
const CORPUS = [
    ['sound', 'faq', 'zh-CN', '电视没有声音', '<p>请检查静音设置与音频输出。</p>'],
    ['remote', 'faq', 'zh-CN', '遥控器失灵', '<p>更换电池后重新配对遥控器。</p>'],
    ['x85k', 'product_info', 'zh-CN', 'KD-55X85K 参数', '<p>55英寸液晶电视，支持 HDMI 2.1。</p>'],
    ['backlight', 'tech_qa', 'zh-CN', 'X85K 背光闪烁', '<p>检查 KD-55X85K 灯条连接器。</p>', { audience: 'internal' }],
    ['news', 'news', 'zh-CN', '服务中心开业', '<p>徐汇服务中心焕新开业，提供电池检测。</p>'],
    ['battery', 'promotion', 'zh-CN', '电池以旧换新', '<p>原装电池八折优惠。</p>'],
    ['trad', 'faq', 'zh-CN', '保修條款說明', '<p>保修期自購機發票日期起計算。</p>'],
    ['wifi', 'faq', 'en', 'Wi-Fi connection drops', '<p>Restart the router. Model XR-65A95L.</p>'],
    ['soundbar', 'faq', 'en', 'No sound from soundbar', '<p>Check the HDMI ARC cable of the TV.</p>'],
    ['withdrawn', 'faq', 'zh-CN', '电视开机黑屏', '<p>检查电源线。</p>', { state: 'withdrawn' }],
    ['expired', 'promotion', 'zh-CN', '电视过期活动', '<p>已结束的活动。</p>', { state: 'expired' }],
    ['future', 'promotion', 'zh-CN', '电视未来活动', '<p>下月开始。</p>', { state: 'future' }],
    ['draft', 'faq', 'zh-CN', '电视草稿', '<p>未发布。</p>', { state: 'draft' }],
    ['flicker', 'faq', 'zh-CN', '屏幕闪烁怎么办', '<p>请更新固件。电视屏幕闪烁可能与背光有关。</p>'],
    ['ps5', 'news', 'zh-CN', 'PlayStation 5 新品上市', '<p>CFI-2000 型号现已发售。</p>'],
    ['tradremote', 'faq', 'zh-CN', '電視遙控器配對', '<p>長按電源鍵五秒。</p>'],
    ['disc', 'faq', 'en', 'PlayStation 5 disc not read', '<p>Update the system software of the CFI-2000.</p>'],
    ['safe', 'faq', 'zh-CN', '安全测试文章', '<p>安全<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)" onclick="x()">链接</a></p>'],
];

// [query, lang, expected keys in order, the lang answered]
const QUERIES = [
    ['电视', 'zh-CN', ['tradremote', 'sound', 'flicker', 'x85k']],
    ['電視', 'zh-CN', ['tradremote', 'sound', 'flicker', 'x85k']],
    ['kd-55x85k', 'zh-CN', ['x85k']],
    ['KD-55X85K', 'zh-CN', ['x85k']],
    ['Kd-55x85K', 'zh-CN', ['x85k']],
    ['ＫＤ－５５Ｘ８５Ｋ', 'zh-CN', ['x85k']],
    ['遥控', 'zh-CN', ['tradremote', 'remote']],
    ['遙控器', 'zh-CN', ['tradremote', 'remote']],
    ['闪烁', 'zh-CN', ['flicker']],
    ['背光', 'zh-CN', ['flicker']],
    ['电池', 'zh-CN', ['battery', 'news', 'remote']],
    ['保修', 'zh-CN', ['trad']],
    ['條款', 'zh-CN', ['trad']],
    ['发票', 'zh-CN', ['trad']],
    ['声音', 'zh-CN', ['sound']],
    ['黑屏', 'zh-CN', [], 'en'],
    ['过期', 'zh-CN', [], 'en'],
    ['未来', 'zh-CN', [], 'en'],
    ['草稿', 'zh-CN', [], 'en'],
    ['PlayStation', 'zh-CN', ['ps5']],
    ['playstation 5', 'zh-CN', ['ps5']],
    ['CFI-2000', 'zh-CN', ['ps5']],
    ['cfi-2000', 'en', ['disc']],
    ['sound', 'en', ['soundbar']],
    ['soundbar', 'zh-CN', ['soundbar'], 'en'],
    ['wifi', 'en', ['wifi']],
    ['Wi-Fi', 'en', ['wifi']],
    ['XR-65A95L', 'zh-CN', ['wifi'], 'en'],
    ['服务中心', 'zh-CN', ['news']],
    ['开业 电池', 'zh-CN', ['news']],
    ['屏幕，固件', 'zh-CN', ['flicker']],
    ['HDMI', 'zh-CN', ['x85k']],
    ['安全', 'zh-CN', ['safe']],
    ['TV', 'en', ['soundbar']],
    ['长按', 'zh-CN', ['tradremote']],
];

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const search = (q, lang, path = '/api/v1/public/kb/search') =>
    s.api(`${path}?q=${encodeURIComponent(q)}${lang ? `&lang=${lang}` : ''}`);
const step = (who, c, to) => who.request(`/api/v1/kb/articles/${c}/transitions`, { body: { to } });

before(async () => {
    ctx = await demoServer({ env: { AFTERSALES_KB_EXPIRY_INTERVAL: '1' } });
    s = ctx.s;
    // the corpus alone: the demo's articles would answer these queries too
    await sql(s, 'DELETE FROM kb_versions; DELETE FROM kb_article_models; DELETE FROM kb_article_lines;' +
        ' UPDATE kb_articles SET twin_id = NULL; DELETE FROM kb_articles;');
    for (const [key, kind, lang, title, body, opt = {}] of CORPUS) {
        const input = { kind, lang, title, body, audience: opt.audience ?? 'public' };
        if (opt.state === 'future') input.valid_from = iso(Date.now() + 86400e3);
        const r = await ctx.editor.request('/api/v1/kb/articles', { body: input });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.status, 'draft');
        code[key] = r.json.code;
        if (opt.state === 'draft') continue;
        assert.equal((await step(ctx.editor, code[key], 'review')).status, 200);
        const p = await step(ctx.supervisor, code[key], 'published');
        assert.equal(p.status, 200, p.text);
        if (opt.state === 'withdrawn') assert.equal((await step(ctx.editor, code[key], 'withdrawn')).status, 200);
    }
    const now = Math.floor(Date.now() / 1000);
    await sql(s, `UPDATE kb_articles SET valid_from = ${now - 100}, valid_to = ${now - 10} WHERE code = '${code.expired}'`);
});
after(async () => {
    assert.equal(await s.stop(), 0);
});

test('34 fixed queries answer exactly the expected articles, in order (the same on every backend)', async () => {
    const byCode = Object.fromEntries(Object.entries(code).map(([k, c]) => [c, k]));
    const failures = [];
    for (const [q, lang, want, wantLang] of QUERIES) {
        const r = await search(q, lang);
        assert.equal(r.status, 200, `${q}: ${r.text}`);
        const got = r.json.items.map((i) => byCode[i.code] ?? i.code);
        if (JSON.stringify(got) !== JSON.stringify(want) || r.json.lang !== (wantLang ?? lang)) {
            failures.push(`${q} (${lang}): got ${JSON.stringify(got)} in ${r.json.lang}, want ${JSON.stringify(want)}`);
        }
    }
    assert.deepEqual(failures, []);
    assert.ok(QUERIES.length >= 30);
});

test('items carry code, title, kind and a snippet of the plain text', async () => {
    const r = await search('声音', 'zh-CN');
    assert.deepEqual(r.json.items, [{ code: code.sound, title: '电视没有声音', kind: 'faq', snippet: '请检查静音设置与音频输出。' }]);
});

test('withdrawn, expired, future and draft articles are never returned, for staff neither', async () => {
    for (const q of ['黑屏', '过期', '未来', '草稿', '电视']) {
        for (const path of ['/api/v1/public/kb/search', '/api/v1/kb/search']) {
            const r = path.includes('public') ? await search(q, 'zh-CN') : await ctx.agent.request(`${path}?q=${encodeURIComponent(q)}`);
            assert.equal(r.status, 200);
            for (const k of ['withdrawn', 'expired', 'future', 'draft']) {
                assert.equal(r.json.items.some((i) => i.code === code[k]), false, `${q} finds ${k} via ${path}`);
            }
        }
    }
});

test('staff search finds internal articles too; the public one never', async () => {
    const a = await ctx.agent.request(`/api/v1/kb/search?q=${encodeURIComponent('背光')}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json.items.map((i) => i.code), [code.backlight, code.flicker]);
    const b = await ctx.agent.request(`/api/v1/kb/search?q=kd-55x85k`);
    assert.deepEqual(b.json.items.map((i) => i.code), [code.x85k, code.backlight]);
    const pub = await s.api(`/api/v1/public/kb/articles/${code.backlight}`);
    assert.equal(pub.status, 404);
    assert.equal((await s.api('/api/v1/kb/search?q=x')).status, 401);
});

test('an empty, blank or overlong query answers 4xx, never 5xx', async () => {
    for (const q of ['', '   ', '，。！', 'a'.repeat(600), '电'.repeat(10000), 'x'.repeat(10000), 'a b c d e f g h i j']) {
        const r = await s.api(`/api/v1/public/kb/search?q=${encodeURIComponent(q)}`);
        assert.ok(r.status >= 400 && r.status < 500, `${q.slice(0, 10)}… answered ${r.status}`);
    }
    const none = await s.api('/api/v1/public/kb/search');
    assert.equal(none.status, 422);
    assert.equal(none.json.error.fields.q !== undefined, true);
    assert.equal((await search('电视', 'fr')).status, 422);
});

test('an article with <script>, onerror= and javascript: is stored sanitised', async () => {
    const r = await ctx.editor.request(`/api/v1/kb/articles/${code.safe}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.body, '<p>安全<img src="x"><a>链接</a></p>');
    const stored = await sql(s, `SELECT body FROM kb_articles WHERE code = '${code.safe}'`);
    for (const bad of ['script', 'onerror', 'javascript', 'onclick', 'alert']) assert.equal(stored.includes(bad), false, bad);
    const pub = await s.api(`/api/v1/public/kb/articles/${code.safe}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.json.body, '<p>安全<img src="x"><a>链接</a></p>');
});

test('roles: agents read published articles only and write none; only a supervisor publishes', async () => {
    const body = { kind: 'faq', lang: 'zh-CN', title: '角色测试', body: '<p>x</p>' };
    assert.equal((await ctx.agent.request('/api/v1/kb/articles', { body })).status, 403);
    assert.equal((await ctx.agent.request(`/api/v1/kb/articles/${code.draft}`)).status, 404);
    assert.equal((await ctx.agent.request(`/api/v1/kb/articles/${code.sound}`)).status, 200);
    const r = await ctx.editor.request('/api/v1/kb/articles', { body });
    assert.equal(r.status, 201);
    assert.equal((await step(ctx.editor, r.json.code, 'published')).status, 409, 'draft cannot jump to published');
    assert.equal((await step(ctx.editor, r.json.code, 'review')).status, 200);
    const denied = await step(ctx.editor, r.json.code, 'published');
    assert.equal(denied.status, 403);
    assert.equal((await ctx.editor.request(`/api/v1/kb/articles/${r.json.code}`)).json.status, 'review');
    const queue = await ctx.supervisor.request('/api/v1/kb/articles?status=review');
    assert.deepEqual(queue.json.items.map((i) => i.code), [r.json.code]);
});

test('bad input is refused with the field and changes nothing', async () => {
    const before = await sql(s, 'SELECT count(*) FROM kb_articles');
    for (const [body, field] of [
        [{ kind: 'faq', lang: 'fr', title: 't' }, 'lang'],
        [{ kind: 'blog', lang: 'en', title: 't' }, 'kind'],
        [{ kind: 'faq', lang: 'en', title: '' }, 'title'],
        [{ kind: 'faq', lang: 'en', title: 't', valid_from: '2030-01-02T00:00:00Z', valid_to: '2030-01-01T00:00:00Z' }, 'valid_to'],
        [{ kind: 'faq', lang: 'en', title: 't', models: ['NO-SUCH'] }, 'models'],
        [{ kind: 'faq', lang: 'en', title: 't', translation_of: code.wifi }, 'translation_of'],
        [{ kind: 'faq', lang: 'en', title: 't', colour: 'red' }, 'colour'],
    ]) {
        const r = await ctx.editor.request('/api/v1/kb/articles', { body });
        assert.equal(r.status, 422, `${field}: ${r.text}`);
        assert.ok(field in r.json.error.fields, `${field}: ${r.text}`);
    }
    assert.equal(await sql(s, 'SELECT count(*) FROM kb_articles'), before);
});

test('zh-CN and en versions are linked; models and product lines too', async () => {
    const r = await ctx.editor.request('/api/v1/kb/articles', {
        body: { kind: 'faq', lang: 'en', title: 'TV has no sound', body: '<p>Check mute.</p>', translation_of: code.sound, models: ['KD-55X85K'], product_lines: ['TV'] },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.twin, code.sound);
    assert.deepEqual(r.json.models, ['KD-55X85K']);
    assert.deepEqual(r.json.product_lines, ['TV']);
    const zh = await ctx.editor.request(`/api/v1/kb/articles/${code.sound}`);
    assert.equal(zh.json.twin, r.json.code);
    const again = await ctx.editor.request('/api/v1/kb/articles', { body: { kind: 'faq', lang: 'en', title: 'x', translation_of: code.sound } });
    assert.equal(again.status, 422);
});

test('edits keep every version; a stale version is refused; an edit of a published article goes back to draft', async () => {
    const c = code.battery;
    const cur = (await ctx.editor.request(`/api/v1/kb/articles/${c}`)).json;
    assert.equal(cur.status, 'published');
    const r = await ctx.editor.request(`/api/v1/kb/articles/${c}`, { method: 'PATCH', body: { version: cur.version, body: '<p>原装电池七折优惠。</p>' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'draft');
    assert.equal(r.json.version, cur.version + 1);
    assert.equal(r.json.title, '电池以旧换新');
    const stale = await ctx.editor.request(`/api/v1/kb/articles/${c}`, { method: 'PATCH', body: { version: cur.version, title: 'x' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.code, 'stale_version');
    const v = await ctx.editor.request(`/api/v1/kb/articles/${c}/versions?full=1`);
    assert.deepEqual(v.json.items.map((i) => i.status), ['draft', 'published', 'review', 'draft']);
    assert.equal(v.json.items[0].body, '<p>原装电池七折优惠。</p>');
    assert.equal(v.json.items[1].body, '<p>原装电池八折优惠。</p>');
    // back in draft: no longer found
    assert.equal((await search('以旧换新', 'zh-CN')).json.items.length, 0);
    const csv = await ctx.editor.request(`/api/v1/kb/articles/${c}/versions?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.text, /^\uFEFF?version,status,kind,audience,title,actor,at\r\n/);
    await step(ctx.editor, c, 'review');
    await step(ctx.supervisor, c, 'published');
    assert.deepEqual((await search('七折', 'zh-CN')).json.items.map((i) => i.code), [c]);
});

test('the expiring list warns of articles ending soon; the expiry pass withdraws expired ones', async () => {
    const r = await ctx.editor.request('/api/v1/kb/articles', { body: { kind: 'promotion', lang: 'zh-CN', title: '限时活动', valid_to: iso(Date.now() + 5 * 86400e3) } });
    assert.equal(r.status, 201, r.text);
    await step(ctx.editor, r.json.code, 'review');
    await step(ctx.supervisor, r.json.code, 'published');
    const e = await ctx.editor.request('/api/v1/kb/expiring?days=7');
    assert.deepEqual(e.json.items.map((i) => i.code), [r.json.code]);
    assert.deepEqual((await ctx.editor.request('/api/v1/kb/expiring?days=3')).json.items, []);
    const x = await ctx.editor.request('/api/v1/kb/expiring?format=xlsx');
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-type'), /spreadsheetml/);
    assert.equal((await ctx.editor.request('/api/v1/kb/expiring?days=0')).status, 422);
    // the expired article reads as withdrawn, and the pass (every second here) writes it down
    const a = await ctx.editor.request(`/api/v1/kb/articles/${code.expired}`);
    assert.equal(a.json.status, 'withdrawn');
    assert.equal(a.json.expired, true);
    let stored;
    for (let i = 0; i < 40 && stored !== 'withdrawn'; i++) {
        stored = await sql(s, `SELECT status FROM kb_articles WHERE code = '${code.expired}'`);
        if (stored !== 'withdrawn') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(stored, 'withdrawn');
    const v = await ctx.editor.request(`/api/v1/kb/articles/${code.expired}/versions`);
    assert.equal(v.json.items[0].actor, 'expiry');
});

test('images are stored in the database and served with their type', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const r = await ctx.editor.request('/api/v1/kb/images', { body: { mime: 'image/png', data: png.toString('base64') } });
    assert.equal(r.status, 201, r.text);
    const img = await fetch(new URL(r.json.url, s.url));
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), png);
    const bad = await ctx.editor.request('/api/v1/kb/images', { body: { mime: 'image/png', data: Buffer.from('<svg onload=alert(1)>').toString('base64') } });
    assert.equal(bad.status, 422);
    assert.equal((await ctx.agent.request('/api/v1/kb/images', { body: { mime: 'image/png', data: png.toString('base64') } })).status, 403);
});

test('the article list filters and downloads', async () => {
    const r = await ctx.editor.request('/api/v1/kb/articles?status=draft&lang=zh-CN');
    assert.equal(r.status, 200);
    assert.ok(r.json.items.some((i) => i.code === code.draft));
    assert.ok(r.json.items.every((i) => i.status === 'draft' && i.lang === 'zh-CN'));
    const csv = await ctx.editor.request('/api/v1/kb/articles?format=csv');
    assert.match(csv.text, /^\uFEFF?code,lang,kind,audience,status,title,valid_from,valid_to,version,updated_by,updated_at\r\n/);
    assert.ok(csv.text.includes('电视没有声音'));
    assert.equal((await ctx.editor.request('/api/v1/kb/articles?status=gone')).status, 422);
});

test('the portal lists the news, promotions and FAQs in their window', async () => {
    const r = await s.api('/api/v1/public/kb/articles?kind=news&lang=zh-CN');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((i) => i.code), [code.ps5, code.news]);
    const p = await s.api('/api/v1/public/kb/articles?kind=promotion');
    assert.equal(p.json.items.some((i) => [code.expired, code.future].includes(i.code)), false);
    assert.equal((await s.api('/api/v1/public/kb/articles?kind=tech_qa')).status, 422);
});

test('a public article shows its twin only when the twin is public too', async () => {
    const en = await ctx.editor.request('/api/v1/kb/articles', { body: { kind: 'faq', lang: 'en', title: 'Remote not working', translation_of: code.remote } });
    assert.equal(en.status, 201, en.text);
    const zh = await s.api(`/api/v1/public/kb/articles/${code.remote}`);
    assert.equal(zh.json.twin, null, 'the English draft is not offered');
    await step(ctx.editor, en.json.code, 'review');
    await step(ctx.supervisor, en.json.code, 'published');
    assert.equal((await s.api(`/api/v1/public/kb/articles/${code.remote}`)).json.twin, en.json.code);
});

test('the public search is rate-limited per client like the other public routes', async () => {
    const limited = await startServer({ args: ['--public-rate', '5'] });
    try {
        const answers = [];
        for (let i = 0; i < 8; i++) answers.push((await limited.api('/api/v1/public/kb/search?q=%E7%94%B5%E8%A7%86')).status);
        assert.deepEqual(answers.slice(0, 5), [200, 200, 200, 200, 200]);
        assert.equal(answers.at(-1), 429);
    } finally {
        assert.equal(await limited.stop(), 0);
    }
});
