// Inbound email (issue 11 item 4): `aftersales mail-in` with real messages built here
// (GBK, GB2312-labelled GBK, Big5 and UTF-8 bodies, encoded-word subjects, RFC 2231 file
// names, attachments), threading by References to our outbox messages, a repair code from
// the customer and from a stranger, auto-replies and the loop guard, a bounce marking its
// outbox row, one acknowledgement per address and day, the message and attachment routes,
// and `aftersales mail-fetch` against a throw-away Dovecot on a private port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, BIN, runProcess } from './lib/server.mjs';
import { sql, outletBody } from './network-helpers.mjs';
import { message, bounce, wordB, wordQ, ext2231, enc } from './mail-helpers.mjs';

let s, agent, alice, repair;
const ALICE = 'Alice.Wang@Example.COM';

before(async () => {
    s = await startServer();
    agent = await s.token('agent');
    const c = await s.api('/api/v1/customers', { token: agent, body: { name: '王爱丽', phone: '13800138555', email: ALICE } });
    assert.equal(c.status, 201, c.text);
    alice = c.json.code;
    repair = 'R2612030042';
    const now = Math.floor(Date.now() / 1000);
    await sql(s, `INSERT INTO repairs (code, customer_id, status, registered_at, created_at, updated_at)
        SELECT '${repair}', id, 'received', ${now}, ${now}, ${now} FROM customers WHERE code = '${alice}'`);
});
after(async () => { await s?.stop(); });

async function mailIn(raw) {
    const r = await s.run(['mail-in'], { input: raw });
    assert.equal(r.code, 0, r.stderr);
    const m = /stored mail (\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const g = await s.api(`/api/v1/mail/messages/${m[1]}`, { token: agent });
    assert.equal(g.status, 200, g.text);
    return g.json;
}
const count = async (where) => Number(await sql(s, `SELECT COUNT(*) FROM ${where}`));
const acksTo = (addr) => count(`outbox WHERE template = 'mail_ack' AND recipient = '${addr}'`);
async function download(p) {
    const res = await fetch(new URL(p, s.url), { headers: { Authorization: `Bearer ${agent}` } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('RFC 2231 file names labelled gb2312 read as GB18030, also split into continuations', async () => {
    const name = '喆堃的发票.pdf'; // 喆 and 堃 are GBK, not GB2312
    const whole = ext2231(name, 'GBK', 'gb2312');
    const tail = ext2231('说明书.txt', 'GBK', 'GB2312').split("''")[1];
    const raw = message({
        from: `Alice <${ALICE}>`, subject: 'files', messageId: 'gbk-2231@example.com',
        body: { text: 'see attached\r\n', charset: 'UTF-8' },
        attachments: [
            { type: 'application/pdf', filenameParam: `filename*=${whole}`, data: Buffer.from('%PDF-1.4\n') },
            { type: 'text/plain', filenameParam: `filename*0*=GB2312''${tail.slice(0, 9)};\r\n filename*1*=${tail.slice(9)}`, data: Buffer.from('x') },
            { type: 'text/plain', filenameParam: `filename=${wordB('堃.txt', 'GBK', 'gb2312')}`, data: Buffer.from('y') },
        ],
    });
    const m = await mailIn(raw);
    assert.deepEqual(m.attachments.map((a) => a.filename), [name, '说明书.txt', '堃.txt']);
});

test('GB2312-labelled GBK body and subject read as GB18030; an RFC 2231 GBK file name; the attachment downloads byte for byte', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80])]);
    const raw = message({
        from: `${wordB('王爱丽', 'GBK', 'gb2312')} <${ALICE}>`,
        subject: wordB('喆堃的电视没有声音', 'GBK', 'GB2312'), // 喆 and 堃 are GBK, not GB2312
        messageId: 'gbk-1@example.com',
        body: { text: '您好，喆堃的电视没有声音。\r\n', charset: 'GBK', label: 'gb2312' },
        attachments: [{ type: 'application/pdf', filenameParam: `filename*=${ext2231('发票.pdf', 'GBK')}`, data: pdf }],
    });
    const m = await mailIn(raw);
    assert.equal(m.subject, '喆堃的电视没有声音');
    assert.equal(m.from_name, '王爱丽');
    assert.equal(m.from, 'alice.wang@example.com');
    assert.equal(m.body_text.trim(), '您好，喆堃的电视没有声音。');
    assert.equal(m.matched_by, 'customer');
    assert.equal(m.customer, alice);
    assert.equal(m.repair, null);
    assert.deepEqual(m.attachments, [{ n: 1, filename: '发票.pdf', mime_type: 'application/pdf', size: pdf.length }]);
    const d = await download(`/api/v1/mail/messages/${m.id}/attachments/1`);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-type'), 'application/pdf');
    assert.match(d.headers.get('content-disposition'), /filename\*=UTF-8''%E5%8F%91%E7%A5%A8\.pdf/);
    assert.deepEqual(d.body, pdf);
    const rawBack = await download(`/api/v1/mail/messages/${m.id}/raw`);
    assert.deepEqual(rawBack.body, raw, 'the raw message is kept whole');
    const list = await s.api(`/api/v1/mail/messages/${m.id}/attachments`, { token: agent });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((a) => a.filename), ['发票.pdf']);
    const csv = await download(`/api/v1/mail/messages/${m.id}/attachments?format=csv`);
    assert.match(csv.body.toString('utf8'), /发票\.pdf/);
    // the contact is logged under the customer
    const ct = await s.api(`/api/v1/contacts?customer=${alice}`, { token: agent });
    assert.equal(ct.status, 200, ct.text);
    const mine = ct.json.items.find((x) => x.code === m.contact);
    assert.ok(mine, JSON.stringify(ct.json.items));
    assert.equal(mine.channel, 'email');
    assert.equal(mine.subject, '喆堃的电视没有声音');
});

