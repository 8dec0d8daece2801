#!/usr/bin/env bash
# Inbound email throughput (M9, issue 11): N real messages (GBK, GB2312-labelled GBK,
# Big5 and UTF-8 bodies with encoded-word subjects, a third with an attachment, some
# from a known customer, some auto-replies) built by tests/api/mail-helpers.mjs, then
# each stored by its own `aftersales mail-in` process, as a mail server's pipe does, P
# at a time, then all by one `aftersales mail-in FILE...` (timed: messages/s, every one
# a durable transaction with its contact).
# Target: mail-in >= 200 messages/s.
# Usage: bench/mail.sh [--write]   (--write appends the results to bench/README.md)
#   N=2000 messages, P=2 parallel deliveries, DB=sqlite|postgres (postgres: needs
#   AFTERSALES_TEST_PG, a cluster URL from scripts/pg-cluster), AFTERSALES_BIN=build/aftersales
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AFTERSALES_BIN:-build/aftersales}
N=${N:-2000}
P=${P:-2}
WRITE=0
[ "${1:-}" = "--write" ] && WRITE=1
[ -x "$BIN" ] || make -s
tmp=$(mktemp -d /tmp/mail-bench.XXXXXX)
# mkdb NAME: a fresh database with one known customer; its URL in $url.
pgdbs=()
cleanup() {
    for n in "${pgdbs[@]}"; do psql "$AFTERSALES_TEST_PG" -qc "DROP DATABASE IF EXISTS $n WITH (FORCE)" >/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdb() {
    if [ "${DB:-sqlite}" = postgres ]; then
        local name="mailbench_$$_$1"
        psql "$AFTERSALES_TEST_PG" -qc "CREATE DATABASE $name" >/dev/null
        pgdbs+=("$name")
        url=$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.href)' "$AFTERSALES_TEST_PG" "$name")
    else
        url="$tmp/$1.db"
    fi
    "$BIN" migrate --db "$url" >/dev/null 2>&1
    q "INSERT INTO customers (code, name, name_key, created_at, updated_at) VALUES ('CBENCH', 'x', 'x', 0, 0)"
    q "INSERT INTO customer_emails (customer_id, email, created_at) SELECT id, 'known@example.com', 0 FROM customers WHERE code = 'CBENCH'"
}
q() { if [ "${DB:-sqlite}" = postgres ]; then psql "$url" -qAtc "$1"; else sqlite3 "$url" "$1"; fi; }
backend="SQLite (durable commits: WAL synced before each answer, in groups)"
[ "${DB:-sqlite}" = postgres ] && backend="PostgreSQL"

echo "== building $N messages" >&2
mkdir -p "$tmp/in"
node --input-type=module -e '
import { writeFileSync } from "node:fs";
import { message, wordB, ext2231 } from "./tests/api/mail-helpers.mjs";
const [dir, n] = [process.argv[1], Number(process.argv[2])];
const kinds = [["GBK", "gb2312", "您好，喆堃的电视没有声音，请问什么时候能修好？"], ["GBK", "GBK", "维修进度查询，谢谢。"],
  ["BIG5", "big5", "繁體中文的電視壞了，請幫忙。"], ["UTF-8", "UTF-8", "UTF-8 正文：洗衣机漏水。"]];
const pdf = Buffer.alloc(20000, 0x41);
const base = kinds.map(([cs, label, text], i) => (k) => message({
  from: k % 5 === 0 ? "known@example.com" : `sender${k}@example.net`, subject: wordB(`${k} ${text.slice(0, 6)}`, cs, label),
  messageId: `bench-${k}@example.net`, headers: k % 10 === 7 ? ["Auto-Submitted: auto-replied"] : [],
  body: { text: text.repeat(20), charset: cs, label },
  attachments: k % 3 === 0 ? [{ type: "application/pdf", filenameParam: `filename*=${ext2231("发票.pdf", "GBK")}`, data: pdf }] : [] }));
for (let k = 0; k < n; k++) writeFileSync(`${dir}/${String(k).padStart(6, "0")}.eml`, base[k % 4](k));
' "$tmp/in" "$N"
bytes=$(du -sk "$tmp/in" | cut -f1)

counts() {
    stored=$(q "SELECT COUNT(*) FROM mail_messages")
    contacts=$(q "SELECT COUNT(*) FROM contacts WHERE channel = 'email'")
    atts=$(q "SELECT COUNT(*) FROM mail_attachments")
    acks=$(q "SELECT COUNT(*) FROM outbox WHERE template = 'mail_ack'")
    [ "$stored" = "$N" ] || { echo "stored $stored of $N" >&2; exit 1; }
}
echo "== mail-in, one process per message, $P at a time" >&2
mkdb pipe
load=$(cut -d' ' -f1-3 /proc/loadavg)
# wall seconds, then the CPU (user + system) of all the mail-in processes
TIMEFORMAT='%R %U %S'
read -r secs usr sys < <( { time (ls "$tmp"/in/*.eml | xargs -P "$P" -n 1 "$BIN" mail-in --db "$url" >/dev/null); } 2>&1 )
TIMEFORMAT='%R'
counts
rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
cpu_ms=$(awk -v n="$N" -v u="$usr" -v y="$sys" 'BEGIN { printf "%.2f", (u + y) * 1000 / n }')
cpu_rate=$(awk -v c="$cpu_ms" -v k="$(nproc)" 'BEGIN { printf "%.0f", k * 1000 / c }')
echo "pipe:  $N messages (${bytes} KiB) in $secs s: $rate messages/s; CPU $cpu_ms ms per message (bound on $(nproc) cores: $cpu_rate/s); load before $load; stored $stored, contacts $contacts, attachments $atts, acks $acks"
startup=$( { time (for i in $(seq 50); do "$BIN" routes >/dev/null; done); } 2>&1 )
startup_ms=$(awk -v s="$startup" 'BEGIN { printf "%.1f", s * 1000 / 50 }')
echo "== mail-in FILE..., one process" >&2
mkdb batch
bsecs=$( { time ("$BIN" mail-in --db "$url" "$tmp"/in/*.eml >/dev/null); } 2>&1 )
counts
brate=$(awk -v n="$N" -v s="$bsecs" 'BEGIN { printf "%.0f", n / s }')
echo "batch: $N messages in $bsecs s: $brate messages/s (each its own transaction); process start alone ${startup_ms} ms"
if [ $WRITE = 1 ]; then
    cat >>bench/README.md <<MD

### mail.sh — $(date -u +%F), $(nproc) cores ($(uname -m)), $backend

$N messages (${bytes} KiB: GBK, GB2312-labelled GBK, Big5 and UTF-8 bodies with encoded-word subjects, one in three with a 20 kB attachment, one in ten an auto-reply), each a durable transaction with its email contact:

| how | messages/s | time |
|---|---|---|
| one \`aftersales mail-in\` process per message (as a mail server's pipe runs it), $P at a time | $rate | $secs s |
| \`aftersales mail-in FILE...\` (one process, each message its own transaction) | $brate | $bsecs s |

CPU (user + system) per piped message: $cpu_ms ms, so $(nproc) idle cores bound the pipe at $cpu_rate messages/s; load average before the run: $load.
Stored $stored, email contacts $contacts, attachments $atts, acknowledgements queued $acks (one per address and day). Starting the binary alone (\`aftersales routes\`) takes ${startup_ms} ms here, which bounds the pipe rate per core.
Target: mail-in >= 200 messages/s.
MD
fi
