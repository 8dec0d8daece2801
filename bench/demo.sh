#!/bin/sh
# bench/demo.sh: time `aftersales demo` at 10M customers and 5M repairs (issue 9 item 3,
# target < 5 min wall on SQLite), check the KPI aggregates against a full recount, print
# wall/user/sys/peak RSS and the database size, and delete the database.
#
#   bench/demo.sh [CUSTOMERS [REPAIRS]]     (defaults 10000000 5000000)
#   AFTERSALES_BIN=build/aftersales  DEMO_DIR=/tmp (where the temporary database goes)
# About 6 GB of disk at the full size, for the length of the run.
set -eu
customers=${1:-10000000}
repairs=${2:-5000000}
bin=${AFTERSALES_BIN:-build/aftersales}
dir=$(mktemp -d "${DEMO_DIR:-/tmp}/aftersales-demo-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
db="$dir/demo.db"
log="$dir/time.txt"

echo "demo: $customers customers, $repairs repairs into $db"
# each line of the demo's progress with the seconds since the start
start=$(date +%s.%N)
/usr/bin/time -v -o "$log" "$bin" demo --db "$db" --customers "$customers" --repairs "$repairs" 2>&1 |
    while IFS= read -r line; do
        printf '%7.1fs %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"
    done
grep -q "Exit status: 0" "$log" || { echo "demo failed"; cat "$log"; exit 1; }
size=$(du -b "$db" | cut -f1)

echo "kpi --check:"
kstart=$(date +%s.%N)
"$bin" kpi --check --db "$db"
kend=$(date +%s.%N)

wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
user=$(sed -n 's/.*User time (seconds): //p' "$log")
sys=$(sed -n 's/.*System time (seconds): //p' "$log")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
echo
echo "| customers | repairs | wall | user s | sys s | peak RSS | db size | kpi --check |"
echo "|---|---|---|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %s | %.2f GB | %.2f GB | %.0f s, clean |\n' "$customers" "$repairs" \
    "$wall" "$user" "$sys" "$(echo "$rss / 1048576" | bc -l)" "$(echo "$size / 1073741824" | bc -l)" \
    "$(echo "$kend - $kstart" | bc)"