test('GBK (Q words), GB2312, Big5 and UTF-8 (a character split across two words) are stored as UTF-8; HTML is kept', async () => {
    const gbk = await mailIn(message({ from: 'a1@example.net', subject: wordQ('维修进度 查询', 'GBK', 'gbk'),
        body: { text: '请问维修进度？', charset: 'GBK', label: 'GBK', cte: 'base64' } }));
    assert.equal(gbk.subject, '维修进度 查询');
    assert.equal(gbk.body_text.trim(), '请问维修进度？');
    const gb = await mailIn(message({ from: 'a2@example.net', subject: wordB('保修', 'GB2312', 'cp936'),
        body: { text: '保修卡丢了', charset: 'GB2312' } }));
    assert.equal(gb.subject, '保修');
    assert.equal(gb.body_text.trim(), '保修卡丢了');
    const big5 = await mailIn(message({ from: 'a3@example.tw', subject: wordB('電視維修', 'BIG5', 'big5'),
        body: { text: '繁體中文的電視壞了', charset: 'BIG5', label: 'Big5' },
        attachments: [{ type: 'text/plain', filenameParam: `filename*=${ext2231('說明.txt', 'UTF-8')}`, data: Buffer.from('x') }] }));
    assert.equal(big5.subject, '電視維修');
    assert.equal(big5.body_text.trim(), '繁體中文的電視壞了');
    const [, full] = [null, enc('你好世界', 'UTF-8')];
    const w1 = `=?UTF-8?B?${full.subarray(0, 4).toString('base64')}?=`, w2 = `=?UTF-8?B?${full.subarray(4).toString('base64')}?=`;
    const u = await mailIn(message({ from: 'a4@example.org', subject: `Re: ${w1}\r\n ${w2}`,
        body: { text: '正文 UTF-8', charset: 'UTF-8' }, html: '<p>正文 <b>HTML</b></p>',
        attachments: [{ type: 'image/png', filenameParam: 'filename="photo.png"', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
            { type: 'text/html', filenameParam: 'filename="x.html"', data: Buffer.from('<script>alert(1)</script>') }] }));
    assert.equal(u.subject, 'Re: 你好世界');
    assert.equal(u.body_text.trim(), '正文 UTF-8');
    assert.equal(u.body_html, '<p>正文 <b>HTML</b></p>');
    assert.deepEqual(big5.attachments.map((a) => a.filename), ['說明.txt']);
    assert.deepEqual(u.attachments.map((a) => [a.filename, a.size]), [['photo.png', 4], ['x.html', 25]]);
    const png = await download(`/api/v1/mail/messages/${u.id}/attachments/1`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const h = await download(`/api/v1/mail/messages/${u.id}/attachments/2`);
    assert.equal(h.headers.get('content-type'), 'application/octet-stream', 'HTML from a sender is never served as HTML');
    assert.match(h.headers.get('content-disposition'), /^attachment;/);
    assert.equal(u.matched_by, 'none');
    assert.equal(u.customer, null);
});

test('a reply threads by References to our outbox message, even from another address', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ob = await sql(s, `INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)
        SELECT 'email', 'alice.wang@example.com', 'repair_ready', '{"code":"${repair}"}', id, ${now}
        FROM customers WHERE code = '${alice}' RETURNING id`);
    const m = await mailIn(message({ from: 'someone.else@example.org', subject: 'Re: 您的维修',
        messageId: 'reply-1@example.org',
        headers: ['In-Reply-To: <not-ours@example.org>', `References: <x@y.z>\r\n <outbox-${ob}.a1b2c3d4@aftersales.example>`],
        body: { text: '谢谢', charset: 'UTF-8' } }));
    assert.equal(m.matched_by, 'outbox');
    assert.equal(m.customer, alice);
    assert.equal(m.repair, repair);
    assert.equal(m.references, `x@y.z outbox-${ob}.a1b2c3d4@aftersales.example`);
    const c = await s.api(`/api/v1/contacts/${m.contact}`, { token: agent });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.repair, repair);
    assert.equal(c.json.customer.code, alice);
    // and a reply to that reply threads through the stored message
    const m2 = await mailIn(message({ from: 'third@example.org', subject: 'Re: Re:',
        headers: ['In-Reply-To: <reply-1@example.org>'], body: { text: 'more', charset: 'UTF-8' } }));
    assert.equal(m2.matched_by, 'thread');
    assert.equal(m2.repair, repair);
});

