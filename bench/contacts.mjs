// bench/contacts.sh part 1: screen pop latency from the CTI webhook to the browser event
// at N concurrent agent SSE streams (default 200): N staff accounts each with an
// extension and an open /api/v1/desk/events stream; CALLS newCall events (CONC in
// flight) ring random extensions; the time from sending the webhook to the 'call' event
// arriving on that agent's stream is measured. Prints p50/p95/p99/max in ms.
import { startServer } from '../tests/api/lib/server.mjs';
import { sql } from '../tests/api/network-helpers.mjs';

const N = Number(process.env.AGENTS || 200), CALLS = Number(process.env.CALLS || 1000), CONC = Number(process.env.CONC || 8);
const s = await startServer();
try {
    await s.addUser('bench0', 'agent');
    const now = Math.floor(Date.now() / 1000);
    await sql(s, `INSERT INTO users (login, name, role, password_hash, active, version, created_at, updated_at)
        SELECT 'bench' || n, 'bench', 'agent', (SELECT password_hash FROM users WHERE login = 'bench0'), 1, 1, ${now}, ${now}
        FROM (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${N - 1}) SELECT n FROM k) q`);
    await sql(s, `INSERT INTO staff_extensions (user_id, extension, updated_at) SELECT id, 'x' || SUBSTR(login, 6), 0 FROM users WHERE login LIKE 'bench%'`);
    await s.api('/api/v1/customers', { token: await s.token('agent'), body: { name: '压测 客户', phone: '13800138000' } });
    const cti = (await s.run(['cti', 'token', 'bench'])).stdout.trim();
    const waiting = new Map(); // callId -> resolve
    const streams = [];
    for (let i = 0; i < N; i += 4) {
        await Promise.all([i, i + 1, i + 2, i + 3].filter((k) => k < N).map(async (k) => {
            const sess = await s.login('bench' + k);
            const res = await sess.fetch('/api/v1/desk/events', { headers: { Accept: 'text/event-stream' } });
            const reader = res.body.getReader();
            const dec = new TextDecoder();
            let buf = '';
            streams.push(reader);
            (async () => {
                for (;;) {
                    const { value, done } = await reader.read().catch(() => ({ done: true }));
                    if (done) return;
                    buf += dec.decode(value, { stream: true });
                    let j;
                    while ((j = buf.indexOf('\n\n')) >= 0) {
                        const block = buf.slice(0, j);
                        buf = buf.slice(j + 2);
                        const m = /"call_id":"([^"]+)"/.exec(block);
                        if (block.startsWith('event: call\n') && m && waiting.has(m[1])) waiting.get(m[1])(performance.now());
                    }
                }
            })();
        }));
    }
    const url = `${s.url}/api/v1/cti/${cti}`;
    const lat = [];
    let next = 0;
    const worker = async () => {
        while (next < CALLS) {
            const i = next++;
            const callId = 'b' + i, ext = 'x' + Math.floor(Math.random() * N);
            const got = new Promise((r) => waiting.set(callId, r));
            const t0 = performance.now();
            const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: `event=newCall&from=%2B8613800138000&to=4008100000&direction=in&callId=${callId}&user%5B%5D=${ext}` });
            if (r.status !== 200) throw new Error('webhook ' + r.status + ' ' + await r.text());
            lat.push((await got) - t0);
            waiting.delete(callId);
        }
    };
    const t = performance.now();
    await Promise.all(Array.from({ length: CONC }, worker));
    const secs = (performance.now() - t) / 1000;
    lat.sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
    console.log(`backend=${s.backend} agents=${N} streams=${streams.length} calls=${CALLS} in_flight=${CONC} ` +
        `rate=${(CALLS / secs).toFixed(0)}/s pop_ms p50=${q(0.5)} p95=${q(0.95)} p99=${q(0.99)} max=${lat[lat.length - 1].toFixed(1)}`);
    for (const r of streams) r.cancel().catch(() => {});
} finally {
    await s.stop();
}
