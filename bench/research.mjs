// Market research send (M12): N customers (default 20000) with an email and email
// consent in one region, a segment over them, one questionnaire sent by email (the
// freeze, N signed links, N outbox messages with List-Unsubscribe in one transaction),
// then 200 answers by link and the results. Prints one JSON line.
// AFTERSALES_BIN=build/aftersales [AFTERSALES_TEST_PG=URL] [N=20000] node bench/research.mjs
import { startServer } from '../tests/api/lib/server.mjs';
import { sql } from '../tests/api/network-helpers.mjs';
const N = Number(process.env.N || 20000);
const s = await startServer({ args: ['--public-rate', '1000000'] });
try {
  const m = await s.token('marketer');
  const t = 1_750_000_000;
  for (let b = 0; b < N; b += 1000) {
    const c = [], e = [], k = [];
    for (let i = b; i < Math.min(N, b + 1000); i++) {
      const id = 500000 + i;
      c.push(`(${id}, 'BC${i}', 'B ${i}', 'b ${i}', '540102', ${t}, ${t})`);
      e.push(`(${id}, 'b${i}@example.com', ${t})`);
      k.push(`(${id}, 'email', 1, ${t}, 'bench')`);
    }
    await sql(s, `INSERT INTO customers (id, code, name, name_key, region, created_at, updated_at) VALUES ${c.join(',')}`);
    await sql(s, `INSERT INTO customer_emails (customer_id, email, created_at) VALUES ${e.join(',')}`);
    await sql(s, `INSERT INTO customer_consents (customer_id, channel, granted, updated_at, updated_by) VALUES ${k.join(',')}`);
  }
  const seg = await s.api('/api/v1/segments', { token: m, body: { name: 'b', filter: { region: '54' } } });
  const q = await s.api('/api/v1/questionnaires', { token: m, body: { title: { zh: 'b', en: 'b' }, questions: [{ kind: 'scale', text: { zh: 'a', en: 'a' }, min: 0, max: 10 }] } });
  let t0 = Date.now();
  const r = await s.api(`/api/v1/questionnaires/${q.json.code}/send`, { token: m, body: { segment: seg.json.code, channel: 'email', version: 1 } });
  const sendMs = Date.now() - t0;
  const toks = (await sql(s, `SELECT payload FROM outbox WHERE template = 'research_invitation' ORDER BY id LIMIT 200`)).split('\n').map((p) => JSON.parse(p).link.split('#')[1]);
  t0 = Date.now();
  for (const tok of toks) await s.api(`/api/v1/public/research/${tok}`, { method: 'POST', body: { answers: { 1: 7 } } });
  const ansMs = (Date.now() - t0) / toks.length;
  t0 = Date.now();
  const res = await s.api(`/api/v1/questionnaires/${q.json.code}/results`, { token: m });
  const resMs = Date.now() - t0;
  console.log(JSON.stringify({ backend: process.env.AFTERSALES_TEST_PG ? 'pg' : 'sqlite', N, status: r.status, recipients: r.json.recipients, sendMs, answerMsEach: ansMs, resultsMs: resMs, responses: res.json.responses }));
} finally { await s.stop(); }
