#!/usr/bin/env bash
# Customer master at scale (M1, issue 3): generate N customers with
# `aftersales demo --customers N` (realistic names, mobiles and landlines, emails,
# near-duplicates), export them to the contract's CSV, import that CSV into an empty
# database with `aftersales import customers` (timed: rows/s), then match by phone,
# email and name: p50/p99 over LOOKUPS lookups in-process (bench/customers_match.c,
# the whole path of the match endpoint without HTTP) and over HTTP with wrk.
# Targets: import >= 200k rows/s on SQLite; match p99 < 1 ms in-process.
# Usage: bench/customers.sh [--write]   (--write appends the results to bench/README.md)
#   N=1000000 customers, LOOKUPS=100000, DUR=10 (seconds per wrk run), CONNS=16,
#   BUILD=build (objects for the in-process bench), AFTERSALES_BIN=$BUILD/aftersales
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=${AFTERSALES_BIN:-$BUILD/aftersales}
N=${N:-1000000}
LOOKUPS=${LOOKUPS:-100000}
DUR=${DUR:-10}
CONNS=${CONNS:-16}
WRITE=0
[ "${1:-}" = "--write" ] && WRITE=1
[ -x "$BIN" ] || make -s BUILD="$BUILD"
for cmd in sqlite3 wrk node cc; do
    command -v $cmd >/dev/null || { echo "needs $cmd" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/cust-bench.XXXXXX)
srv_pid=
cleanup() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
TIMEFORMAT='%R %U %S'

echo "== generating $N customers" >&2
gen_t=$( { time "$BIN" demo --customers "$N" --db "$tmp/gen.db" >/dev/null 2>"$tmp/demo.log"; } 2>&1 )
"$BIN" export customers "$tmp/customers.csv" --db "$tmp/gen.db"
rm -f "$tmp"/gen.db*
rows=$(($(wc -l <"$tmp/customers.csv") - 1))
size_mb=$(du -m "$tmp/customers.csv" | cut -f1)

echo "== importing $rows rows" >&2
"$BIN" migrate --db "$tmp/c.db" >/dev/null
imp_t=$( { time "$BIN" import customers "$tmp/customers.csv" --db "$tmp/c.db" >"$tmp/import.out"; } 2>&1 )
read -r imp_real imp_user imp_sys <<<"$imp_t"
imp_rate=$(sed -n 's/.*(\([0-9]*\) rows\/s).*/\1/p' "$tmp/import.out")
phones=$(sqlite3 "$tmp/c.db" "SELECT COUNT(*) FROM customer_phones")
emails=$(sqlite3 "$tmp/c.db" "SELECT COUNT(*) FROM customer_emails")
dbsize=$(du -m "$tmp/c.db" | cut -f1)

# Probes: 20,000 customers spread over the file, typed the way people do: mobiles as
# "+86 138-0013-8000", emails in capitals, names as stored.
awk -F, -v n="$rows" 'NR > 1 && (NR % int(n / 20000 + 1)) == 0 {
    split($3, p, ";"); ph = p[1];
    if (ph ~ /^1[0-9]{10}$/) ph = "+86 " substr(ph, 1, 3) "-" substr(ph, 4, 4) "-" substr(ph, 8, 4);
    if (ph != "") print "phone\t" ph;
    if ($4 != "") { split($4, e, ";"); print "email\t" toupper(e[1]) }
    print "name\t" $2 }' "$tmp/customers.csv" >"$tmp/probes.tsv"
node -e '
const fs = require("fs");
const out = { phone: [], email: [], name: [] };
for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
  const [k, v] = l.split("\t");
  if (v) out[k].push("/api/v1/customers/match?" + k + "=" + encodeURIComponent(v));
}
for (const k of Object.keys(out)) fs.writeFileSync(process.argv[2] + "/paths-" + k + ".txt", out[k].join("\n") + "\n");
' "$tmp/probes.tsv" "$tmp"

