// The build's YAML -> JSON converter (tools/openapi-json.c, no Node) reads YAML as the npm
// `yaml` package does: the same values for docs/openapi.yaml and for tricky scalars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BIN, ROOT } from './lib/server.mjs';

// Next to the binary, or in build/ when the binary is another build (build-asan/aftersales).
const TOOL = [path.join(path.dirname(BIN), 'openapi-json'), path.join(ROOT, 'build', 'openapi-json')]
    .find((f) => fs.existsSync(f));

function convert(file) {
    const r = spawnSync(TOOL, [file], { encoding: 'utf8' });
    return { code: r.status, json: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

// What the build used to embed: JSON.stringify of the npm package's reading.
const viaNpm = (text) => JSON.parse(JSON.stringify(parse(text, { logLevel: 'error' })));

function convertText(text) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-json-'));
    try {
        const file = path.join(dir, 'in.yaml');
        fs.writeFileSync(file, text);
        return convert(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

test('docs/openapi.yaml converts to what the npm yaml package reads', () => {
    const file = path.join(ROOT, 'docs', 'openapi.yaml');
    const r = convert(file);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json, viaNpm(fs.readFileSync(file, 'utf8')));
});

const TRICKY = `
plain: hello world
nulls: [null, Null, NULL, ~, nULL]
empty-in-map: {a: , b}
empty:
bools: [true, True, TRUE, false, False, FALSE, yes, no, on, off, y, n, tRUE]
ints: [0, 42, -17, +5, 012, 0o17, 0x1F, 0xff, 0O17, 0X1F, -0x1, 0o8, 1_000]
big: [9007199254740993, 99999999999999999999, 0xFFFFFFFFFFFFFFFFFF]
floats: [1.5, -0.25, .5, 1., +1., 1e3, 1.2E-3, -1e+3, .1e2, 0.1, 1e, e3, 1.2.3, 1,5]
special: [.inf, -.Inf, +.INF, .nan, .NaN, .NAN, inf, nan, .Nan]
quoted: ["1", '2', "true", 'null', "", '~', "0x10", '.inf']
other: [2001-12-14, 3.1.0, 12:30, 0b101, "a: b", a#b, 'it''s']
dashes:
  - -
  - ---x
  - -1-
block: |
  line 1
    indented
  line 3
kept: |+
  kept

folded: >-
  a
  b

  c
unicode: 中文 ✓ 維修
escapes: "tab\\there \\u00e9 \\/ \\x41 \\n"
tagged: [!!str 12, !!int "7", !!float "1.5", !!bool "true", !!null "", ! 12, !!str ~]
mismatched: [!!int abc, !!float "1", !!bool yes, !!null x, !!foo 5, !local 6]
keys: {1: a, 1.5: b, true: c, ~: d, 0x10: e, 1e3: f, 1e-7: g, 0.000001: h, 1e21: i, 2.50: j, "q r": k, -0: l}
typed-keys: {1: one, "1": quoted-one}
anchors:
  base: &b {x: 1, y: [1, 2, &n 3]}
  again: *b
  num: *n
  s: &s text
  t: *s
  redefined: &s other
  u: *s
  <<: *b
tagged-collections: [!!seq [1], !!map {a: 1}, !foo [2], ! {b: 3}]
order: {z: 1, a: 2, m: 3, "10": 4, "2": 5}
nested:
  - - [[], {}]
    - {a: [{b: {c: null}}]}
  - ? x
    : y
flow: {a: 1, b: [x, "y", 'z'], c: {d: e}}
`;

test('tricky scalars, tags, keys and anchors read as the npm yaml package reads them', () => {
    const r = convertText(TRICKY);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json, viaNpm(TRICKY));
    assert.match(r.stderr, /warning: unresolved tag tag:yaml.org,2002:int/);
});

test('empty documents are null; the root may be any value', () => {
    for (const text of ['', '# only a comment\n', '42', '"s"', '- 1\n- two\n', '---\na: 1\n...\n']) {
        const r = convertText(text);
        assert.equal(r.code, 0, `${JSON.stringify(text)}: ${r.stderr}`);
        assert.deepEqual(r.json, viaNpm(text), JSON.stringify(text));
    }
});

test('what the npm yaml package refuses, the tool refuses with a line number', () => {
    for (const text of [
        'a: 1\na: 2\n',            // repeated key
        'a: 1\n1.0: x\n1: y\n',    // 1.0 and 1 are the same key
        'a: &x\n  b: *x\n',        // an alias inside the node it names
        'x: *nope\n',              // an unknown anchor
        'a\n---\nb\n',             // two documents
        'a: [1, 2\n',              // bad syntax
        'a: b: c\n',
    ]) {
        assert.throws(() => viaNpm(text), undefined, `npm yaml accepts ${JSON.stringify(text)}`);
        const r = convertText(text);
        assert.notEqual(r.code, 0, `accepted ${JSON.stringify(text)}`);
        assert.match(r.stderr, /in\.yaml:\d+:\d+: /, r.stderr);
    }
});
