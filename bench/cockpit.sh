#!/usr/bin/env bash
# Cockpit bench: renders the board of a home with SITES sites (default 200) and reports the server
# time of GET / (Server-Timing header, measured inside the cockpit) and the client time (curl).
# The home is built with the real CLI (`run.sh deploy`), served by `run.sh cockpit`, then deleted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITES="${SITES:-200}"
RUNS="${RUNS:-50}"
PORT="${PORT:-$(( 20000 + RANDOM % 20000 ))}"
WORK="$(mktemp -d /tmp/bg-cockpit-bench.XXXXXX)"
COCKPIT_PID=""
cleanup() {
  [ -n "$COCKPIT_PID" ] && kill "$COCKPIT_PID" 2>/dev/null && wait "$COCKPIT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/conf/sites"
printf 'ROUTER_API=\nCOCKPIT_LISTEN=127.0.0.1:%s\n' "$PORT" > "$WORK/conf/global.conf"
for i in $(seq -w 1 "$SITES"); do
  # Slots on closed ports: nothing is live, so no probe slows anything down; the board reads disk only.
  printf 'RULE=Host(`site-%s.example.com`)\nSLOT_A_URL=http://127.0.0.1:9/\nSLOT_B_URL=http://127.0.0.1:10/\n' "$i" > "$WORK/conf/sites/site-$i.conf"
done

echo "bench: deploying a version on each of $SITES sites with run.sh (state written by the product itself)..." >&2
"$ROOT/run.sh" --home "$WORK" config check >/dev/null
seq -w 1 "$SITES" | xargs -P 2 -I{} "$ROOT/run.sh" --home "$WORK" deploy "site-{}" --version "1.0.{}" >/dev/null

"$ROOT/run.sh" --home "$WORK" cockpit >"$WORK/cockpit.log" 2>&1 &
COCKPIT_PID=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done

measure() {
  curl -fs -o /dev/null -D - -w 'client=%{time_total}\n' "http://127.0.0.1:$PORT/" |
    awk -F'[=;\r]' '/^[Ss]erver-[Tt]iming/ { s=$3 } /^client=/ { printf "%s %.1f\n", s, $2 * 1000 }'
}

for _ in $(seq 1 20); do measure >/dev/null; done   # warm-up: JIT, file cache
for _ in $(seq 1 "$RUNS"); do measure; done > "$WORK/times"
rows=$(curl -fs "http://127.0.0.1:$PORT/" | grep -o '<tr data-site=' | wc -l)

summary() { # column name
  sort -n | awk -v name="$1" '{ v[NR]=$1 } END { printf "%s: median %.1f ms, p95 %.1f ms, max %.1f ms (%d runs)\n", name, v[int(NR/2)+1], v[int(NR*0.95)], v[NR], NR }'
}
echo "board with $rows site rows (SITES=$SITES), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
awk '{ print $1 }' "$WORK/times" | summary "server time (Server-Timing)"
awk '{ print $2 }' "$WORK/times" | summary "client time (curl, loopback)"
