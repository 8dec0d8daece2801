#!/usr/bin/env bash
# Segment counts over 10M customers and 20M units when the demo cannot be generated in
# time (issue 13): a segment count reads only segment_facts (one row per live customer)
# and, for a model, segment_units (0020), so this fills just those two tables by SQL
# (N rows of facts, 2N units; regions over 31 provinces, 5 product lines, 30 models,
# purchase dates over three years, consents, a last service for a third, a survey score
# for a tenth) plus the catalog, and measures POST /api/v1/segments/preview over HTTP
# as bench/segments.sh does, cold and warm. The 20-row sample is empty here (there are
# no customers rows to show); the count is the same query the full database runs.
# Usage: bench/segments-facts.sh [--write]   N=10000000 AFTERSALES_BIN=... KEEP=1 NICE=10 GEN_ONLY=1 REUSE=FILE|URL PG=URL
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
N=${N:-10000000}
tmp=$(mktemp -d /tmp/seg-facts.XXXXXX)
srv_pid=
stop_server() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    srv_pid=
}
pgdb=
cleanup() {
    stop_server
    if [ -z "${KEEP:-}" ]; then
        rm -rf "$tmp"
        if [ -n "$pgdb" ]; then psql -q "$PG" -c "DROP DATABASE $pgdb" >/dev/null || true; fi
    else echo "kept $tmp ${pgdb:+and $DB}" >&2; fi
}
trap cleanup EXIT
DB=${REUSE:-$tmp/facts.db} # REUSE=FILE: measure again on a kept database
# PG=URL (scripts/pg-cluster start prints one): the same rows in a new database segfacts_PID
# of that cluster (kept with KEEP=1, REUSE=its URL measures again)
if [ -n "${PG:-}" ] && [ -z "${REUSE:-}" ]; then
    pgdb=segfacts_$$
    psql -q "$PG" -c "CREATE DATABASE $pgdb" >/dev/null
    base=${PG%%\?*}; query=${PG#"$base"}
    DB="${base%/*}/$pgdb$query"
fi
backend=SQLite
case "$DB" in postgres*) backend=PostgreSQL ;; esac
ms() { date +%s%N | cut -b1-13; }
echo "== $N facts, $((2 * N)) units" >&2
t0=$(ms)
if [ -z "${REUSE:-}" ] && [ "$backend" = PostgreSQL ]; then
"$BIN" migrate --db "$DB" >/dev/null 2>&1
psql -q -v ON_ERROR_STOP=1 "$DB" <<SQL
SET synchronous_commit = off;
BEGIN;
INSERT INTO product_lines (id, code, name, created_at) VALUES (1, 'AV', 'AV', 0), (2, 'PC', 'PC', 0), (3, 'TV', 'TV', 0), (4, 'VC', 'VC', 0), (5, 'GAME', 'GAME', 0);
INSERT INTO models (id, code, name, product_line_id, warranty_months, created_at, updated_at)
SELECT i, 'M' || lpad(i::text, 2, '0'), 'Model ' || i, 1 + i % 5, 12, 0, 0 FROM generate_series(1, 30) i;
ALTER TABLE segment_units DISABLE TRIGGER USER;
INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
SELECT i, 1 + (i * 7919) % $N, 1 + (1 + (i * 13) % 30) % 5, 1 + (i * 13) % 30,
       to_char(DATE '2023-12-01' + CAST((i * 31) % 1090 AS INTEGER), 'YYYY-MM-DD') FROM generate_series(CAST(1 AS BIGINT), 2 * $N) i;
ALTER TABLE segment_units ENABLE TRIGGER USER;
INSERT INTO segment_facts (customer_id, region, consent, last_service, score_mask, pl_mask, bought_min, bought_max)
SELECT i, lpad((11 + (i * 7) % 31)::text, 2, '0') || lpad((1 + (i / 31) % 15)::text, 2, '0') || lpad((1 + (i / 465) % 20)::text, 2, '0'),
       1 + CASE WHEN i % 3 <> 0 THEN 4 ELSE 0 END + CASE WHEN i % 2 = 1 THEN 2 ELSE 0 END,
       CASE WHEN i % 3 = 2 THEN 1780000000 - (i * 7919) % (400 * 86400) END,
       CASE WHEN i % 10 = 3 THEN 1 << CAST(1 + (i / 10) % 5 AS INTEGER) ELSE 0 END, 0, NULL, NULL FROM generate_series(CAST(1 AS BIGINT), $N) i;
