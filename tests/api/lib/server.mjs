// Test harness for black-box API tests (node:test + fetch).
//
// startServer() gives each test file (or test) its own fresh database and its
// own `aftersales serve` on an ephemeral port:
//
//   SQLite (default, or AFTERSALES_TEST_DB=sqlite): a file in a fresh temp dir.
//   PostgreSQL (AFTERSALES_TEST_PG=<URL printed by scripts/pg-cluster start>):
//     a fresh database t_<random> in that cluster, dropped by stop().
//
// The binary is build/aftersales, or AFTERSALES_BIN. Server output is kept and
// shown when startup fails; AFTERSALES_TEST_VERBOSE=1 echoes it to stderr live.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = process.env.AFTERSALES_BIN
    ? path.resolve(process.env.AFTERSALES_BIN)
    : path.join(ROOT, 'build', 'aftersales');
export const DEFAULT_PASSWORD = 'Test-password-2024!';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 60_000;
const LOG_LIMIT = 64 * 1024;

/** Which backend this run uses: 'postgres' or 'sqlite'. */
export function backend() {
    if (process.env.AFTERSALES_TEST_DB === 'sqlite') return 'sqlite';
    if (process.env.AFTERSALES_TEST_PG) return 'postgres';
    return 'sqlite';
}

// ---------------------------------------------------------------- processes

/**
 * Run the binary (or another program) to completion.
 * @returns {Promise<{code:number, signal:string|null, stdout:string, stderr:string}>}
 */
