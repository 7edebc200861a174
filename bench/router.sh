#!/usr/bin/env bash
# Benchmarks the embedded router (`run.sh router`: this checkout's, or a release's with RUN=) against nginx, HAProxy and Caddy
# (Debian's packages) in front of the same Kestrel backend (samples/Hello), then measures switch latency.
# Targets (issue 9): router throughput >= 90% of nginx's and p99 <= 2x nginx's, in the same run.
#
# Usage: [RUN=path/to/run.sh] bench/router.sh [DURATION_SECONDS] [ROUNDS]     (defaults: 10 s, 3 rounds)
#   RUN: the run.sh of an unzipped release (NativeAOT, as operators run it); else this checkout's development build.
#   Every round runs wrk once against every proxy, in an order that rotates from round to round
#   (interleaved, so that a change of load on the machine hits every proxy alike); each figure is the
#   median over the rounds. CPU per request = user+system time of the proxy's processes during its wrk
#   run (from /proc), divided by the requests wrk counted; printed whole and split into user time (the
#   proxy's own code) and system time (the kernel's work for it, mostly its system calls).
#   Needs root (or sudo) for apt-get when wrk, nginx, haproxy or caddy are missing.
#   Appends the figures to docs/benchmarks.md under "## Embedded router" (NO_RECORD=1: print only).
set -euo pipefail
[ -z "${RUN:-}" ] || RUN=$(realpath "$RUN") # named from the caller's directory
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN=${RUN:-$ROOT/run.sh}
DURATION=${1:-10}
ROUNDS=${2:-3}
THREADS=2
CONNECTIONS=32
SWITCHES=50
TARGET_RPS_PCT=90 # router throughput, in % of nginx's
TARGET_P99_X=2    # router p99, at most this many times nginx's

missing=()
for tool in wrk nginx haproxy caddy; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

WORK=$(mktemp -d /tmp/bg-router-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # URL [HOST]
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null -H "Host: ${2:-localhost}" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

echo "== building (Release)"
./run.sh --help >/dev/null; "$RUN" --help >/dev/null  # the product and samples/Hello, built once
dotnet build bench/RouterBench -c Release -v q -nologo >/dev/null
HELLO=.build/hello/Hello.dll
BENCH=bench/RouterBench/bin/Release/net10.0/RouterBench.dll

PORT_A=$(free_port); PORT_B=$(free_port); PORT_ROUTER=$(free_port); PORT_API=$(free_port)
PORT_NGINX=$(free_port); PORT_HAPROXY=$(free_port); PORT_CADDY=$(free_port)
ROUTES="$WORK/routes"; mkdir -p "$ROUTES"

dotnet "$HELLO" --urls "http://127.0.0.1:$PORT_A" --version v1 --slot a >"$WORK/hello-a.log" 2>&1 & PIDS+=($!)
dotnet "$HELLO" --urls "http://127.0.0.1:$PORT_B" --version v2 --slot b >"$WORK/hello-b.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$PORT_A/health"; wait_http "http://127.0.0.1:$PORT_B/health"

# A real installation: the router serves its ROUTES_DIR; the initial routing file (slot a live) is rendered
# by the product's own RoutingPlanner.
HOME_DIR="$WORK/home"; mkdir -p "$HOME_DIR/conf/sites"
printf 'ROUTES_DIR=%s\nROUTER_LISTEN=127.0.0.1:%s\nROUTER_API=http://127.0.0.1:%s\n' "$ROUTES" "$PORT_ROUTER" "$PORT_API" >"$HOME_DIR/conf/global.conf"
dotnet "$BENCH" switch --routes "$ROUTES" --proxy "http://127.0.0.1:1" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" --count 0
"$RUN" --home "$HOME_DIR" router --api "127.0.0.1:$PORT_API" >"$WORK/router.log" 2>&1 & ROUTER_PID=$!; PIDS+=($ROUTER_PID)
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

cat >"$WORK/haproxy.cfg" <<HAPROXY
global
  nbthread $(nproc)
  maxconn 4096
defaults
  mode http
  option forwardfor
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend public
  bind 127.0.0.1:$PORT_HAPROXY
  default_backend app
backend app
  http-reuse always
  server a 127.0.0.1:$PORT_A
HAPROXY
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & HAPROXY_PID=$!; PIDS+=($HAPROXY_PID)
wait_http "http://127.0.0.1:$PORT_HAPROXY/health" bench.test

cat >"$WORK/Caddyfile" <<CADDY
{
  admin off
  auto_https off
}
http://:$PORT_CADDY {
  bind 127.0.0.1
  reverse_proxy 127.0.0.1:$PORT_A
}
CADDY
XDG_DATA_HOME="$WORK/caddy" XDG_CONFIG_HOME="$WORK/caddy" caddy run --adapter caddyfile --config "$WORK/Caddyfile" >"$WORK/caddy.log" 2>&1 & CADDY_PID=$!; PIDS+=($CADDY_PID)
wait_http "http://127.0.0.1:$PORT_CADDY/health" bench.test