UPDATE segment_facts f SET pl_mask = a.m, bought_min = a.lo, bought_max = a.hi FROM
  (SELECT u.customer_id AS id, CAST(SUM(DISTINCT CAST(1 AS BIGINT) << l.bit) AS BIGINT) AS m, MIN(u.purchase_date) AS lo,
          MAX(u.purchase_date) AS hi FROM segment_units u JOIN segment_lines l ON l.product_line_id = u.product_line_id
   GROUP BY u.customer_id) a WHERE a.id = f.customer_id;
UPDATE segment_facts f SET pm = b.pm, pm_base = b.pm_base FROM segment_month_bits b WHERE b.customer_id = f.customer_id;
DELETE FROM segment_days;
INSERT INTO segment_days (day, prev, n) SELECT p.day, p.prev, COUNT(*) FROM segment_day_pairs p
    WHERE p.customer_id IN (SELECT customer_id FROM segment_facts) GROUP BY p.day, p.prev;
INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
    SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits;
COMMIT;
VACUUM ANALYZE;
SQL
elif [ -z "${REUSE:-}" ]; then
"$BIN" migrate --db "$DB" >/dev/null 2>&1
nice -n "${NICE:-10}" sqlite3 "$DB" <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
INSERT INTO product_lines (id, code, name, created_at) VALUES (1, 'AV', 'AV', 0), (2, 'PC', 'PC', 0), (3, 'TV', 'TV', 0), (4, 'VC', 'VC', 0), (5, 'GAME', 'GAME', 0);
WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 30)
INSERT INTO models (id, code, name, product_line_id, warranty_months, created_at, updated_at)
SELECT i, printf('M%02d', i), printf('Model %d', i), 1 + i % 5, 12, 0, 0 FROM m;
DROP INDEX segment_units_model;
DROP INDEX segment_units_customer;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2 * $N)
INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
SELECT i, 1 + (i * 7919) % $N, 1 + (1 + (i * 13) % 30) % 5, 1 + (i * 13) % 30,
       date('2023-12-01', printf('+%d days', (i * 31) % 1090)) FROM n;
CREATE INDEX segment_units_model ON segment_units(model_id, purchase_date, customer_id);
CREATE INDEX segment_units_customer ON segment_units(customer_id, purchase_date, product_line_id);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO segment_facts (customer_id, region, consent, last_service, score_mask, pl_mask, bought_min, bought_max)
SELECT i, printf('%02d%02d%02d', 11 + (i * 7) % 31, 1 + (i / 31) % 15, 1 + (i / 465) % 20),
       1 + CASE WHEN i % 3 <> 0 THEN 4 ELSE 0 END + CASE WHEN i % 2 = 1 THEN 2 ELSE 0 END,
       CASE WHEN i % 3 = 2 THEN 1780000000 - (i * 7919) % (400 * 86400) END,
       CASE WHEN i % 10 = 3 THEN 1 << (1 + (i / 10) % 5) ELSE 0 END, 0, NULL, NULL FROM n;
COMMIT;
SQL
# pl_mask and the purchase range from the units, grouped once (the view needs customers
# rows), the purchase months of 0026 (and per line, 0027) and the purchase-day pairs of 0025
nice -n "${NICE:-10}" sqlite3 "$DB" <<'SQL'
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
CREATE TEMP TABLE agg (id INTEGER PRIMARY KEY, m BIGINT, lo TEXT, hi TEXT);
INSERT INTO agg SELECT u.customer_id AS id, SUM(DISTINCT 1 << l.bit) AS m, MIN(u.purchase_date) AS lo,
    MAX(u.purchase_date) AS hi FROM segment_units u JOIN segment_lines l ON l.product_line_id = u.product_line_id
    GROUP BY u.customer_id;
UPDATE segment_facts SET (pl_mask, bought_min, bought_max) = (SELECT COALESCE(m, 0), lo, hi FROM agg
    WHERE agg.id = segment_facts.customer_id) WHERE customer_id IN (SELECT id FROM agg);
