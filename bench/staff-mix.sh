#!/usr/bin/env bash
# 500 concurrent staff on one machine (issue 16, item 3): a server on DB, then
# bench/staff-mix.mjs's sessions (search, match, open a card, open a repair, the outlet
# queue, register a repair, move it to received, a dashboard) for DUR s; p50/p99 per kind.
# Usage: bench/staff-mix.sh DB   (a demo database; the run registers and receives repairs
#   in it, a few thousand at most)
#   SESSIONS=500 THINK_MS=1000 DUR=30 WARM=5 OUTLETS=40 THREADS= (serve --threads) AFTERSALES_BIN=build/aftersales
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
DB=${1:?usage: bench/staff-mix.sh DB}
OUTLETS=${OUTLETS:-40}
tmp=$(mktemp -d /tmp/staff-mix.XXXXXX)
srv_pid=
cleanup() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
q() { sqlite3 -json "$DB" "$1"; }
ncust=$(sqlite3 "$DB" "SELECT MAX(id) FROM customers")
s=$(( (ncust + 19999) / 20000 ))
# customers with a unit (the serial a new repair names), by id stride
q "SELECT c.code, (SELECT u.serial FROM units u WHERE u.customer_id = c.id LIMIT 1) AS serial
     FROM customers c WHERE c.id % $s = 0 AND c.merged_into IS NULL
      AND EXISTS (SELECT 1 FROM units u WHERE u.customer_id = c.id)" >"$tmp/customers.json"
q "SELECT '/api/v1/customers?q=' || substr(phone, length(phone) - 3) AS p FROM customer_phones WHERE customer_id % $s = 0" >"$tmp/tail.json"
q "SELECT '/api/v1/customers/match?phone=' || phone AS p FROM customer_phones WHERE customer_id % $s = 0" >"$tmp/match.json"
q "SELECT DISTINCT substr(name, 1, 1) AS n FROM customers WHERE id % $s = 0" >"$tmp/names.json"
# the busiest outlets, each with a technician's token and some of its repairs
q "SELECT o.id, o.code FROM outlets o WHERE o.id IN (SELECT outlet_id FROM repairs
     WHERE outlet_id IS NOT NULL GROUP BY outlet_id ORDER BY COUNT(*) DESC LIMIT $OUTLETS)" >"$tmp/outlets.json"
node -e '
  const fs = require("fs"), { execFileSync } = require("child_process");
  const [bin, db, dir] = process.argv.slice(1);
  const rd = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8") || "[]");
  const tok = (...a) => execFileSync(bin, ["token", "create", ...a, "--name", "staff-mix", "--db", db]).toString().trim();
  const sql = (s) => JSON.parse(execFileSync("sqlite3", ["-json", db, s]).toString() || "[]");
  const outlets = rd("outlets.json").map((o) => ({ code: o.code, token: tok("--role", "technician", "--outlet", o.code),
      repairs: sql(`SELECT code FROM repairs WHERE outlet_id = ${o.id} ORDER BY id DESC LIMIT 200`).map((r) => r.code) }));
  const search = [...rd("tail.json").map((r) => r.p), ...rd("names.json").map((r) => "/api/v1/customers?q=" + encodeURIComponent(r.n))];
  const now = new Date(Date.now() + 8 * 3600e3), month = now.toISOString().slice(0, 8) + "01";
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  const p = { customers: rd("customers.json"), search, match: rd("match.json").map((r) => r.p), outlets,
      dashboard: ["/api/v1/kpi/at-risk?threshold=4d", `/api/v1/kpi/turnaround?from=${month}&to=${next}&group_by=outlet`],
      tokens: { agent: [1, 2, 3, 4].map(() => tok("--role", "agent")), sup: tok("--role", "supervisor") } };
  fs.writeFileSync(`${dir}/probes.json`, JSON.stringify(p));
' "$BIN" "$DB" "$tmp"
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log ${THREADS:+--threads $THREADS} >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 600); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; exit 1; }
echo "### staff-mix.sh — $(date -u +%F), $(nproc) cores, SQLite, $(sqlite3 "$DB" 'SELECT COUNT(*) FROM repairs') repairs"
echo
node bench/staff-mix.mjs "$url" "$tmp/probes.json"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); server $(awk '/^(RssAnon|RssFile):/ { printf "%s %s %s ", $1, $2, $3 }' /proc/$srv_pid/status)"
