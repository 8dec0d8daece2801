#!/usr/bin/env bash
# Spare parts at scale (M7, issue 10): PARTS parts in WAREHOUSES warehouses (one central
# parts center, branches and third-party warehouses over the provinces, two overseas
# centers), every part stocked in every warehouse by `aftersales import stock` (one
# receipt move per row: PARTS x WAREHOUSES moves, 1M by default), then over HTTP with wrk:
# stock moves (POST /api/v1/stock-moves, one durable write transaction each) and part
# requests of 5 lines (POST /api/v1/repairs/{code}/part-requests: the fill order over
# every warehouse holding each part, reservations, the request and its lines).
# Targets: moves >= 2,000/s durable on SQLite; a part request (5 lines) p99 < 5 ms.
# Each run also reports the server's CPU per request (user + system time of the serve
# process from /proc over the run, divided by the requests wrk made): on shared cores
# wall latency says more about the neighbours than about the code.
# Usage: bench/parts.sh [--write]   (--write appends the results to bench/README.md)
#   PARTS=2000 WAREHOUSES=500 DURATION=10 (seconds per wrk run), CONNS=16,
#   AFTERSALES_BIN=build/aftersales, SAVE_DB=FILE (keep a copy of the generated
#   database), DB_FROM=FILE (start from such a copy instead of generating one),
#   ONLY=requests1 (run only that load: moves, requests1, requests4), PERF=FILE (perf
#   record -g the server during the requests1 run into FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
PARTS=${PARTS:-2000}
WAREHOUSES=${WAREHOUSES:-500}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
[ -x "$BIN" ] || make -s
for cmd in sqlite3 wrk awk; do
    command -v $cmd >/dev/null || { echo "needs $cmd" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/parts-bench.XXXXXX)
srv_pid=
cleanup() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
DB="$tmp/parts.db"
q() { sqlite3 "$DB" "$1"; }

if [ -n "${DB_FROM:-}" ]; then
    cp "$DB_FROM" "$DB"
    imp_s="(copied from $DB_FROM)"
else
echo "== generating $PARTS parts, $WAREHOUSES warehouses" >&2
"$BIN" migrate --db "$DB" 2>/dev/null
printf 'code,name,type,grade,region,covers,product_lines,capacity,active\nBENCH1,广州天河网点,designated,A,440106,440106,TV,50,true\n' >"$tmp/outlets.csv"
"$BIN" import outlets "$tmp/outlets.csv" --db "$DB" 2>/dev/null
# provinces of the official list, for branches and third-party warehouses
mapfile -t provs < <(q "SELECT code FROM regions WHERE level = 1 ORDER BY code")
awk -v n="$WAREHOUSES" -v provs="${provs[*]}" 'BEGIN {
    split(provs, p, " "); np = length(p)
    print "code,name,kind,region,outlet"
    print "W0001,上海零件中心,central,310000,"
    print "W0002,东京全球零件中心,overseas,,"
    print "W0003,新加坡零件中心,overseas,,"
    for (i = 4; i <= n; i++) {
        kind = i % 4 == 0 ? "third_party" : "branch"
        printf "W%04d,仓库 %d,%s,%s,\n", i, i, kind, p[(i % np) + 1]
    }
}' >"$tmp/warehouses.csv"
awk -v n="$PARTS" 'BEGIN {
    print "number,description,models,price_fen,superseded_by,source"
    for (i = 1; i <= n; i++)
        printf "P%06d,配件 %d,,%d,%s,%s\n", i, i, 1000 + i * 7 % 90000,
            i % 50 == 0 && i < n ? sprintf("P%06d", i + 1) : "", i % 3 == 0 ? "imported" : "domestic"
}' >"$tmp/parts.csv"
awk -v np="$PARTS" -v nw="$WAREHOUSES" 'BEGIN {
    print "warehouse,part,qty"
    srand(7)
    for (w = 1; w <= nw; w++)
        for (i = 1; i <= np; i++)
            printf "W%04d,P%06d,%d\n", w, i, 1 + int(rand() * 40)
}' >"$tmp/stock.csv"
"$BIN" import warehouses "$tmp/warehouses.csv" --db "$DB"
"$BIN" import parts "$tmp/parts.csv" --db "$DB"
TIMEFORMAT='%R'
imp_s=$( { time "$BIN" import stock "$tmp/stock.csv" --db "$DB" 2>"$tmp/import.log"; } 2>&1 )
cat "$tmp/import.log" >&2
fi
nmoves=$(q "SELECT count(*) FROM stock_moves")
nstock=$(q "SELECT count(*) FROM stock")

now=$(date +%s)
q "INSERT OR IGNORE INTO customers (code, name, name_key, created_at, updated_at) VALUES ('CBENCH', '压测', '压测', $now, $now);
   INSERT OR IGNORE INTO repairs (code, customer_id, outlet_id, status, registered_at, received_at, created_at, updated_at)
   SELECT 'RBENCH1', c.id, o.id, 'waiting_parts', $now, $now, $now, $now FROM customers c, outlets o
   WHERE c.code = 'CBENCH' AND o.code = 'BENCH1';"
