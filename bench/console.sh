#!/usr/bin/env bash
# The console under load: 100 concurrent API clients listing the inventory over loopback.
#
#   bash bench/console.sh              # 100 connections, 20 s
#   BENCH_CONNS=200 BENCH_SECS=30 bash bench/console.sh
#
# Starts `anshu serve` on a temporary catalog filled by scanning examples/demo and, when present,
# ../shared/samples; logs in; runs wrk (Debian `wrk`, installed if missing) with the session
# cookie against GET /api/inventory/columns; prints p50/p99 latency, requests/s and errors.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CONNS=${BENCH_CONNS:-100}
SECS=${BENCH_SECS:-20}
PORT=${BENCH_PORT:-18181}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p anshu
ANSHU=${CARGO_TARGET_DIR:-$ROOT/target}/release/anshu
WORK=$(mktemp -d)
trap 'kill $SRV 2>/dev/null || true; rm -rf "$WORK"' EXIT
export ANSHU_CATALOG=$WORK/catalog.db
"$ANSHU" scan examples/demo --quiet -o /dev/null
[ -d ../shared/samples ] && "$ANSHU" scan ../shared/samples --quiet -o /dev/null
ANSHU_ADMIN_PASSWORD=bench-admin-password ANSHU_CONSOLE_KEY=$(printf '22%.0s' $(seq 32)) \
    "$ANSHU" serve --listen 127.0.0.1:$PORT 2> "$WORK/server.log" &
SRV=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.1; done
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"bench-admin-password"}' "http://127.0.0.1:$PORT/api/login" \
    | sed -n 's/^set-cookie: \(anshu_session=[^;]*\).*/\1/ip' | tr -d '\r')
COLS=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/inventory/columns" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
BYTES=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/inventory/columns" | wc -c)
echo "inventory: $COLS columns, $BYTES bytes per response; $CONNS connections for $SECS s on $(nproc) cores"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/inventory/columns" | tee "$WORK/wrk.txt"
p50=$(awk '/^ +50%/ {print $2}' "$WORK/wrk.txt")
p99=$(awk '/^ +99%/ {print $2}' "$WORK/wrk.txt")
rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
bad=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt")
errs=$(awk '/Socket errors/ {print $0}' "$WORK/wrk.txt")
echo "RESULT p50=$p50 p99=$p99 rps=$rps non2xx=${bad:-0} ${errs:-socket_errors=0}"