# The processes whose CPU time is a proxy's cost (nginx: master and workers).
proxy_pids() {
  case "$1" in
    router) echo "$ROUTER_PID" ;;
    nginx) local m; m=$(cat "$WORK/nginx.pid"); echo "$m $(pgrep -P "$m" | tr '\n' ' ')" ;;
    haproxy) echo "$HAPROXY_PID" ;;
    caddy) echo "$CADDY_PID" ;;
  esac
}
cpu_ticks() { # PIDS... -> "utime stime" in clock ticks, all threads included
  local user=0 sys=0 pid u k
  for pid in "$@"; do
    read -r u k < <(awk '{print $14, $15}' "/proc/$pid/stat")
    user=$((user + u)); sys=$((sys + k))
  done
  echo "$user $sys"
}
port_of() { case "$1" in router) echo "$PORT_ROUTER" ;; nginx) echo "$PORT_NGINX" ;; haproxy) echo "$PORT_HAPROXY" ;; caddy) echo "$PORT_CADDY" ;; esac; }
HZ=$(getconf CLK_TCK)
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} printf "%.2f", v}' <<<"$1"; }

# One wrk run against one proxy: appends "rps p99_ms cpu_us user_us sys_us errors" (CPU per request) to $WORK/NAME.runs
run_one() { # NAME
  local name=$1 pids u0 k0 u1 k1 file="$WORK/wrk-$1.txt"
  pids=$(proxy_pids "$name")
  # shellcheck disable=SC2086
  read -r u0 k0 < <(cpu_ticks $pids)
  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -H "Host: bench.test" "http://127.0.0.1:$(port_of "$name")/" >"$file"
  # shellcheck disable=SC2086
  read -r u1 k1 < <(cpu_ticks $pids)
  local rps p99 requests errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$file")")
  requests=$(awk '/requests in/ {print $1}' "$file")
  errors=$(awk '/Non-2xx|Socket errors/ {$1=$1; print}' "$file" | tr ' \n' '_;')
  per_request() { awk -v t="$1" -v hz="$HZ" -v n="$requests" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}'; }
  echo "$rps $p99 $(per_request $((u1 - u0 + k1 - k0))) $(per_request $((u1 - u0))) $(per_request $((k1 - k0))) ${errors:-none}" >>"$WORK/$name.runs"
}

PROXIES=(router nginx haproxy caddy)
echo "== warm-up: wrk 3 s against each proxy (JIT, connection pools)"
for p in "${PROXIES[@]}"; do wrk -t$THREADS -c$CONNECTIONS -d3s -H "Host: bench.test" "http://127.0.0.1:$(port_of "$p")/" >/dev/null; done
echo "== $ROUNDS round(s) of wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, interleaved"
for r in $(seq 0 $((ROUNDS - 1))); do
  order=()
  for i in "${!PROXIES[@]}"; do order+=("${PROXIES[$(((i + r) % ${#PROXIES[@]}))]}"); done
  echo "   round $((r + 1)): ${order[*]}"
  for p in "${order[@]}"; do run_one "$p"; done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$WORK/$1.runs" | median; }
for p in "${PROXIES[@]}"; do
  declare "RPS_$p=$(col "$p" 1)" "P99_$p=$(col "$p" 2)" "CPU_$p=$(col "$p" 3)" "USER_$p=$(col "$p" 4)" "SYS_$p=$(col "$p" 5)"
  declare "ERR_$p=$(awk '{print $6}' "$WORK/$p.runs" | sort -u | tr '\n' ' ' | sed 's/ $//')"
done
RATIO=$(awk -v r="$RPS_router" -v n="$RPS_nginx" 'BEGIN { printf "%.0f", 100*r/n }')
P99X=$(awk -v r="$P99_router" -v n="$P99_nginx" 'BEGIN { printf "%.2f", r/n }')
RPS_OK=$(awk -v r="$RATIO" -v t=$TARGET_RPS_PCT 'BEGIN { print (r >= t) ? "met" : "NOT met" }')
P99_OK=$(awk -v r="$P99X" -v t=$TARGET_P99_X 'BEGIN { print (r <= t) ? "met" : "NOT met" }')

