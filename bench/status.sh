#!/usr/bin/env bash
# Status bench: a home of SITES sites (default 10,000), LIVE of them switched (default 2,000), built through
# the product's own operations (bench/SitesBench: deploy on every site, validate and apply on the live ones),
# with two samples/Hello processes answering for every slot. Times `./run.sh status` as an operator runs it
# (whole process, start-up included; RUNS runs each, default 5): wall time and CPU time (user + sys, which a
# loaded machine inflates less), beside its target. Then status's reader in process, part by part.
# KEEP=DIR keeps (and reuses) the home.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The program timed: RUN=path/to/run.sh of an unzipped release (as operators run it), else this checkout's development build.
RUN=${RUN:-$ROOT/run.sh}
SITES=${SITES:-10000}
LIVE=${LIVE:-2000}
RUNS=${RUNS:-5}
if [ -n "${KEEP:-}" ]; then
  home=$KEEP; mkdir -p "$home"
else
  home=$(mktemp -d /tmp/bluegreen-bench-status-XXXXXX)
fi
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$home"; }
trap cleanup EXIT

if ! out=$(dotnet build "$ROOT/bench/SitesBench" -c Release -v quiet -nologo 2>&1); then printf '%s\n' "$out" >&2; exit 1; fi
"$ROOT/run.sh" --help >/dev/null; "$RUN" --help >/dev/null # build once (the program and samples/Hello)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(port); pb=$(port)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pa" --version v1 --slot a >/dev/null 2>&1 & pids+=($!)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pb" --version v1 --slot b >/dev/null 2>&1 & pids+=($!)
until curl -fsS "http://127.0.0.1:$pa/health" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$pb/health" >/dev/null 2>&1; do sleep 0.1; done

mkdir -p "$home/conf/sites"
echo "ROUTER_API=" >"$home/conf/global.conf"
rm -f "$home"/conf/sites/*.conf # a kept home's site files are rewritten for these slots' ports
echo "bench: $SITES sites ($LIVE live) through the operations..." >&2
dotnet "$ROOT/bench/SitesBench/bin/Release/net10.0/SitesBench.dll" "$home" "$SITES" "$LIVE" "$pa" "$pb" >&2

time_status() { # LABEL TARGET ARGS...: median and best wall time, median CPU time of RUNS runs
  local label=$1 target=$2; shift 2
  : >"$home/.times"
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -o "$home/.cpu" -f '%U %S' "$RUN" --home "$home" status "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$home/.cpu")" >>"$home/.times"
  done
  local wall cpu
  wall=$(sort -n "$home/.times" | awk '{ v[NR]=$1 } END { printf "median %5d ms, best %5d ms wall", v[int((NR+1)/2)], v[1] }')
  cpu=$(awk '{ print $2 }' "$home/.times" | sort -n | awk '{ v[NR]=$1 } END { printf "median %5d ms CPU", v[int((NR+1)/2)] }')
  printf '  %-40s %s, %s  (target %s)\n' "$label" "$wall" "$cpu" "$target"
}
"$RUN" --home "$home" status --no-health >/dev/null 2>&1 || true # warm the file cache
echo "status over $SITES sites ($LIVE live), $RUNS runs each, $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg); program: $RUN"
time_status "--help (start-up alone, for reference)" "-" --help
time_status "status --no-health" "< 1 s" --no-health
time_status "status (probes $LIVE live slots)" "< 2 s" 
unknown=$("$RUN" --home "$home" status 2>/dev/null | { grep -c 'unknown (no answer' || true; })
echo "  live slots reported unknown at STATUS_DEADLINE in one more run: $unknown; load $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$ROOT/bench/SitesBench/bin/Release/net10.0/SitesBench.dll" status "$home"
