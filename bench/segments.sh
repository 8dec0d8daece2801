#!/usr/bin/env bash
# Segment counts at scale (M12, issue 13): `aftersales demo --customers N --units 2N
# --repairs N/2` (the demo's last step builds segment_facts in bulk), then consents for
# every customer by SQL (phone granted for all, email for two in three, sms for one in
# two; the triggers of 0020 keep the facts), on SQLite. Measured over HTTP, curl
# time_total, for filters from wide to narrow: POST /api/v1/segments/preview (count and a
# 20-row sample in one request), cold (the first request of a freshly started server: its
# page cache empty; the OS file cache is as the generation left it) and warm (the same
# again), and the launch of a phone campaign over every customer (freezing the outreach
# list). Targets (issue 13): a count over 10M customers and 20M units < 1 s; freezing an
# outreach list of 1M customers < 10 s.
# Usage: bench/segments.sh [--write]   (--write appends the results to bench/README.md)
#   SIZE=1M (default: 1M customers, 2M units) or SIZE=10M (10M, 20M), or N=customers;
#   AFTERSALES_BIN=build/aftersales KEEP=1 (keep the database) NICE=10 (generation)
#   REUSE=/tmp/seg-bench.X/seg.db (measure again on a kept database; the campaign it
#   launched before stays, a new one is launched)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
case "${SIZE:-1M}" in
    1M) N=${N:-1000000} ;;
    10M) N=${N:-10000000} ;;
    *) echo "SIZE is 1M or 10M" >&2; exit 2 ;;
esac
[ -x "$BIN" ] || make -s
for cmd in sqlite3 curl; do
    command -v $cmd >/dev/null || { echo "needs $cmd" >&2; exit 1; }
done
export AFTERSALES_CHINESE_DAYS=${AFTERSALES_CHINESE_DAYS:-$PWD/node_modules/chinese-days/dist/chinese-days.json}
tmp=$(mktemp -d /tmp/seg-bench.XXXXXX)
srv_pid=
stop_server() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    srv_pid=
}
cleanup() {
    stop_server
    if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}
trap cleanup EXIT
DB=${REUSE:-$tmp/seg.db} # REUSE=FILE: a database this script generated before (kept with KEEP=1)
ms() { date +%s%N | cut -b1-13; }

echo "== demo: $N customers, $((2 * N)) units, $((N / 2)) repairs" >&2
t0=$(ms)
if [ -z "${REUSE:-}" ]; then
    nice -n "${NICE:-10}" "$BIN" demo --db "$DB" --customers "$N" --units $((2 * N)) --repairs $((N / 2)) >/dev/null 2>"$tmp/demo.log" \
        || { tail -20 "$tmp/demo.log" >&2; exit 1; }
fi
gen_ms=$(( $(ms) - t0 ))
t0=$(ms)
sqlite3 "$DB" <<'SQL'
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at, updated_by)
SELECT id, 'phone', 1, 'bench', 0, 'bench' FROM customers
UNION ALL SELECT id, 'email', CASE WHEN id % 3 = 0 THEN 0 ELSE 1 END, 'bench', 0, 'bench' FROM customers
UNION ALL SELECT id, 'sms', id % 2, 'bench', 0, 'bench' FROM customers WHERE 1
ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted;
COMMIT;
ANALYZE;
SQL
consent_ms=$(( $(ms) - t0 ))
units=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM units')
customers=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM segment_facts')
read -r pl model <<<"$(sqlite3 -separator ' ' "$DB" "SELECT p.code, m.code FROM units u JOIN models m ON m.id = u.model_id
    JOIN product_lines p ON p.id = m.product_line_id GROUP BY m.id ORDER BY COUNT(*) DESC LIMIT 1")"
token=$("$BIN" token create --role marketer --name bench --db "$DB")

start_server() {
    "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.log" &
    srv_pid=$!
    for _ in $(seq 400); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
    url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
    [ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }
}
post() { # path body -> "json seconds"
    local r
    r=$(curl -s -o "$tmp/p.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "$2" "$url$1")
    case "$r" in 20?\ *) ;; *) echo "failed: $1 $r $(cat "$tmp/p.json")" >&2; exit 1 ;; esac
    printf '%s' "${r#* }"
}
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$tmp/p.json"; }

rows=""
for f in '{}' '{"consent":["email"]}' '{"region":"31"}' '{"region":"3101","consent":["email"]}' \
         "{\"product_line\":\"$pl\"}" "{\"model\":\"$model\",\"purchased_from\":\"2024-06-01\",\"purchased_to\":\"2025-05-31\"}" \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31"}' \
         '{"served_from":"2026-01-01","consent":["sms"]}' \
         "{\"region\":\"44\",\"product_line\":\"$pl\",\"consent\":[\"email\"],\"score_min\":4}"; do
    start_server
    a=$(post /api/v1/segments/preview "{\"filter\":$f}"); count=$(num count)
    b=$(post /api/v1/segments/preview "{\"filter\":$f}")
    stop_server
    rows+="| \`$f\` | $count | $a s | $b s |"$'\n'
done

start_server
post /api/v1/segments '{"name":"bench all","filter":{}}' >/dev/null
seg=$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$tmp/p.json")
post /api/v1/campaigns "{\"name\":\"bench\",\"segment\":\"$seg\",\"channel\":\"phone\",\"title\":\"t\",\"message\":\"m\"}" >/dev/null
cp=$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$tmp/p.json")
launch=$(post "/api/v1/campaigns/$cp/launch" '{}')
targets=$(num targets)
stop_server

out="### segments.sh — $(date -u +%Y-%m-%d), $(uname -sm), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB, SQLite

\`demo --customers $N --units $((2 * N)) --repairs $((N / 2))\` in $((gen_ms / 1000)) s at nice ${NICE:-10}
($customers live customers with segment facts, $units units); consents for every customer by SQL, the
triggers keeping the facts, in $((consent_ms / 1000)) s. POST /api/v1/segments/preview (count + 20-row
sample), curl time_total; cold = first request of a fresh server, warm = again:

| filter | count | cold | warm |
|---|---|---|---|
${rows}
Launching a phone campaign over all customers (freezing the outreach list): $targets targets in $launch s."
printf '%s\n' "$out"
if [ "${1:-}" = "--write" ]; then printf '\n%s\n' "$out" >>bench/README.md; fi