echo "== switch latency over $SWITCHES switches"
SWITCH=$(dotnet "$BENCH" switch --routes "$ROUTES" --proxy "http://127.0.0.1:$PORT_ROUTER" --a "http://127.0.0.1:$PORT_A" --b "http://127.0.0.1:$PORT_B" --count $SWITCHES)
SW_P50=$(sed -n 's/.*switch_p50_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
SW_P99=$(sed -n 's/.*switch_p99_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
SW_MAX=$(sed -n 's/.*switch_max_ms=\([0-9.]*\).*/\1/p' <<<"$SWITCH")
echo "== wall time of run.sh apply / rollback over $SWITCHES switches (through the same router)"
printf 'RULE=Host(`apply.bench.test`)\nSLOT_A_URL=http://127.0.0.1:%s\nSLOT_B_URL=http://127.0.0.1:%s\nHEALTH_PATH=/health\n' "$PORT_A" "$PORT_B" >"$HOME_DIR/conf/sites/shop.conf"
bg() { "$RUN" --home "$HOME_DIR" "$@" >/dev/null 2>&1; }
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

CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine skews every figure: recorded with them
row() { # LABEL NAME
  local r="RPS_$2" l="P99_$2" c="CPU_$2" u="USER_$2" k="SYS_$2" e="ERR_$2"
  printf '| %s | %s | %s ms | %s | %s | %s | %s |' "$1" "${!r}" "${!l}" "${!c}" "${!u}" "${!k}" "${!e}"
}
ROUTER_LABEL="embedded router (\`./run.sh router\`, development build)"
[ "$RUN" = "$ROOT/run.sh" ] || ROUTER_LABEL="embedded router (\`run.sh router\` of $(basename "$(dirname "$RUN")"))"
# The router's own code alone (its user time) against nginx's whole cost: what no saving of system calls can close.
USER_SHARE=$(awk -v u="$USER_router" -v n="$CPU_nginx" 'BEGIN { printf "%.0f", 100*u/n }')
# What the target leaves the router, estimated from nginx's run: wrk, the backend and the proxy keep the CPUs busy,
# so one request costs them CPUS/rps together; at TARGET% of nginx's rate the router may spend what nginx spends plus
# the time the others would leave free.
BUDGET=$(awk -v n="$CPU_nginx" -v r="$RPS_nginx" -v c="$(nproc)" -v t=$TARGET_RPS_PCT 'BEGIN { printf "%.1f", n + c*1e6/r*(100/t - 1) }')
TABLE=$(cat <<TXT
| proxy (median of $ROUNDS interleaved runs) | requests/s | p99 latency | CPU µs per request | of which user | of which system | errors |
|---|---|---|---|---|---|---|
$(row "$ROUTER_LABEL" router)
$(row "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')" nginx)
$(row "HAProxy $(haproxy -v | awk 'NR==1 {print $3}')" haproxy)
$(row "Caddy $(caddy version | awk '{print $1}')" caddy)

Router throughput = ${RATIO}% of nginx's (target: at least ${TARGET_RPS_PCT}%: ${RPS_OK}); router p99 = ${P99X}x nginx's (target: at most ${TARGET_P99_X}x: ${P99_OK}).
The router's user time alone (Kestrel, YARP, HttpClient, the runtime) is ${USER_router} µs per request: ${USER_SHARE}% of nginx's whole cost per request. At ${TARGET_RPS_PCT}% of nginx's rate the CPUs would leave the router about ${BUDGET} µs per request, user and system time together (estimate: the $(nproc) CPUs saturated, shared by wrk, the backend and the proxy).
Switch (rename of the routing file to the first response from the new slot, $SWITCHES switches): p50 ${SW_P50} ms, p99 ${SW_P99} ms, max ${SW_MAX} ms (target: < 100 ms).
\`run.sh apply\`/\`rollback\` wall time ($SWITCHES switches, process start included): p50 ${AP_P50} ms, p99 ${AP_P99} ms; the switch inside it (intent journaled to new routing verified through the API): p50 ${IN_P50} ms, p99 ${IN_P99} ms.
TXT
)
echo
echo "$TABLE"
echo
for p in "${PROXIES[@]}"; do echo "$p runs (rps p99_ms cpu_us user_us sys_us errors):"; sed 's/^/  /' "$WORK/$p.runs"; done

[ "${NO_RECORD:-0}" = 1 ] && exit 0
DOC=docs/benchmarks.md
ENTRY=$(printf '### %s, %s cores, %s, wrk -t%s -c%s -d%ss x %s rounds, load average at the end %s\n\n%s\n' \
  "$DATE" "$(nproc)" "$CPU" "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$LOAD" "$TABLE")
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