export function runProcess(cmd, args, { input, env, cwd = ROOT, timeout = RUN_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, {
            cwd,
            env: { ...process.env, ...env },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeout);
        child.on('error', (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${cmd}: ${err.message}`));
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            if (timedOut) stderr += `\n[killed after ${timeout} ms]`;
            resolve({ code: code ?? 128 + (os.constants.signals[signal] ?? 0), signal, stdout, stderr });
        });
        child.stdin.on('error', () => {}); // the program may exit without reading stdin
        child.stdin.end(input ?? '');
    });
}

function describe(cmd, args, r) {
    return `${[cmd, ...args].join(' ')} exited ${r.code}` +
        (r.stdout ? `\n--- stdout\n${r.stdout}` : '') +
        (r.stderr ? `\n--- stderr\n${r.stderr}` : '');
}

async function mustRun(cmd, args, opts) {
    const r = await runProcess(cmd, args, opts);
    if (r.code !== 0) throw new Error(describe(cmd, args, r));
    return r;
}

// ---------------------------------------------------------------- databases

function pgParts(url) {
    const u = new URL(url);
    const q = u.searchParams;
    return {
        url: u,
        host: q.get('host') || u.hostname || undefined,
        port: q.get('port') || u.port || undefined,
        user: q.get('user') || (u.username ? decodeURIComponent(u.username) : undefined),
        password: q.get('password') || (u.password ? decodeURIComponent(u.password) : undefined),
    };
}

function pgEnv(p) {
    const env = {};
    if (p.host) env.PGHOST = p.host;
    if (p.port) env.PGPORT = p.port;
    if (p.user) env.PGUSER = p.user;
    if (p.password) env.PGPASSWORD = p.password;
    return env;
}

async function createPgDatabase(clusterUrl) {
    const p = pgParts(clusterUrl);
    const name = 't_' + randomBytes(6).toString('hex');
    await mustRun('createdb', ['-E', 'UTF8', '-T', 'template0', name], { env: pgEnv(p) });
    const u = new URL(p.url);
    u.pathname = '/' + name;
    const url = u.toString();
    const drop = async () => {
        await runProcess('dropdb', ['--force', '--if-exists', name], { env: pgEnv(p) });
    };
    const dropSync = () => {
        spawnSync('dropdb', ['--force', '--if-exists', name], {
            env: { ...process.env, ...pgEnv(p) },
            stdio: 'ignore',
            timeout: 10_000,
        });
    };
    return { url, name, drop, dropSync };
}

async function createSqliteDatabase() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aftersales-test-'));
    const url = path.join(dir, 'test.db');
    return {
        url,
        name: url,
        dir,
        drop: () => rm(dir, { recursive: true, force: true }),
        dropSync: () => rmSync(dir, { recursive: true, force: true }),
    };
}

// Servers still running when the test process exits are killed, their
// databases dropped, so a failing test leaves nothing behind.
const live = new Set();
process.on('exit', () => {
    for (const s of live) {
        try { s.child.kill('SIGKILL'); } catch { /* already gone */ }
        try { s.db.dropSync(); } catch { /* best effort */ }
    }
});

// ---------------------------------------------------------------- HTTP

function encodeBody(body, headers) {
    if (body === undefined || body === null) return undefined;
    if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer ||
        body instanceof URLSearchParams || (typeof FormData !== 'undefined' && body instanceof FormData) ||
        (typeof Blob !== 'undefined' && body instanceof Blob)) {
        return body;
    }
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
    return JSON.stringify(body);
}

function hasHeader(headers, name) {
    return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

async function readResponse(res) {
    const text = await res.text();
    let json = null;
    if (text) {
        try { json = JSON.parse(text); } catch { json = null; }
    }
    return { status: res.status, headers: res.headers, json, text };
}

/**
 * One request, parsed. body: object (sent as JSON) or string/Buffer (as is).
 * token: sent as `Authorization: Bearer <token>`.
 * @returns {Promise<{status:number, headers:Headers, json:any, text:string}>}
 */
export async function api(url, p, { method, body, headers = {}, token, redirect = 'manual' } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    const encoded = encodeBody(body, h);
    const res = await fetch(new URL(p, url), {
        method: method ?? (encoded === undefined ? 'GET' : 'POST'),
        headers: h,
        body: encoded,
        redirect,
    });
    return readResponse(res);
}

function sessionCookie(res) {
    const all = typeof res.headers.getSetCookie === 'function'
        ? res.headers.getSetCookie()
        : [res.headers.get('set-cookie') ?? ''];
    for (const c of all) {
        const m = /^\s*as_session=([^;]*)/.exec(c);
        if (m) return { cookie: `as_session=${m[1]}`, setCookie: c };
    }
    return null;
}

// ---------------------------------------------------------------- server

/**
 * Start a server on a fresh database.
 * opts.backend: 'sqlite' | 'postgres' (default: from the environment, see backend())
 * opts.args: extra arguments for `serve`; opts.env: extra environment.
 * opts.sameDb: a server started before: this one serves its database (as a second
 * server would in production; the database is dropped by the first one's stop()).
 */
export async function startServer(opts = {}) {
    const kind = opts.backend ?? backend();
    let db;
    if (opts.sameDb) {
        db = { url: opts.sameDb.db, name: opts.sameDb.db, drop: async () => {}, dropSync: () => {} };
    } else if (kind === 'postgres') {
        const cluster = opts.pgUrl ?? process.env.AFTERSALES_TEST_PG;
        if (!cluster) throw new Error('PostgreSQL backend requested but AFTERSALES_TEST_PG is not set');
        db = await createPgDatabase(cluster);
    } else {
        db = await createSqliteDatabase();
    }
    const env = { ...opts.env };

    try {
        await mustRun(BIN, ['migrate', '--db', db.url], { env });
    } catch (err) {
        await db.drop();
        throw err;
    }

    const serveArgs = ['serve', '--db', db.url, '--listen', '127.0.0.1:0', ...(opts.args ?? [])];
    const child = spawn(BIN, serveArgs, {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const verbose = !!process.env.AFTERSALES_TEST_VERBOSE;
    let out = '';
    let err = '';
    const keep = (s, d) => (s.length + d.length > LOG_LIMIT ? (s + d).slice(-LOG_LIMIT) : s + d);
    const exited = new Promise((resolve) => {
        child.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 0)));
        child.on('error', (e) => {
            err = keep(err, `\n[spawn error: ${e.message}]`);
            resolve(127);
        });
    });
    let exitCode = null;
    exited.then((c) => (exitCode = c));

    const url = await new Promise((resolve, reject) => {
        let buf = '';
        let done = false;
        const finish = (fn, v) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            fn(v);
        };
        const fail = (why) => finish(reject, new Error(
            `${BIN} ${serveArgs.join(' ')}: ${why}` +
            (out ? `\n--- stdout\n${out}` : '') + (err ? `\n--- stderr\n${err}` : '')));
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`);
        }, START_TIMEOUT_MS);
        child.stdout.setEncoding('utf8').on('data', (d) => {
            out = keep(out, d);
            if (verbose) process.stderr.write(d);
            if (done) return;
            buf += d;
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
            if (m) finish(resolve, m[1]);
        });
        child.stderr.setEncoding('utf8').on('data', (d) => {
            err = keep(err, d);
            if (verbose) process.stderr.write(d);
        });
        exited.then((code) => fail(`exited with status ${code} before listening`));
    }).catch(async (e) => {
        await exited;
        await db.drop();
        throw e;
    });

    const server = { child, db };
    live.add(server);

    let stopped = null;
    async function stop() {
        if (stopped) return stopped;
        stopped = (async () => {
            if (exitCode === null) {
                child.kill('SIGTERM');
                const t = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
                await exited;
                clearTimeout(t);
            }
            const code = await exited;
            live.delete(server);
            await db.drop();
            return code;
        })();
        return stopped;
    }

    /** Run a subcommand against this database: `aftersales ...args --db URL`. */
    async function run(args, { input, env: extraEnv, db: withDb = true } = {}) {
        const full = [...args];
        if (withDb && full.length > 0 && !full[0].startsWith('-') && !full.includes('--db')) {
            full.push('--db', db.url);
        }
        return runProcess(BIN, full, { input, env: { ...env, ...extraEnv } });
    }

    /**
     * `aftersales user add LOGIN --role ROLE [--outlet CODE]`, password on stdin.
     * addUser(login, role, password) and addUser({login, role, outlet, password}) work too.
     */
    async function addUser(login, role, outlet, password) {
        if (typeof login === 'object' && login !== null) {
            ({ login, role, outlet, password } = login);
        } else if (arguments.length === 3) {
            password = outlet;
            outlet = undefined;
        }
        password ??= DEFAULT_PASSWORD;
        const args = ['user', 'add', login, '--role', role];
        if (outlet) args.push('--outlet', outlet);
        args.push('--db', db.url);
        const r = await runProcess(BIN, args, { input: password + '\n', env });
        if (r.code !== 0) throw new Error(describe(BIN, args, r));
        return { login, role, outlet, password, stdout: r.stdout };
    }

    /** `aftersales token create --role ROLE [--outlet CODE]`: the bearer token. */
    async function token(role, outlet, { name } = {}) {
        const args = ['token', 'create', '--role', role];
        if (outlet) args.push('--outlet', outlet);
        if (name) args.push('--name', name);
        args.push('--db', db.url);
        const r = await runProcess(BIN, args, { env });
        if (r.code !== 0) throw new Error(describe(BIN, args, r));
        const t = r.stdout.trim();
        if (!t) throw new Error(`${describe(BIN, args, r)}\n(no token printed)`);
        return t;
    }

    /**
     * POST /api/v1/session. Throws unless it succeeds.
     * Returns {cookie, csrf, user, fetch(path, init) -> Response,
     *          request(path, {method, body, headers}) -> {status, headers, json, text}}
     * Both helpers send the session cookie, X-CSRF-Token and a JSON content type.
     */
    async function login(loginName, password = DEFAULT_PASSWORD) {
        const res = await fetch(new URL('/api/v1/session', url), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ login: loginName, password }),
        });
        const sc = sessionCookie(res);
        const r = await readResponse(res);
        if (r.status < 200 || r.status >= 300 || !sc) {
            throw new Error(`login ${loginName}: HTTP ${r.status}` +
                (sc ? '' : ' (no as_session cookie)') + `\n${r.text}`);
        }
        const cookie = sc.cookie;
        const csrf = r.json?.csrf_token;
        const withAuth = (headers = {}) => {
            const h = { Accept: 'application/json', ...headers };
            if (!hasHeader(h, 'cookie')) h.Cookie = cookie;
            if (csrf && !hasHeader(h, 'x-csrf-token')) h['X-CSRF-Token'] = csrf;
            if (!hasHeader(h, 'content-type')) h['Content-Type'] = 'application/json';
            return h;
        };
        const sessionFetch = (p, init = {}) => {
            const headers = withAuth(init.headers);
            const body = encodeBody(init.body, headers);
            return fetch(new URL(p, url), { redirect: 'manual', ...init, headers, body });
        };
        const request = async (p, { method, body, headers } = {}) => {
            const res2 = await sessionFetch(p, { method: method ?? (body === undefined ? 'GET' : 'POST'), body, headers });
            return readResponse(res2);
        };
        return {
            cookie,
            setCookie: sc.setCookie,
            csrf,
            user: r.json?.user,
            fetch: sessionFetch,
            request,
        };
    }

    return {
        url,
        db: db.url,
        backend: kind,
        pid: child.pid,
        stop,
        addUser,
        login,
        token,
        run,
        api: (p, o) => api(url, p, o),
        logs: () => ({ stdout: out, stderr: err }),
    };
}