token=$("$BIN" token create --role supervisor --name bench --db "$DB")
if [ -n "${SAVE_DB:-}" ] && [ -z "${DB_FROM:-}" ]; then cp "$DB" "$SAVE_DB"; fi

"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 200); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }

cat >"$tmp/moves.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
function request()
    local body = string.format('{"kind":"receipt","part":"P%06d","qty":1,"to":"W%04d"}',
        math.random($PARTS), math.random($WAREHOUSES))
    return wrk.format(nil, "/api/v1/stock-moves", nil, body)
end
LUA
cat >"$tmp/requests.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
function request()
    local l = {}
    for k = 1, 5 do l[k] = string.format('{"part":"P%06d","qty":1}', math.random($PARTS)) end
    return wrk.format(nil, "/api/v1/repairs/RBENCH1/part-requests", nil,
        '{"lines":[' .. table.concat(l, ",") .. ']}')
end
LUA

declare -A RPS P50 P99 BAD CPU FRAMES
# user + system clock ticks of the server so far
ticks() { awk '{print $14 + $15}' "/proc/$srv_pid/stat"; }
run() { # name conns script
    local out t0 t1 w0 w1 n perf_pid=
    case "${ONLY:-$1}" in "$1") ;; *) return 0 ;; esac
    if [ "$1" = requests1 ] && [ -n "${PERF:-}" ]; then
        perf record -g -o "$PERF" -p "$srv_pid" 2>/dev/null &
        perf_pid=$!
        sleep 0.5
    fi
    t0=$(ticks)
    w0=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
    out=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${DURATION}s" --latency -s "$3" "$url")
    t1=$(ticks)
    w1=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
    if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    CPU[$1]=$(awk -v d="$((t1 - t0))" -v n="$n" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.3f ms", n ? d * 1000 / hz / n : 0 }')
    # WAL frames (4 KiB page + 24-byte header) appended per request, while the WAL only
    # grows (it starts over at 256 MiB: then "-")
    FRAMES[$1]=$(awk -v a="$w0" -v b="$w1" -v n="$n" \
        'BEGIN { if (b >= a && n) printf "%.1f", (b - a) / 4120 / n; else printf "-" }')
    RPS[$1]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    P50[$1]=$(awk '$1 == "50%" {print $2}' <<<"$out")
    P99[$1]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    BAD[$1]=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    BAD[$1]=${BAD[$1]:-0}
    echo "$1: ${RPS[$1]} req/s, p50 ${P50[$1]}, p99 ${P99[$1]}, non-2xx ${BAD[$1]}, server CPU ${CPU[$1]}/request, ${FRAMES[$1]} WAL frames/request ($n requests)" >&2
}
run moves "$CONNS" "$tmp/moves.lua"
run requests1 1 "$tmp/requests.lua"
run requests4 4 "$tmp/requests.lua"
nreq=$(q "SELECT count(*) FROM part_requests")
check=$(q "SELECT count(*) FROM stock WHERE on_hand < reserved OR on_hand < 0 OR reserved < 0")
sample=$(q "SELECT l.status || ' ' || COALESCE(w.code, '-') FROM part_request_lines l
            LEFT JOIN warehouses w ON w.id = l.warehouse_id ORDER BY l.id LIMIT 5" | tr '\n' ',')

report=$(cat <<MD

### parts.sh — $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), SQLite (durable commits: WAL synced before each answer, in groups)

$PARTS parts, $WAREHOUSES warehouses, $nstock balances; \`aftersales import stock\` of $nmoves rows (one receipt move each, one transaction) in ${imp_s} s. wrk on the same cores, ${DURATION} s per run, access log off; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).

| load | connections | req/s | p50 | p99 | non-2xx | server CPU / request | WAL frames / request |
|---|---|---|---|---|---|---|---|
| POST /api/v1/stock-moves (receipt, one durable transaction each) | $CONNS | ${RPS[moves]:-} | ${P50[moves]:-} | ${P99[moves]:-} | ${BAD[moves]:-} | ${CPU[moves]:-} | ${FRAMES[moves]:-} |
| POST /api/v1/repairs/{code}/part-requests (5 lines, every part in $WAREHOUSES warehouses) | 1 | ${RPS[requests1]:-} | ${P50[requests1]:-} | ${P99[requests1]:-} | ${BAD[requests1]:-} | ${CPU[requests1]:-} | ${FRAMES[requests1]:-} |
| the same | 4 | ${RPS[requests4]:-} | ${P50[requests4]:-} | ${P99[requests4]:-} | ${BAD[requests4]:-} | ${CPU[requests4]:-} | ${FRAMES[requests4]:-} |

$nreq part requests made; balances with on_hand < reserved or a negative quantity afterwards: $check; first lines: $sample
Targets: moves >= 2,000/s durable on SQLite; a part request (5 lines) p99 < 5 ms.
MD
)
echo "$report"
if [ "${1:-}" = --write ]; then echo "$report" >>bench/README.md; fi
