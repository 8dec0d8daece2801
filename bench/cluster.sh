#!/usr/bin/env bash
# Scale-out on one PostgreSQL: repair creation and the public status lookup through
# nginx in front of 1, 2 and 3 `aftersales serve` (scripts/cluster), in one run, with
# the ratio to one server. wrk: 2 threads, DURATION seconds per run (default 10).
# Usage: bench/cluster.sh [--write]   (--write appends the results to bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPAIRS=${REPAIRS:-20000}
BIN=${AFTERSALES_BIN:-build/aftersales}
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx: scripts/install-deps" >&2; exit 1; }
[ -x "$BIN" ] || make -s
tmp=$(mktemp -d)
chmod 755 "$tmp"   # the PostgreSQL owner must reach $tmp/pg
cleanup() {
    [ -d "$tmp/cl" ] && scripts/cluster stop "$tmp/cl" >/dev/null 2>&1
    [ -d "$tmp/pg" ] && scripts/pg-cluster stop "$tmp/pg" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

DBURL=$(scripts/pg-cluster start "$tmp/pg")
q() { psql -qAt -F'|' "$DBURL" -c "$1"; }
"$BIN" migrate --db "$DBURL" >/dev/null 2>&1
echo "generating $REPAIRS repairs..." >&2
"$BIN" demo --db "$DBURL" --repairs "$REPAIRS" >"$tmp/demo.out" 2>"$tmp/demo.err" || { cat "$tmp/demo.err" >&2; exit 1; }
token=$("$BIN" token create --role agent --name bench --db "$DBURL")
cust=$(q "SELECT code FROM customers WHERE merged_into IS NULL ORDER BY id LIMIT 1")
q "SELECT '/api/v1/public/repairs/' || r.code || '?phone_tail=' || substr(ph.phone, length(ph.phone) - 3)
   FROM repairs r JOIN customer_phones ph ON ph.customer_id = r.customer_id
   ORDER BY random() LIMIT 10000" >"$tmp/paths"

cat >"$tmp/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"customer":"$cust","model":"HT-A9","fault":"bench","outlet":"O0001","kind":"carry_in","channel":"phone"}'
LUA
cat >"$tmp/lookup.lua" <<LUA
local paths = {}
for line in io.lines("$tmp/paths") do paths[#paths + 1] = line end
local i = 0
function init(args) i = math.random(#paths) end
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
LUA

declare -A RPS P99 BAD
run() { # key conns script url
    local out
    out=$(wrk -t2 -c"$2" -d"${DURATION}s" --latency -s "$3" "$4")
    RPS[$1]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    P99[$1]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    BAD[$1]=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    BAD[$1]=${BAD[$1]:-0}
    echo "$1: ${RPS[$1]} req/s, p99 ${P99[$1]}, non-2xx ${BAD[$1]}" >&2
}
for n in 1 2 3; do
    url=$(AFTERSALES_PORTAL_MISSES=1000000000 CLUSTER_SERVE_ARGS="--public-rate 1000000000 --no-access-log" \
        scripts/cluster start "$tmp/cl" "$n" "$DBURL")
    run "create$n" 32 "$tmp/create.lua" "$url/api/v1/repairs"
    run "lookup$n" 64 "$tmp/lookup.lua" "$url/"
    scripts/cluster stop "$tmp/cl"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

report=$(cat <<MD

### cluster.sh — $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), PostgreSQL (scripts/pg-cluster: fsync off)

nginx (2 workers) in front of N \`aftersales serve\` on one PostgreSQL with $REPAIRS demo repairs; wrk, nginx, the servers and PostgreSQL share the same cores; ${DURATION} s per run, access log off.

| servers | create req/s (32 conns) | p99 | vs 1 | lookup req/s (64 conns) | p99 | vs 1 | non-2xx |
|---|---|---|---|---|---|---|---|
| 1 | ${RPS[create1]} | ${P99[create1]} | 1.00 | ${RPS[lookup1]} | ${P99[lookup1]} | 1.00 | $((BAD[create1] + BAD[lookup1])) |
| 2 | ${RPS[create2]} | ${P99[create2]} | $(ratio "${RPS[create2]}" "${RPS[create1]}") | ${RPS[lookup2]} | ${P99[lookup2]} | $(ratio "${RPS[lookup2]}" "${RPS[lookup1]}") | $((BAD[create2] + BAD[lookup2])) |
| 3 | ${RPS[create3]} | ${P99[create3]} | $(ratio "${RPS[create3]}" "${RPS[create1]}") | ${RPS[lookup3]} | ${P99[lookup3]} | $(ratio "${RPS[lookup3]}" "${RPS[lookup1]}") | $((BAD[create3] + BAD[lookup3])) |
MD
)
echo "$report"
[ "${1:-}" = --write ] && echo "$report" >> bench/README.md
exit 0
