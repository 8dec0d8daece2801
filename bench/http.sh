#!/usr/bin/env bash
# HTTP throughput of aftersales against nginx on the same machine, in one run.
#   /healthz (no database), authenticated GET /api/v1/me (session lookup in the
#   database), and nginx answering a fixed body as the reference.
# wrk: 2 threads, 64 connections, DURATION seconds each (default 10).
# Usage: bench/http.sh [--write]   (--write appends the results to bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
BIN=${AFTERSALES_BIN:-build/aftersales}
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx: scripts/install-deps" >&2; exit 1; }
[ -x "$BIN" ] || make -s
tmp=$(mktemp -d)
srv_pid= ; ngx_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    [ -n "$ngx_pid" ] && kill "$ngx_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# aftersales, with its access log on (written to a file, as in production)
"$BIN" migrate --db "$tmp/a.db" >/dev/null
echo 'bench-password' | "$BIN" user add bench --role agent --db "$tmp/a.db" >/dev/null
"$BIN" serve --db "$tmp/a.db" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
srv_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"login":"bench","password":"bench-password"}' "$url/api/v1/session" |
    sed -n 's/^Set-Cookie: \(as_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }

# nginx returning a fixed body, logging to a file like aftersales
nport=$(free_port)
cat >"$tmp/nginx.conf" <<NGX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log $tmp/nginx-access.log;
    server {
        listen 127.0.0.1:$nport;
        location / { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
NGX
nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log"
sleep 0.3
ngx_pid=$(cat "$tmp/nginx.pid")

run() { # name url [header]
    local out
    if [ -n "${3:-}" ]; then out=$(wrk -t2 -c64 -d"${DURATION}s" --latency -H "$3" "$2")
    else out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$2"); fi
    local rps p50 p99 errs
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    printf '| %s | %.0f | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errs:-0}"
    echo "$rps" >"$tmp/rps-$1"
}

wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/" >/dev/null   # warm up both
wrk -t2 -c64 -d2s "$url/healthz" >/dev/null
table=$(
    echo "| target | req/s | p50 | p99 | non-2xx |"
    echo "|---|---|---|---|---|"
    run nginx "http://127.0.0.1:$nport/"
    run healthz "$url/healthz"
    run me "$url/api/v1/me" "Cookie: $cookie"
)
ratio() { awk -v a="$(cat "$tmp/rps-$1")" -v b="$(cat "$tmp/rps-nginx")" 'BEGIN { printf "%.0f%%", 100*a/b }'; }
summary="/healthz = $(ratio healthz) of nginx (target >= 90%); authenticated /api/v1/me = $(ratio me) of nginx (target >= 50%)"
echo "$table"
echo "$summary"

if [ "${1:-}" = "--write" ]; then
    {
        echo
        echo "### bench/http.sh, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')"
        echo
        echo "wrk 2 threads, 64 connections, ${DURATION}s per target, on the same machine as the servers."
        echo
        echo "$table"
        echo
        echo "$summary"
    } >>bench/README.md
fi
