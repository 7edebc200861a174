#!/usr/bin/env bash
# Benchmarks the embedded router against the app alone and nginx, and measures switch latency.
# Usage: bench/router.sh [DURATION_SECONDS]   (from anywhere; needs root or sudo for apt-get if wrk/nginx are missing)
# Appends the figures to docs/benchmarks.md under "## Embedded router".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${1:-10}
THREADS=2
CONNECTIONS=32
SWITCHES=50

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y wrk nginx
fi

WORK=$(mktemp -d /tmp/bg-router-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # URL [HOST]
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null -H "Host: ${2:-localhost}" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

echo "== building (Release)"
./run.sh --help >/dev/null  # the product and samples/Hello, as operators run them
dotnet build bench/RouterBench -c Release -v q -nologo >/dev/null
HELLO=.build/hello/Hello.dll
BENCH=bench/RouterBench/bin/Release/net10.0/RouterBench.dll

PORT_A=$(free_port); PORT_B=$(free_port); PORT_ROUTER=$(free_port); PORT_API=$(free_port); PORT_NGINX=$(free_port)
ROUTES="$WORK/routes"; mkdir -p "$ROUTES"

dotnet "$HELLO" --urls "http://127.0.0.1:$PORT_A" --version v1 --slot a >"$WORK/hello-a.log" 2>&1 & PIDS+=($!)
dotnet "$HELLO" --urls "http://127.0.0.1:$PORT_B" --version v2 --slot b >"$WORK/hello-b.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_A/health"; wait_http "http://127.0.0.1:$PORT_B/health"

# Initial routing file (slot a live), rendered by the product's own RoutingPlanner.
dotnet "$BENCH" switch --routes "$ROUTES" --proxy "http://127.0.0.1:1" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" --count 0
# The router runs through bench/RouterBench (EmbeddedRouter.StartAsync), as ./run.sh did not exist when this was written.
dotnet "$BENCH" serve --routes "$ROUTES" --listen "127.0.0.1:$PORT_ROUTER" --api "127.0.0.1:$PORT_API" >"$WORK/router.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_ROUTER/health" bench.test

cat >"$WORK/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream app { server 127.0.0.1:$PORT_A; keepalive 64; }
  server {
    listen 127.0.0.1:$PORT_NGINX;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGINX
nginx -p "$WORK" -c "$WORK/nginx.conf"
wait_http "http://127.0.0.1:$PORT_NGINX/health" bench.test

run_wrk() { # NAME URL -> "rps p99"
  wrk -t$THREADS -c$CONNECTIONS -d3s -H "Host: bench.test" "$2" >/dev/null 2>&1 # warm-up (JIT, pools)
  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -H "Host: bench.test" "$2" >"$WORK/wrk-$1.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk-$1.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/wrk-$1.txt" | tr '\n' ' ')
  echo "$rps $p99 ${errors:-none}"
}

echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
read -r DIRECT_RPS DIRECT_P99 DIRECT_ERR <<<"$(run_wrk direct "http://127.0.0.1:$PORT_A/")"
read -r ROUTER_RPS ROUTER_P99 ROUTER_ERR <<<"$(run_wrk router "http://127.0.0.1:$PORT_ROUTER/")"
read -r NGINX_RPS NGINX_P99 NGINX_ERR <<<"$(run_wrk nginx "http://127.0.0.1:$PORT_NGINX/")"

echo "== switch latency over $SWITCHES switches"
SWITCH=$(dotnet "$BENCH" switch --routes "$ROUTES" --proxy "http://127.0.0.1:$PORT_ROUTER" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" --count $SWITCHES)
SW_P50=$(sed -n 's/.*switch_p50_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
SW_P99=$(sed -n 's/.*switch_p99_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
SW_MAX=$(sed -n 's/.*switch_max_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
echo "== wall time of ./run.sh apply / rollback over $SWITCHES switches (through the same router)"
# A real installation whose ROUTES_DIR is the folder the router serves, verified through its API.
HOME_DIR="$WORK/home"; mkdir -p "$HOME_DIR/conf/sites"
printf 'ROUTES_DIR=%s\nROUTER_API=http://127.0.0.1:%s\n' "$ROUTES" "$PORT_API" >"$HOME_DIR/conf/global.conf"
printf 'RULE=Host(`apply.bench.test`)\nSLOT_A_URL=http://127.0.0.1:%s\nSLOT_B_URL=http://127.0.0.1:%s\nHEALTH_PATH=/health\n' "$PORT_A" "$PORT_B" >"$HOME_DIR/conf/sites/shop.conf"
bg() { ./run.sh --home "$HOME_DIR" "$@" >/dev/null 2>&1; }
for v in v1 v2; do bg deploy shop --version $v; bg validate shop; bg apply shop --yes; done
: >"$WORK/apply-ms.txt"
for i in $(seq 1 $SWITCHES); do
  action=rollback; [ $((i % 2)) -eq 0 ] && action=apply
  t0=$(date +%s%N); bg "$action" shop --yes; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >>"$WORK/apply-ms.txt"
done
pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print a[i]}'; }
AP_P50=$(pct "$WORK/apply-ms.txt" 50); AP_P99=$(pct "$WORK/apply-ms.txt" 99)
# The switch itself, as each run measured it (lock taken to verified): from the journal.
grep -o 'switch took [0-9]* ms' "$HOME_DIR/var/journal/journal.jsonl" | tail -n $SWITCHES | awk '{print $3}' >"$WORK/switch-ms.txt"
IN_P50=$(pct "$WORK/switch-ms.txt" 50); IN_P99=$(pct "$WORK/switch-ms.txt" 99)

RATIO=$(awk -v r="$ROUTER_RPS" -v n="$NGINX_RPS" 'BEGIN { printf "%.0f", 100*r/n }')

CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine skews every figure: recorded with them
TABLE=$(cat <<TXT
| target | requests/s | p99 latency | errors |
|---|---|---|---|
| app directly (samples/Hello) | $DIRECT_RPS | $DIRECT_P99 | $DIRECT_ERR |
| embedded router | $ROUTER_RPS | $ROUTER_P99 | $ROUTER_ERR |
| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') | $NGINX_RPS | $NGINX_P99 | $NGINX_ERR |

Embedded router throughput = ${RATIO}% of nginx's (target: at least 75%).
Switch (rename of the routing file to the first response from the new slot, $SWITCHES switches): p50 ${SW_P50} ms, p99 ${SW_P99} ms, max ${SW_MAX} ms (target: < 100 ms).
\`./run.sh apply\`/\`rollback\` wall time ($SWITCHES switches, process start included): p50 ${AP_P50} ms, p99 ${AP_P99} ms; the switch inside it (intent journaled to new routing verified through the API): p50 ${IN_P50} ms, p99 ${IN_P99} ms.
TXT
)
echo
echo "$TABLE"

DOC=docs/benchmarks.md
ENTRY=$(printf '### %s, %s cores, %s, wrk -t%s -c%s -d%ss, load average at the end %s\n\n%s\n' \
  "$DATE" "$(nproc)" "$CPU" "$THREADS" "$CONNECTIONS" "$DURATION" "$LOAD" "$TABLE")
mkdir -p docs
[ -f "$DOC" ] || printf '# Benchmarks\n' >"$DOC"
# Insert at the end of the "## Embedded router" section (created if missing), before any later "## " section.
ENTRY="$ENTRY" python3 - "$DOC" <<'PY'
import os, sys
path = sys.argv[1]
lines = open(path).read().rstrip("\n").split("\n")
entry = os.environ["ENTRY"].rstrip("\n").split("\n")
head = "## Embedded router"
if head not in lines:
    lines += ["", head, "",
              "Produced by `bench/router.sh`: wrk with the same threads, connections and duration against each target, "
              "all on loopback on the same machine (wrk, proxy and app share the CPUs)."]
start = lines.index(head)
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
while end > start + 1 and lines[end - 1] == "":
    end -= 1
lines[end:end] = [""] + entry + ([""] if end < len(lines) else [])
open(path, "w").write("\n".join(lines) + "\n")
PY
echo "appended to $DOC"
