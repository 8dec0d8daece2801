// scripts/smtp-sink started for a test: each accepted message is a file in a folder.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/server.mjs';

/** scripts/smtp-sink on 127.0.0.1 (port 0: any); each accepted message is a file in dir. */
export async function startSink({ port = 0, delay = 0, dir, auth } = {}) {
    dir ??= await mkdtemp(path.join(os.tmpdir(), 'outbox-sink-'));
    const child = spawn(path.join(ROOT, 'scripts/smtp-sink'),
        [dir, '--port', String(port), '--delay', String(delay), ...(auth ? ['--auth', auth] : [])],
        { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const gotPort = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d) => {
            out += d;
            const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`smtp-sink exited ${code}: ${err}`)));
    });
    const sink = {
        dir, port: gotPort, pid: child.pid,
        remove: async () => { await sink.stop(); await rm(dir, { recursive: true, force: true }); },
        stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
                const gone = new Promise((r) => child.on('exit', r));
                process.kill(child.pid, 'SIGTERM');
                await gone;
            }
        },
        /** The messages received: [{file, headers (lower-case names), body}] */
        messages: async () => {
            const names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
            return Promise.all(names.map(async (n) => parseMail(await readFile(path.join(dir, n), 'utf8'))));
        },
    };
    return sink;
}

function parseMail(text) {
    const cut = text.indexOf('\r\n\r\n');
    const head = text.slice(0, cut).replace(/\r\n[ \t]+/g, ' ');
    const headers = {};
    for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { headers, body: text.slice(cut + 4) };
}

/** Poll fn every 150 ms until it returns something truthy (that value), or throw after ms. */
export async function waitFor(what, fn, ms = 20_000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        const v = await fn();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what}`);
}

/** A UTF-8 subject's RFC 2047 words decoded. */
export const decodeWords = (v) => v.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_, b) => Buffer.from(b, 'base64').toString('utf8')).trim();
/** A base64 body decoded. */
export const bodyText = (m) => Buffer.from(m.body.replace(/\s+/g, ''), 'base64').toString('utf8');