test('a repair code in the subject: attached from the customer, a new unmatched contact from a stranger', async () => {
    const own = await mailIn(message({ from: `王爱丽 <${ALICE.toLowerCase()}>`, subject: `关于 ${repair.toLowerCase()} 的进度`,
        body: { text: '进度？', charset: 'UTF-8' } }));
    assert.equal(own.matched_by, 'repair');
    assert.equal(own.repair, repair);
    assert.equal(own.customer, alice);
    const before = await count(`contacts WHERE repair_id IS NOT NULL`);
    const evil = await mailIn(message({ from: 'Mallory <mallory@evil.example>', subject: `Re: ${repair} 取消维修`,
        body: { text: '请取消', charset: 'UTF-8' } }));
    assert.equal(evil.matched_by, 'none');
    assert.equal(evil.repair, null);
    assert.equal(evil.customer, null);
    assert.equal(await count(`contacts WHERE repair_id IS NOT NULL`), before, 'the stranger is not attached to the repair');
    const c = await s.api(`/api/v1/contacts/${evil.contact}`, { token: agent });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.customer, null);
    assert.equal(c.json.address, 'mallory@evil.example');
    assert.equal(c.json.repair, null);
});

test('the loop guard: no acknowledgement to auto-replies, lists, bulk, an empty Return-Path or MAILER-DAEMON', async () => {
    const cases = [
        ['auto1@example.com', ['Auto-Submitted: auto-replied']],
        ['auto2@example.com', ['Precedence: bulk']],
        ['auto3@example.com', ['Precedence: junk']],
        ['auto4@example.com', ['List-Id: <news.example.com>']],
        ['auto5@example.com', ['Return-Path: <>']],
        ['MAILER-DAEMON@example.com', []],
    ];
    for (const [from, headers] of cases) {
        const m = await mailIn(message({ from, subject: 'Out of office', headers, body: { text: 'away', charset: 'UTF-8' } }));
        assert.equal(m.kind, 'auto', from);
        assert.equal(m.acked, false, from);
        assert.equal(await acksTo(from.toLowerCase()), 0, from);
    }
    // Auto-Submitted: no is a person writing
    const person = await mailIn(message({ from: 'person@example.com', subject: 'hi', headers: ['Auto-Submitted: no'],
        body: { text: 'hello', charset: 'UTF-8' } }));
    assert.equal(person.kind, 'message');
    assert.equal(person.acked, true);
});

