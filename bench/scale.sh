#!/usr/bin/env bash
# The full design size on one machine (issue 16): generate (or reuse) the data set of
# `aftersales demo --customers 10000000 --repairs 5000000`, then measure in one run, next
# to /healthz, every screen and report that must stay fast at that size:
#   public repair lookup; match by phone, email and name; customer search (name prefix,
#   phone tail); the outlet queue and a supervisor's filtered repair list; the at-risk
#   list; the turnaround report (month, quarter, year; by outlet and by region); coverage;
#   and the import of 1M customers into the full database (last: it changes it).
# For each: req/s, p50 and p99 (wrk, 2 threads), then the server's RssAnon/RssFile and
# the database size.
# Usage: bench/scale.sh [--write] [DB]   (DB: a database made by an earlier run, reused;
#   the import step works on a copy unless KEEP=1)
#   CUSTOMERS=10000000 REPAIRS=5000000 DUR=10 CONNS=64 (lookup) QCONNS=16 (staff requests)
#   IMPORT=1000000 (customers imported at the end; 0 skips) AFTERSALES_BIN=build/aftersales
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
CUSTOMERS=${CUSTOMERS:-10000000}
REPAIRS=${REPAIRS:-5000000}
DUR=${DUR:-10}
CONNS=${CONNS:-64}
QCONNS=${QCONNS:-16}
IMPORT=${IMPORT:-1000000}
WRITE=0
[ "${1:-}" = "--write" ] && { WRITE=1; shift; }
DB=${1:-}
for cmd in sqlite3 wrk node; do command -v $cmd >/dev/null || { echo "needs $cmd (scripts/install-deps)" >&2; exit 1; }; done
[ -x "$BIN" ] || make -s
tmp=$(mktemp -d /tmp/scale-bench.XXXXXX)
srv_pid=
cleanup() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
TIMEFORMAT='%R'
export AFTERSALES_CHINESE_DAYS=${AFTERSALES_CHINESE_DAYS:-$PWD/node_modules/chinese-days/dist/chinese-days.json}

gen="reused $DB"
if [ -z "$DB" ]; then
    DB=$tmp/full.db
    echo "== demo --customers $CUSTOMERS --repairs $REPAIRS" >&2
    secs=$( { time "$BIN" demo --customers "$CUSTOMERS" --repairs "$REPAIRS" --db "$DB" >/dev/null 2>"$tmp/demo.log"; } 2>&1 )
    gen="generated in $secs s"
fi
q() { sqlite3 "$DB" "$1"; }
ncust=$(q "SELECT COUNT(*) FROM customers")
nunits=$(q "SELECT COUNT(*) FROM units")
nrep=$(q "SELECT COUNT(*) FROM repairs")
dbmb=$(du -m "$DB" | cut -f1)
echo "== $ncust customers, $nunits units, $nrep repairs, ${dbmb} MB" >&2

# Probes, sampled by id stride so a 10M table is not sorted.
step() { echo $(( ($1 + $2 - 1) / $2 )); }
s=$(step "$nrep" 20000)
q "SELECT '/api/v1/public/repairs/' || r.code || '?phone_tail=' || substr(ph.phone, length(ph.phone) - 3)
   FROM repairs r JOIN customer_phones ph ON ph.customer_id = r.customer_id WHERE r.id % $s = 0" >"$tmp/p-lookup"
s=$(step "$ncust" 20000)
q "SELECT '/api/v1/customers/match?phone=' || phone FROM customer_phones WHERE customer_id % $s = 0" >"$tmp/p-match-phone"
q "SELECT '/api/v1/customers/match?email=' || email FROM customer_emails WHERE customer_id % $s = 0" >"$tmp/p-match-email"
q "SELECT name FROM customers WHERE id % $s = 0" | node -e '
  const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
  for (const n of l) console.log("/api/v1/customers/match?name=" + encodeURIComponent(n));' >"$tmp/p-match-name"
q "SELECT DISTINCT substr(name, 1, 1) FROM customers WHERE id % $s = 0" | node -e '
  const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
  for (const n of l) console.log("/api/v1/customers?q=" + encodeURIComponent(n));' >"$tmp/p-search-name"
q "SELECT '/api/v1/customers?q=' || substr(phone, length(phone) - 3) FROM customer_phones WHERE customer_id % $s = 0" >"$tmp/p-search-tail"
outlets=$(q "SELECT code FROM outlets ORDER BY id LIMIT 1")
q "SELECT '/api/v1/repairs?open=1&outlet=' || code FROM outlets WHERE id IN (SELECT outlet_id FROM repairs GROUP BY outlet_id ORDER BY COUNT(*) DESC LIMIT 200)" >"$tmp/p-queue"
for st in received diagnosing waiting_parts repairing repaired; do
    echo "/api/v1/repairs?status=$st"; echo "/api/v1/repairs?open=1&age=4&kind=carry_in"; echo "/api/v1/repairs?status=$st&kind=on_site"
