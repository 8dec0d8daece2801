// Helpers shared by the catalog, warranty, repairs and portal API tests (issue 4): a
// server on a fresh database filled by `aftersales demo` (outlets O0001/O0002, the
// catalog, the demo staff with password demo1234), and raw SQL to check what the API
// cannot show (outbox rows, counts proving nothing changed).
import assert from 'node:assert/strict';
import { startServer, runProcess } from './lib/server.mjs';

export const DEMO_PASSWORD = 'demo1234';

/** Start a server on a demo database and log in the demo staff we use. */
export async function demoServer(opts = {}) {
    const s = await startServer({ args: ['--public-rate', '100000'], ...opts });
    const r = await s.run(['demo']);
    assert.equal(r.code, 0, r.stderr);
    const who = {};
    for (const login of ['agent', 'tech', 'tech2', 'manager', 'admin', 'supervisor', 'editor', 'warehouse']) {
        who[login] = await s.login(login, DEMO_PASSWORD);
    }
    return { s, ...who };
}

/** Run SQL on the server's database (sqlite3 or psql); the output as text. */
export async function sql(server, text) {
    const r = server.backend === 'postgres'
        ? await runProcess('psql', ['-v', 'ON_ERROR_STOP=1', '-qAt', server.db, '-c', text])
        : await runProcess('sqlite3', [server.db, text]);
    if (r.code !== 0) throw new Error(`sql failed: ${text}\n${r.stderr}`);
    return r.stdout.trim();
}

let n = 0;
/** A fresh mobile number and serial for this process. */
export function freshPhone() {
    n++;
    return `139${String(process.pid % 10000).padStart(4, '0')}${String(n).padStart(4, '0')}`;
}
export function freshSerial(prefix = 'T') {
    n++;
    return `${prefix}${process.pid}-${n}`.toUpperCase();
}

/** Local (UTC+8) date n days from now, YYYY-MM-DD. */
export function localDate(days = 0) {
    return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}
