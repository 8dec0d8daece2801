#!/usr/bin/env bash
# Public information base search over HTTP (issue 14): 100,000 published articles
# (bench/kb_corpus.py) on SQLite, then wrk on GET /api/v1/public/kb/search with a mix of
# two-character queries taken from the bodies, model codes in any case, and a word plus
# a model code. Targets: p99 < 10 ms and >= 5,000 req/s.
# wrk: 2 threads, 16 connections, DURATION seconds (default 10), on the same cores.
# Usage: bench/kb.sh [--write]   (--write appends the results to bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ARTICLES=${ARTICLES:-100000}
BIN=${AFTERSALES_BIN:-build/aftersales}
command -v wrk >/dev/null || { echo "needs wrk: scripts/install-deps" >&2; exit 1; }
[ -x "$BIN" ] || make -s
tmp=$(mktemp -d)
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

"$BIN" migrate --db "$tmp/a.db" >/dev/null
t0=$(date +%s.%N)
python3 bench/kb_corpus.py "$tmp/a.db" "$ARTICLES" "$tmp/queries.txt"
t1=$(date +%s.%N)
"$BIN" serve --db "$tmp/a.db" --listen 127.0.0.1:0 --public-rate 100000000 >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")

# the queries as URL paths, cycled by wrk
python3 - "$tmp/queries.txt" "$tmp/paths.lua" <<'PY'
import sys, urllib.parse
qs = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
paths = ["/api/v1/public/kb/search?q=" + urllib.parse.quote(q) for q in qs]
with open(sys.argv[2], "w") as f:
    f.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n")
    f.write("local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
PY
hits=0; total=0
while IFS= read -r q; do
    total=$((total + 1))
    n=$(curl -s -G "$url/api/v1/public/kb/search" --data-urlencode "q=$q" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
    [ "$n" -gt 0 ] && hits=$((hits + 1))
done < <(head -100 "$tmp/queries.txt")

wrk -t2 -c16 -d2s -s "$tmp/paths.lua" "$url" >/dev/null   # warm up
out=$(wrk -t2 -c16 -d"${DURATION}s" --latency -s "$tmp/paths.lua" "$url")
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1=="50%" {print $2}' <<<"$out")
p99=$(awk '$1=="99%" {print $2}' <<<"$out")
errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
load=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
report=$(cat <<MD
### kb.sh — $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), SQLite

$ARTICLES published articles loaded in $load s (bench/kb_corpus.py); $(wc -l <"$tmp/queries.txt") queries cycled (two characters from a body, a model code in any case, a word plus a model code); $hits of the first $total find something. wrk on the same cores, ${DURATION} s.

| request | connections | req/s | p50 | p99 | non-2xx |
|---|---|---|---|---|---|
| GET /api/v1/public/kb/search?q= | 16 | $rps | $p50 | $p99 | ${errs:-0} |

Targets: p99 < 10 ms and >= 5,000 req/s.
MD
)
echo "$report"
if [ "${1:-}" = "--write" ]; then printf '\n%s\n' "$report" >>bench/README.md; fi
