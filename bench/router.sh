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
dotnet build samples/Hello -c Release -v q -nologo >/dev/null
dotnet build bench/RouterBench -c Release -v q -nologo >/dev/null
HELLO=samples/Hello/bin/Release/net10.0/Hello.dll
BENCH=bench/RouterBench/bin/Release/net10.0/RouterBench.dll

PORT_A=$(free_port); PORT_B=$(free_port); PORT_ROUTER=$(free_port); PORT_API=$(free_port); PORT_NGINX=$(free_port)
ROUTES="$WORK/routes"; mkdir -p "$ROUTES"

dotnet "$HELLO" --port "$PORT_A" --version v1 --slot a >"$WORK/hello-a.log" 2>&1 & PIDS+=($!)
dotnet "$HELLO" --port "$PORT_B" --version v2 --slot b >"$WORK/hello-b.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_A/health"; wait_http "http://127.0.0.1:$PORT_B/health"

# Initial routing file (slot a live), rendered by the product's own RoutingPlanner.
dotnet "$BENCH" switch --routes "$ROUTES" --proxy "http://127.0.0.1:1" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" --count 0
if [ -x ./run.sh ] && ./run.sh router --help >/dev/null 2>&1; then
  echo "(./run.sh exists, but the bench drives the router through bench/RouterBench to control its folder and ports)"
fi
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
TXT
)
echo
echo "$TABLE"

DOC=docs/benchmarks.md
mkdir -p docs
[ -f "$DOC" ] || printf '# Benchmarks\n' >"$DOC"
grep -q '^## Embedded router' "$DOC" || printf '\n## Embedded router\n\nProduced by `bench/router.sh`: wrk with the same threads, connections and duration against each target, all on loopback on the same machine (wrk, proxy and app share the CPUs).\n' >>"$DOC"
{
  echo
  echo "### $DATE, $(nproc) cores, $CPU, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, load average at the end $LOAD"
  echo
  echo "$TABLE"
} >>"$DOC"
echo "appended to $DOC"
