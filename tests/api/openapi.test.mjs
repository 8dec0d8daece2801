// docs/openapi.yaml and the route table must describe the same API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
let s;
before(async () => { s = await startServer(); });
after(async () => { await s.stop(); });

test('every route is documented and every documented operation is routed', async () => {
    const r = await s.run(['routes'], { db: false });
    assert.equal(r.code, 0, r.stderr);
    const routed = new Set(r.stdout.trim().split('\n').map((line) => {
        const [method, pattern] = line.split(' ');
        return `${method} ${pattern.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    }));
    assert.ok(routed.size >= 5, 'the route table is not empty');

    const doc = await s.api('/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    const documented = new Set();
    for (const [p, item] of Object.entries(doc.json.paths ?? {}))
        for (const m of METHODS) if (item[m]) documented.add(`${m.toUpperCase()} ${p}`);

    const undocumented = [...routed].filter((x) => !documented.has(x));
    const unrouted = [...documented].filter((x) => !routed.has(x));
    assert.deepEqual(undocumented, [], 'routes missing from docs/openapi.yaml');
    assert.deepEqual(unrouted, [], 'documented operations with no route');
});

test('every documented path parameter is declared', async () => {
    const doc = (await s.api('/api/v1/openapi.json')).json;
    for (const [p, item] of Object.entries(doc.paths)) {
        const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const m of METHODS) {
            if (!item[m]) continue;
            const params = [...(item.parameters ?? []), ...(item[m].parameters ?? [])]
                .map((x) => (x.$ref ? doc.components.parameters[x.$ref.split('/').pop()] : x))
                .filter((x) => x && x.in === 'path').map((x) => x.name);
            for (const n of names) assert.ok(params.includes(n), `${m.toUpperCase()} ${p}: path parameter ${n} not declared`);
            assert.ok(item[m].responses && Object.keys(item[m].responses).length, `${m} ${p}: no responses`);
        }
    }
});