test('one acknowledgement per address per day, queued with Auto-Submitted: auto-generated', async () => {
    const first = await mailIn(message({ from: 'bob@example.com', subject: 'one', messageId: 'bob-1@example.com',
        body: { text: '1', charset: 'UTF-8' } }));
    const second = await mailIn(message({ from: 'Bob <BOB@example.com>', subject: 'two', body: { text: '2', charset: 'UTF-8' } }));
    assert.equal(first.acked, true);
    assert.equal(second.acked, false);
    assert.equal(await acksTo('bob@example.com'), 1);
    const payload = JSON.parse(await sql(s, `SELECT payload FROM outbox WHERE template = 'mail_ack' AND recipient = 'bob@example.com'`));
    assert.deepEqual(payload, { subject: 'one', in_reply_to: 'bob-1@example.com', references: '',
        headers: { 'Auto-Submitted': 'auto-generated' } });
});

test('a bounce marks its outbox message and is not a contact', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ob = await sql(s, `INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at, status, sent_at)
        SELECT 'email', 'gone@example.com', 'repair_ready', '{}', id, ${now}, 'sent', ${now} FROM customers WHERE code = '${alice}' RETURNING id`);
    const contacts = await count('contacts');
    const acks = await count(`outbox WHERE template = 'mail_ack'`);
    const m = await mailIn(bounce(`<outbox-${ob}.ffee0011@aftersales.example>`, 'gone@example.com'));
    assert.equal(m.kind, 'bounce');
    assert.equal(m.matched_by, 'ignored');
    assert.equal(m.contact, null);
    assert.equal(m.customer, null);
    assert.equal(await count('contacts'), contacts);
    assert.equal(await count(`outbox WHERE template = 'mail_ack'`), acks);
    assert.equal(await sql(s, `SELECT status || ' ' || last_error FROM outbox WHERE id = ${ob}`), 'bounced bounced: 5.1.1');
    assert.equal(await sql(s, `SELECT COUNT(*) FROM audit WHERE action = 'bounce' AND entity_code = '${ob}'`), '1');
    assert.equal(await sql(s, `SELECT outbox_id || ' ' || status FROM mail_bounces WHERE mail_id = ${m.id}`), `${ob} 5.1.1`);
    // a bounce naming no message of ours is still stored, and changes no outbox row
    const other = await mailIn(bounce('<elsewhere@example.com>', 'x@example.com'));
    assert.equal(other.kind, 'bounce');
    assert.equal(await count(`mail_bounces WHERE mail_id = ${other.id}`), 0);
});