done >"$tmp/p-superlist"
printf '%s\n' "/api/v1/kpi/at-risk?threshold=4d" "/api/v1/kpi/at-risk?threshold=14d" "/api/v1/kpi/at-risk?threshold=4d&within_hours=24" >"$tmp/p-atrisk"
today=$(date -u +%F)
first_month=$(date -u +%Y-%m-01)
quarter=$(date -u -d "$first_month -2 months" +%F)
year=$(date -u -d "$today -365 days" +%F)
tomorrow=$(date -u -d "$today +1 day" +%F)
for g in outlet region; do echo "/api/v1/kpi/turnaround?from=$first_month&to=$tomorrow&group_by=$g"; done >"$tmp/p-tat-month"
for g in outlet region; do echo "/api/v1/kpi/turnaround?from=$quarter&to=$tomorrow&group_by=$g"; done >"$tmp/p-tat-quarter"
for g in outlet region; do echo "/api/v1/kpi/turnaround?from=$year&to=$tomorrow&group_by=$g"; done >"$tmp/p-tat-year"
q "SELECT '/api/v1/coverage?region=' || substr(region, 1, 2) || '0000' FROM outlets GROUP BY substr(region, 1, 2)" >"$tmp/p-coverage"
echo "/api/v1/coverage" >>"$tmp/p-coverage"

sup=$("$BIN" token create --role supervisor --name scale --db "$DB")
tech=$("$BIN" token create --role technician --outlet "$outlets" --name scale --db "$DB" 2>/dev/null || echo "$sup")
agent=$("$BIN" token create --role agent --name scale --db "$DB")
AFTERSALES_PORTAL_MISSES=1000000000 "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log \
    --public-rate 1000000000 >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 600); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }
cat >"$tmp/paths.lua" <<'LUA'
local paths = {}
local auth = os.getenv("TOKEN")
function init(args)
  for line in io.lines(args[1]) do if #line > 0 then paths[#paths + 1] = line end end
  math.randomseed(os.time() + #paths)
end
function request()
  local h = {}
  if auth and #auth > 0 then h["Authorization"] = "Bearer " .. auth end
  return wrk.format("GET", paths[math.random(#paths)], h)
end
LUA
rows=""
# run NAME CONNECTIONS TOKEN: wrk over $tmp/p-NAME, a row for the table
run() {
    local name=$1 conns=$2 token=$3 f=$tmp/p-$1 out=$tmp/wrk-$1
    [ -s "$f" ] || { echo "no probes for $name" >&2; return; }
    echo "== $name ($(wc -l <"$f") paths, $conns connections)" >&2
    TOKEN=$token wrk -t2 -c"$conns" -d"${DUR}s" --latency -s "$tmp/paths.lua" "$url" -- "$f" >"$out" 2>&1 || true
    local rps p50 p99 bad
    rps=$(awk '/Requests\/sec/ { print $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    bad=$(awk '/Non-2xx/ { print $4 }' "$out")
    rows+="| $name | $(wc -l <"$f") | $conns | $rps | $p50 | $p99 | ${bad:-0} |"$'\n'
    echo "   $rps req/s, p50 $p50, p99 $p99, non-2xx ${bad:-0}" >&2
}
echo "/healthz" >"$tmp/p-healthz"
run healthz "$CONNS" ""
run lookup "$CONNS" ""
for k in phone email name; do run "match-$k" "$QCONNS" "$agent"; done
run search-name "$QCONNS" "$agent"
run search-tail "$QCONNS" "$agent"
run queue "$QCONNS" "$tech"
run superlist "$QCONNS" "$sup"
run atrisk "$QCONNS" "$sup"
for p in month quarter year; do run "tat-$p" "$QCONNS" "$sup"; done
run coverage "$QCONNS" "$sup"
mem=$(awk '/^(RssAnon|RssFile|VmHWM):/ { printf "%s %s %s; ", $1, $2, $3 }' "/proc/$srv_pid/status")
kill "$srv_pid"; wait "$srv_pid" 2>/dev/null || true; srv_pid=

imp="skipped"
if [ "$IMPORT" -gt 0 ]; then
    echo "== import $IMPORT customers into the full database" >&2
    "$BIN" demo --customers "$IMPORT" --repairs 1 --seed 7 --db "$tmp/imp.db" >/dev/null 2>&1
    # without their codes (the full set has the same ones): the import gives new codes
    "$BIN" export customers "$tmp/imp0.csv" --db "$tmp/imp.db"
    awk -F, 'BEGIN { OFS = "," } NR > 1 { $1 = "" } { print }' "$tmp/imp0.csv" >"$tmp/imp.csv"
    # the phones and emails of a different seed may meet the full set's: the import merges
    # or refuses them as the M1 rules say; the rate counts every row read
    target=$DB
    if [ "${KEEP:-0}" != 1 ] && [ "$DB" != "$tmp/full.db" ]; then cp "$DB" "$tmp/copy.db"; target=$tmp/copy.db; fi
    "$BIN" import customers "$tmp/imp.csv" --db "$target" >"$tmp/import.out" 2>&1 || true
    imp=$(tail -1 "$tmp/import.out")
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
report=$(cat <<MD
### scale.sh — $(date -u +%F), $(nproc) cores ($(uname -m)), SQLite

$ncust customers, $nunits units, $nrep repairs ($gen), database ${dbmb} MB. wrk: 2 threads, ${DUR} s a row, random paths from each list; load average at the end $load.

| request | paths | connections | req/s | p50 | p99 | non-2xx |
|---|---|---|---|---|---|---|
$rows
Server memory after the runs: $mem
Import of $IMPORT customers into the full database: $imp
MD
)
echo "$report"
[ $WRITE = 1 ] && printf '\n%s\n' "$report" >>bench/README.md
exit 0
