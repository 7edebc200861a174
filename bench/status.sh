#!/usr/bin/env bash
# Benchmark: `./run.sh status` over 200 sites, each with a live slot that is probed (target: well under 1 s).
# Builds a throw-away home through the real commands (deploy, validate, apply on every site), then times
# `status` (with and without health probes). Prints the figures; records nothing by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SITES=${SITES:-200}
RUNS=${RUNS:-10}
home=$(mktemp -d /tmp/bluegreen-bench-status-XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$home"; }
trap cleanup EXIT

"$ROOT/run.sh" --help >/dev/null # build once (the program and samples/Hello)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(port); pb=$(port)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pa" --version v1 --slot a >/dev/null 2>&1 & pids+=($!)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pb" --version v1 --slot b >/dev/null 2>&1 & pids+=($!)
until curl -fsS "http://127.0.0.1:$pa/health" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$pb/health" >/dev/null 2>&1; do sleep 0.1; done

mkdir -p "$home/conf/sites"
echo "ROUTER_API=" >"$home/conf/global.conf"
for i in $(seq 1 "$SITES"); do
  printf 'RULE=Host(`site%s.example.com`)\nSLOT_A_URL=http://127.0.0.1:%s/s%s\nSLOT_B_URL=http://127.0.0.1:%s/s%s\nHEALTH_PATH=/health\n' \
    "$i" "$pa" "$i" "$pb" "$i" >"$home/conf/sites/site$i.conf"
done
echo "setting up $SITES live sites through run.sh (deploy, validate, apply)..."
# One switch at a time: an apply refused with exit 4 (lock held) simply tries again.
seq 1 "$SITES" | xargs -P 4 -I{} sh -c "
  '$ROOT/run.sh' --home '$home' deploy site{} --version v1 >/dev/null &&
  '$ROOT/run.sh' --home '$home' validate site{} >/dev/null || exit 1
  while :; do '$ROOT/run.sh' --home '$home' apply site{} --yes >/dev/null 2>&1; rc=\$?; [ \$rc -eq 4 ] || break; sleep 0.05; done
  exit \$rc"

time_status() {
  local best=999999 total=0
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1 ms
    t0=$(date +%s%N); "$ROOT/run.sh" --home "$home" status "$@" >/dev/null; t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 )); total=$((total + ms)); [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "best ${best} ms, mean $((total / RUNS)) ms"
}
live=$("$ROOT/run.sh" --home "$home" status --json --no-health | grep -c '"live"' || true)
echo "status over $SITES sites ($live live), $RUNS runs each, $(nproc) CPU(s), $(date -u +%Y-%m-%d):"
echo "  status (probes every live slot):  $(time_status)"
echo "  status --no-health:               $(time_status --no-health)"
echo "  status --json:                    $(time_status --json)"