test('routes: list by customer with downloads, 404s, outlet staff and bad input refused; mail-in fails loudly without a database', async () => {
    const l = await s.api(`/api/v1/mail/messages?customer=${alice}`, { token: agent });
    assert.equal(l.status, 200, l.text);
    assert.ok(l.json.items.length >= 3);
    assert.ok(l.json.items.every((m) => m.customer === alice));
    const x = await download(`/api/v1/mail/messages?customer=${alice}&format=xlsx`);
    assert.equal(x.status, 200);
    assert.equal(x.body.subarray(0, 2).toString(), 'PK');
    assert.equal((await s.api('/api/v1/mail/messages/999999', { token: agent })).status, 404);
    assert.equal((await s.api('/api/v1/mail/messages/abc', { token: agent })).status, 404);
    assert.equal((await s.api(`/api/v1/mail/messages/${l.json.items[0].id}/attachments/99`, { token: agent })).status, 404);
    assert.equal((await s.api('/api/v1/mail/messages?customer=C99999999', { token: agent })).status, 404);
    assert.equal((await s.api('/api/v1/mail/messages?kind=weird', { token: agent })).status, 422);
    const o = await s.api('/api/v1/outlets', { token: await s.token('admin'), body: outletBody('KM') });
    assert.equal(o.status, 201, o.text);
    const tech = await s.token('technician', 'KM');
    assert.equal((await s.api('/api/v1/mail/messages', { token: tech })).status, 403);
    const bad = await s.run(['mail-in', '--db', 'postgres://127.0.0.1:1/none'], { input: message({ from: 'z@example.com' }) });
    assert.notEqual(bad.code, 0);
    // several files in one process, each its own transaction; a missing one fails the run
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mail-in-'));
    try {
        writeFileSync(path.join(dir, 'a.eml'), message({ from: 'files1@example.com', subject: 'a', body: { text: 'a', charset: 'UTF-8' } }));
        writeFileSync(path.join(dir, 'b.eml'), message({ from: 'files2@example.com', subject: 'b', body: { text: 'b', charset: 'UTF-8' } }));
        const two = await s.run(['mail-in', path.join(dir, 'a.eml'), path.join(dir, 'b.eml')]);
        assert.equal(two.code, 0, two.stderr);
        assert.equal(two.stdout.match(/stored mail \d+/g).length, 2);
        const missing = await s.run(['mail-in', path.join(dir, 'a.eml'), path.join(dir, 'none.eml')]);
        assert.equal(missing.code, 75);
        assert.equal(await count(`mail_messages WHERE from_addr = 'files1@example.com'`), 2);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test('erasing a customer blanks their mail and drops its attachments; a merge moves it', async () => {
    const mk = async (name, email) => {
        const c = await s.api('/api/v1/customers', { token: agent, body: { name, email } });
        assert.equal(c.status, 201, c.text);
        return c.json.code;
    };
    const gone = await mk('要删除', 'erase.me@example.com');
    const m = await mailIn(message({ from: 'erase.me@example.com', subject: '私人信息', body: { text: '地址：某街 1 号', charset: 'UTF-8' },
        attachments: [{ type: 'text/plain', filenameParam: 'filename="id.txt"', data: Buffer.from('身份证') }] }));
    assert.equal(m.customer, gone);
    const sup = await s.token('supervisor');
    const r = await s.api(`/api/v1/customers/${gone}/erase`, { token: sup, body: { reason: 'customer asked' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await sql(s, `SELECT from_addr || '|' || subject || '|' || body_text || '|' || raw FROM mail_messages WHERE id = ${m.id}`), '|||');
    assert.equal(await count(`mail_attachments WHERE message_id = ${m.id}`), 0);
    const dup = await mk('重复', 'dup.one@example.com');
    const keep = await mk('保留', 'dup.two@example.com');
    const d = await mailIn(message({ from: 'dup.one@example.com', subject: 'dup', body: { text: 'x', charset: 'UTF-8' } }));
    assert.equal(d.customer, dup);
    const mg = await s.api(`/api/v1/customers/${keep}/merge`, { token: sup, body: { duplicate: dup } });
    assert.equal(mg.status, 200, mg.text);
    const moved = await s.api(`/api/v1/mail/messages/${d.id}`, { token: agent });
    assert.equal(moved.json.customer, keep);
});

// ---------------------------------------------------------------- IMAP (Dovecot)

const freePort = () => new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
});

/** A throw-away Dovecot (IMAP only, one passwd-file user) on a private port: plaintext, or
 * with tls implicit TLS (imaps) only, with a self-signed certificate for 127.0.0.1 made
 * by openssl in its folder (ca: that certificate, for --ca-file). */
async function startDovecot({ tls = false } = {}) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dovecot-'));
    const port = await freePort();
    const ca = path.join(dir, 'cert.pem'), key = path.join(dir, 'key.pem');
    if (tls) {
        const r = await runProcess('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
            '-out', ca, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
        assert.equal(r.code, 0, r.stderr);
    }
    const home = path.join(dir, 'home');
    for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(home, 'u', 'Maildir', d), { recursive: true });
    chmodSync(dir, 0o755);
    for (const d of ['', 'u', 'u/Maildir', 'u/Maildir/new', 'u/Maildir/cur', 'u/Maildir/tmp']) chmodSync(path.join(home, d), 0o777);
    writeFileSync(path.join(dir, 'passwd'), 'u:{PLAIN}secret-pw\n');
    writeFileSync(path.join(dir, 'auth'), 'u:secret-pw\n');
    const uid = process.getuid(), gid = process.getgid();
    const user = uid === 0 ? 'nobody' : os.userInfo().username;
    const group = uid === 0 ? 'nogroup' : (readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid)) ?? 'x').split(':')[0];
    const [muid, mgid] = uid === 0 ? [65534, 65534] : [uid, gid];
    writeFileSync(path.join(dir, 'dovecot.conf'), `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/run
log_path = ${dir}/log
${tls ? `ssl = required
ssl_cert = <${ca}
ssl_key = <${key}` : 'ssl = no'}
auth_mechanisms = plain
disable_plaintext_auth = no
default_internal_user = ${user}
default_internal_group = ${group}
default_login_user = ${user}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${muid} gid=${mgid} home=${home}/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${tls ? 0 : port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tls ? port : 0}
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`);
    const child = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) { // wait for the listener
        const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); }); c.on('error', () => r(false)); });
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
    }
    const put = (name, raw, seen = false) => {
        const f = path.join(home, 'u', 'Maildir', seen ? 'cur' : 'new', seen ? `${name}:2,S` : name);
        writeFileSync(f, raw);
        chmodSync(f, 0o666);
    };
    return { port, dir, put, ca, auth: path.join(dir, 'auth'),
        stop: async () => { process.kill(child.pid, 'SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(dir, { recursive: true, force: true }); } };
}

test('mail-fetch stores each unseen message once and marks it seen only after storing', async () => {
    const dv = await startDovecot();
    try {
        dv.put('1.eml', message({ from: 'imap1@example.com', subject: wordB('邮件一', 'GBK', 'gb2312'), body: { text: '一', charset: 'GBK' } }));
        dv.put('2.eml', message({ from: 'imap2@example.com', subject: 'two', body: { text: 'two', charset: 'UTF-8' },
            attachments: [{ type: 'application/octet-stream', filenameParam: 'filename="a.bin"', data: Buffer.alloc(300000, 7) }] }));
        dv.put('3.eml', message({ from: 'imap3@example.com', subject: 'already read', body: { text: 'x', charset: 'UTF-8' } }), true);
        const url = `imap://127.0.0.1:${dv.port}/INBOX`;
        const before = await count('mail_messages');
        // a database that cannot store: nothing is marked seen
        const broken = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth, '--db', 'postgres://127.0.0.1:1/none']);
        assert.notEqual(broken.code, 0);
        const r = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /stored 2 messages/);
        assert.equal(await count('mail_messages'), before + 2);
        assert.equal(await sql(s, `SELECT subject FROM mail_messages WHERE from_addr = 'imap1@example.com'`), '邮件一');
        assert.equal(await sql(s, `SELECT a.size FROM mail_attachments a JOIN mail_messages m ON m.id = a.message_id
            WHERE m.from_addr = 'imap2@example.com'`), '300000');
        assert.equal(await count(`mail_messages WHERE from_addr = 'imap3@example.com'`), 0);
        const again = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth]);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /stored 0 messages/);
        const wrong = path.join(dv.dir, 'wrong');
        writeFileSync(wrong, 'u:nope\n');
        const denied = await s.run(['mail-fetch', '--url', url, '--auth-file', wrong]);
        assert.notEqual(denied.code, 0);
    } finally {
        await dv.stop();
    }
});

test('mail-fetch over imaps verifies the certificate: refused by default, fetched with --ca-file', async () => {
    const dv = await startDovecot({ tls: true });
    try {
        dv.put('1.eml', message({ from: 'imaps1@example.com', subject: 'over tls', body: { text: 'secret', charset: 'UTF-8' } }));
        const url = `imaps://127.0.0.1:${dv.port}/INBOX`;
        const before = await count('mail_messages');
        // a self-signed certificate is not trusted by the system's CAs: nothing is fetched
        const untrusted = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth]);
        assert.notEqual(untrusted.code, 0);
        assert.match(untrusted.stderr, /certificate/i);
        assert.equal(await count('mail_messages'), before);
        const r = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth, '--ca-file', dv.ca]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /stored 1 messages/);
        assert.equal(await sql(s, "SELECT subject FROM mail_messages WHERE from_addr = 'imaps1@example.com'"), 'over tls');
        const again = await s.run(['mail-fetch', '--url', url, '--auth-file', dv.auth, '--ca-file', dv.ca]);
        assert.match(again.stdout, /stored 0 messages/);
    } finally {
        await dv.stop();
    }
});
