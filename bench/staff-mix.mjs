// 500 simulated staff sessions against a running server (issue 16, item 3): each session
// is one keep-alive connection with its own role's token that loops: think (exponential,
// mean THINK_MS), then one request drawn by the proportions below. Latency per request
// kind (p50, p99, max), errors, and the rate, after WARM s of warm-up, for DUR s.
// Usage: node bench/staff-mix.mjs URL PROBES.json   (written by bench/staff-mix.sh)
// The proportions are those of a service desk's working hour as recorded in the demo's
// access pattern (SPEC "Scale": agents search and open cards most, outlets move repairs,
// supervisors watch dashboards): change MIX to weigh them otherwise.
import http from 'node:http';
import fs from 'node:fs';

const [url, probesFile] = process.argv.slice(2);
const P = JSON.parse(fs.readFileSync(probesFile, 'utf8'));
const SESSIONS = +(process.env.SESSIONS || 500);
const THINK_MS = +(process.env.THINK_MS || 1000);
const DUR = +(process.env.DUR || 30);
const WARM = +(process.env.WARM || 5);
const u = new URL(url);
const pick = (a) => a[Math.floor(Math.random() * a.length)];

const MIX = [
    ['search', 25, 'agent'], // customer search: name prefix or phone tail
    ['match', 10, 'agent'], // match by phone while on a call
    ['open_card', 20, 'agent'], // a customer's card and its history
    ['open_repair', 15, 'tech'], // one repair
    ['queue', 10, 'tech'], // the outlet's open queue
    ['register', 8, 'agent'], // a new repair for a known customer and unit
    ['transition', 7, 'tech'], // registered -> received of a repair registered here
    ['dashboard', 5, 'sup'], // at-risk list or this month's turnaround by outlet
];
const total = MIX.reduce((s, m) => s + m[1], 0);

function request(agent, token, method, path, body) {
    return new Promise((resolve) => {
        const data = body ? JSON.stringify(body) : null;
        const t0 = process.hrtime.bigint();
        const req = http.request({
            host: u.hostname, port: u.port, method, path, agent,
            headers: { Authorization: `Bearer ${token}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6, text: Buffer.concat(chunks).toString() }));
        });
        req.on('error', (e) => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, text: String(e) }));
        if (data) req.write(data);
        req.end();
    });
}

const stats = Object.fromEntries(MIX.map(([k]) => [k, { ms: [], bad: 0, codes: {} }]));
let measuring = false;
let stop = false;

async function one(s, kind) {
    const tok = kind[2] === 'agent' ? s.agent : kind[2] === 'tech' ? s.tech : s.sup;
    switch (kind[0]) {
    case 'search': return request(s.http, tok, 'GET', pick(P.search));
    case 'match': return request(s.http, tok, 'GET', pick(P.match));
    case 'open_card': {
        const c = pick(P.customers);
        const a = await request(s.http, tok, 'GET', `/api/v1/customers/${c.code}`);
        if (a.status !== 200) return a;
        const b = await request(s.http, tok, 'GET', `/api/v1/customers/${c.code}/history`);
        return { status: b.status, ms: a.ms + b.ms, text: b.text };
    }
    case 'open_repair': return request(s.http, tok, 'GET', `/api/v1/repairs/${pick(s.outlet.repairs)}`);
    case 'queue': return request(s.http, tok, 'GET', `/api/v1/repairs?open=1`);
    case 'register': {
        const c = pick(P.customers);
        const r = await request(s.http, s.agent, 'POST', '/api/v1/repairs', { customer: c.code, serial: c.serial, kind: 'carry_in', channel: 'phone', fault: '无法开机', outlet: s.outlet.code });
        if (r.status === 201) s.mine.push(JSON.parse(r.text).code);
        return r;
    }
    case 'transition': {
        const code = s.mine.shift();
        if (!code) return one(s, MIX[3]); // nothing registered yet: open a repair instead
        return request(s.http, tok, 'POST', `/api/v1/repairs/${code}/transitions`, { to: 'received' });
    }
    case 'dashboard': return request(s.http, tok, 'GET', pick(P.dashboard));
    }
}

async function session(i) {
    const o = P.outlets[i % P.outlets.length];
    const s = { http: new http.Agent({ keepAlive: true, maxSockets: 1 }), agent: P.tokens.agent[i % P.tokens.agent.length], sup: P.tokens.sup, tech: o.token, outlet: o, mine: [] };
    await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
    while (!stop) {
        let x = Math.random() * total, kind = MIX[0];
        for (const m of MIX) { if ((x -= m[1]) < 0) { kind = m; break; } }
        const r = await one(s, kind);
        if (measuring) {
            const st = stats[kind[0]];
            st.ms.push(r.ms);
            st.codes[r.status] = (st.codes[r.status] || 0) + 1;
            if (r.status < 200 || r.status >= 300) st.bad++;
        }
        await new Promise((res) => setTimeout(res, -Math.log(1 - Math.random()) * THINK_MS));
    }
    s.http.destroy();
}

const q = (a, p) => a.length ? a[Math.min(a.length - 1, Math.floor(a.length * p))] : NaN;
const runs = Array.from({ length: SESSIONS }, (_, i) => session(i));
await new Promise((r) => setTimeout(r, WARM * 1000));
measuring = true;
const t0 = Date.now();
await new Promise((r) => setTimeout(r, DUR * 1000));
measuring = false;
const secs = (Date.now() - t0) / 1000;
stop = true;
await Promise.all(runs);
let n = 0;
console.log(`| request kind | share | requests | req/s | p50 ms | p99 ms | max ms | non-2xx |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const [k, w] of MIX) {
    const st = stats[k];
    st.ms.sort((a, b) => a - b);
    n += st.ms.length;
    const codes = Object.entries(st.codes).filter(([c]) => c < 200 || c >= 300).map(([c, m]) => `${c}:${m}`).join(' ');
    console.log(`| ${k} | ${(100 * w / total).toFixed(0)}% | ${st.ms.length} | ${(st.ms.length / secs).toFixed(0)} | ${q(st.ms, 0.5).toFixed(1)} | ${q(st.ms, 0.99).toFixed(1)} | ${(st.ms.at(-1) ?? NaN).toFixed(1)} | ${st.bad}${codes ? ` (${codes})` : ''} |`);
}
console.log(`\n${SESSIONS} sessions, think time mean ${THINK_MS} ms, ${n} requests in ${secs.toFixed(1)} s (${(n / secs).toFixed(0)} req/s)`);
