# Shared by the bench scripts that start their own server (source it after setting
# BIN, DB and tmp): start_server starts `serve` on DB; one that says nothing in 20 s is
# stopped and started again (seen on a freshly generated large database). Sets url
# and srv_pid.
start_server() {
    for _ in 1 2 3; do
        "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log >"$tmp/serve.out" 2>"$tmp/serve.log" &
        srv_pid=$!
        for _ in $(seq 400); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
        url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
        if [ -n "$url" ]; then
            # "listening" can come before connections are taken: wait for /healthz
            for _ in $(seq 200); do curl -sf -o /dev/null "$url/healthz" && break; sleep 0.05; done
            return 0
        fi
        echo "serve did not start in 20 s (state $(awk '{print $3}' /proc/$srv_pid/stat 2>/dev/null)); again" >&2
        kill -9 "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true
    done
    cat "$tmp/serve.log" >&2; exit 1
}

# CPU seconds (user + system) the server has used so far, from /proc (clock-tick
# resolution, usually 10 ms): the machine is shared, so wall time alone says little.
srv_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$srv_pid/stat"
}
# post_cpu PATH BODY -> "SECONDS s (CPU s CPU)": post (the script's) with the server's CPU
post_cpu() {
    local c0 t c1
    c0=$(srv_cpu)
    t=$(post "$1" "$2")
    c1=$(srv_cpu)
    printf '%s s (%s s CPU)' "$t" "$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b - a}')"
}