UPDATE segment_facts SET pm = b.pm, pm_base = b.pm_base FROM segment_month_bits b
    WHERE b.customer_id = segment_facts.customer_id;
INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
    SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits;
DELETE FROM segment_days;
INSERT INTO segment_days (day, prev, n) SELECT p.day, p.prev, COUNT(*) FROM segment_day_pairs p
    WHERE p.customer_id IN (SELECT customer_id FROM segment_facts) GROUP BY p.day, p.prev;
COMMIT;
ANALYZE;
SQL
fi
gen_ms=$(( $(ms) - t0 ))
if [ -n "${GEN_ONLY:-}" ]; then echo "generated $DB in $((gen_ms / 1000)) s" >&2; exit 0; fi # with KEEP=1, for REUSE
token=$("$BIN" token create --role marketer --name bench --db "$DB")
# shellcheck source=bench/lib.sh
. bench/lib.sh # (the working directory is the repository)
if [ "$backend" = PostgreSQL ]; then
    # the count runs in the server's PostgreSQL backends: their CPU counted with the server's
    dbname=$(psql -Atq "$DB" -c 'SELECT current_database()')
    srv_cpu() {
        local p t=0
        for p in $srv_pid $(pgrep -f "^postgres: [^ ]+ $dbname " || true); do
            t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
        done
        awk -v hz="$(getconf CLK_TCK)" -v t="$t" 'BEGIN{printf "%.2f", t / hz}'
    }
fi
post() {
    local r
    r=$(curl -s --retry 5 --retry-connrefused --retry-delay 1 -o "$tmp/p.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "$2" "$url$1")
    case "$r" in 20?\ *) ;; *) echo "failed: $1 $r $(cat "$tmp/p.json")" >&2; exit 1 ;; esac
    printf '%s' "${r#* }"
}
rows=""
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for f in '{}' '{"consent":["email"]}' '{"region":"31"}' '{"region":"3101","consent":["email"]}' \
         '{"product_line":"TV"}' '{"model":"M07","purchased_from":"2024-06-01","purchased_to":"2025-05-31"}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31"}' \
         '{"purchased_from":"2024-06-07","purchased_to":"2025-05-13"}' '{"purchased_to":"2024-03-31"}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","consent":["email"]}' \
         '{"purchased_from":"2024-06-07","purchased_to":"2025-05-13","consent":["email"]}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","region":"31"}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","product_line":"TV"}' \
         '{"purchased_from":"2024-06-07","purchased_to":"2025-05-13","product_line":"TV"}' \
         '{"purchased_from":"2024-06-10","purchased_to":"2024-06-20","product_line":"TV"}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","product_line":"TV","consent":["email"]}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","product_line":"TV","region":"31"}' \
         '{"purchased_from":"2024-06-10","purchased_to":"2024-06-20","consent":["email"]}' \
         '{"purchased_from":"2024-06-01","purchased_to":"2025-05-31","served_from":"2026-01-01"}' \
         '{"served_from":"2026-01-01","consent":["sms"]}' \
         '{"region":"44","product_line":"TV","consent":["email"],"score_min":4}'; do
    start_server
    a=$(post_cpu /api/v1/segments/preview "{\"filter\":$f}"); count=$(sed -n 's/.*"count":\([0-9]*\).*/\1/p' "$tmp/p.json")
    b=$(post_cpu /api/v1/segments/preview "{\"filter\":$f}")
    stop_server
    rows+="| \`$f\` | $count | $a | $b |"$'\n'
done
out="### segments-facts.sh — $(date -u +%Y-%m-%d), $(uname -sm), $(nproc) cores, $backend

segment_facts of $N customers and segment_units of $((2 * N)) units filled by SQL in $((gen_ms / 1000)) s
(database $(if [ "$backend" = SQLite ]; then du -h "$DB" | cut -f1; else psql -Atq "$DB" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))'; fi)). POST /api/v1/segments/preview, curl time_total; cold = first request of
a fresh server, warm = again;
the server's CPU time (user + system, 10 ms ticks; on PostgreSQL with its backends') for each request in brackets (the sample is empty: no customers rows);
load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end:

| filter | count | cold | warm |
|---|---|---|---|
$rows"
printf '%s\n' "$out"
if [ "${1:-}" = "--write" ]; then printf '\n%s\n' "$out" >>bench/README.md; fi