echo "== in-process matching" >&2
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium libutf8proc opencc xlsxwriter"
objs=$(ls "$BUILD"/obj/src/base/*.o "$BUILD"/obj/src/rules/*.o "$BUILD"/obj/gen/*.o; find "$BUILD"/obj/src/features -name '*.o' | sort)
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O2 -Isrc -I"$BUILD/gen" $(pkg-config --cflags $PKGS) \
    -o "$tmp/customers_match" bench/customers_match.c $objs $(pkg-config --libs $PKGS) -lpthread -lm
"$tmp/customers_match" "$tmp/c.db" "$tmp/probes.tsv" "$LOOKUPS" >"$tmp/inproc.txt"

plans=$(sqlite3 "$tmp/c.db" "
EXPLAIN QUERY PLAN SELECT c.id FROM customer_phones p JOIN customers c ON c.id = p.customer_id WHERE p.phone = '13800138000' AND c.merged_into IS NULL AND c.erased_at IS NULL ORDER BY c.id LIMIT 20;
EXPLAIN QUERY PLAN SELECT c.id FROM customer_emails e JOIN customers c ON c.id = e.customer_id WHERE e.email = 'a@b.cn' AND c.merged_into IS NULL AND c.erased_at IS NULL ORDER BY c.id LIMIT 20;
EXPLAIN QUERY PLAN SELECT c.id FROM customers c WHERE c.name_key = '张伟' AND c.merged_into IS NULL AND c.erased_at IS NULL ORDER BY c.id LIMIT 20;
EXPLAIN QUERY PLAN SELECT p.customer_id FROM customer_phones p WHERE p.phone_rev >= '0008' AND p.phone_rev < '0009' LIMIT 20;" |
    sed -n 's/^.*--//p' | sort -u | tr '\n' ';')
common=$(sqlite3 "$tmp/c.db" "SELECT name_key || ' (' || COUNT(*) || ')' FROM customers GROUP BY name_key ORDER BY COUNT(*) DESC LIMIT 1")

echo "== HTTP matching with wrk" >&2
token=$("$BIN" token create --role agent --db "$tmp/c.db")
"$BIN" serve --db "$tmp/c.db" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 200); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }
cat >"$tmp/paths.lua" <<'LUA'
local paths = {}
local auth = "Bearer " .. os.getenv("TOKEN")
function init(args)
  for line in io.lines(args[1]) do if #line > 0 then paths[#paths + 1] = line end end
  math.randomseed(os.time() + #paths)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], { ["Authorization"] = auth })
end
LUA
http_rows=""
for k in phone email name; do
    TOKEN=$token wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$tmp/paths.lua" "$url" -- "$tmp/paths-$k.txt" >"$tmp/wrk-$k.txt" 2>&1
    rps=$(awk '/Requests\/sec/ { print $2 }' "$tmp/wrk-$k.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk-$k.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk-$k.txt")
    non2xx=$(awk '/Non-2xx/ { print $4 }' "$tmp/wrk-$k.txt")
    http_rows+="| GET /api/v1/customers/match?$k= | $CONNS | $rps | $p50 | $p99 | ${non2xx:-0} |"$'\n'
done
TOKEN=$token wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$url/healthz" >"$tmp/wrk-healthz.txt" 2>&1
http_rows+="| GET /healthz (reference) | $CONNS | $(awk '/Requests\/sec/ { print $2 }' "$tmp/wrk-healthz.txt") | $(awk '$1 == "50%" { print $2 }' "$tmp/wrk-healthz.txt") | $(awk '$1 == "99%" { print $2 }' "$tmp/wrk-healthz.txt") | 0 |"$'\n'

inproc_rows=$(awk '{ printf "| %s | %s | %s | %s | %s | %s | %s%% |\n", $1, $2, $3, $4, $5, $6, $7 }' "$tmp/inproc.txt")
read -r gen_real _ _ <<<"$gen_t"
cores=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)

report=$(cat <<EOF
### customers.sh — $(date -u +%Y-%m-%d), $cores cores ($(uname -m)), SQLite

$rows customers ($phones phones, $emails emails) generated by \`aftersales demo --customers $N\` in ${gen_real} s and exported to a ${size_mb} MB CSV; database after import ${dbsize} MB. Load average at the end: $load (the machine is shared).

**Import** (\`aftersales import customers\`, one transaction, into an empty database): **${imp_rate} rows/s** — ${imp_real} s wall, ${imp_user} s user + ${imp_sys} s system CPU. Target >= 200,000 rows/s.

**Match in-process** ($LOOKUPS lookups per kind, normalisation + \`customers_match()\`, µs):

| probe | lookups | p50 | p90 | p99 | max | found |
|---|---|---|---|---|---|---|
$inproc_rows

Target: p99 < 1 ms (1000 µs). The most common name key is $common; a name-only match reads at most 20 of them.

**Match over HTTP** (wrk, 2 threads, ${DUR} s per run, bearer token, random probes, on the same cores as the server):

| request | connections | req/s | p50 | p99 | non-2xx |
|---|---|---|---|---|---|
$http_rows
Query plans (SQLite EXPLAIN QUERY PLAN of the match and tail-search statements): $plans
EOF
)
echo "$report"
if [ "$WRITE" = 1 ]; then
    printf '%s\n' "$report" >>bench/README.md
    echo "appended to bench/README.md" >&2
fi
