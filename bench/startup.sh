#!/usr/bin/env bash
# Benchmark: start-up of `run.sh status` for one site, in the release (native program) and in development
# (run.sh + dotnet bluegreen.dll), and what the run.sh wrapper adds. Prints each figure beside its target.
# Usage: bench/startup.sh [RELEASE_DIR]   (default: unzips dist/bluegreen-orchestrator-*-linux-x64.zip)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=${RUNS:-30}
work=$(mktemp -d /tmp/bluegreen-bench-startup-XXXXXX)
trap 'rm -rf "$work"' EXIT

release=${1:-}
if [ -z "$release" ]; then
  zip=$(ls -t "$ROOT"/dist/bluegreen-orchestrator-*-linux-x64.zip 2>/dev/null | head -n 1)
  [ -n "$zip" ] || { echo "no release ZIP in dist/: run ./run.sh release first" >&2; exit 2; }
  unzip -q "$zip" -d "$work" && release=$(ls -d "$work"/bluegreen-orchestrator-*)
fi

# One site, no health probe (start-up is measured, not the network).
home="$work/home"
mkdir -p "$home/conf/sites"
echo "ROUTER_API=" >"$home/conf/global.conf"
printf 'RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:1/a\nSLOT_B_URL=http://127.0.0.1:1/b\n' >"$home/conf/sites/shop.conf"

# Median wall time in ms of RUNS calls of "$@". The clock is bash's $EPOCHREALTIME, read without a fork
# (timing with `$(date)` would add one process start of `date` to every figure).
median_ms() {
  local times=() i s e
  for i in $(seq 1 "$RUNS"); do
    s=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || true; e=$EPOCHREALTIME
    times+=($(( 10#${e//[.,]/} - 10#${s//[.,]/} ))) # microseconds
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

"$ROOT/run.sh" --help >/dev/null # the development build, once
baseline=$(median_ms /bin/true)
native=$(median_ms "$release/bin/bluegreen" --home "$home" status --no-health)
wrapped=$(median_ms "$release/run.sh" --home "$home" status --no-health)
dev=$(median_ms "$ROOT/run.sh" --home "$home" status --no-health)
dev_direct=$(median_ms dotnet "$ROOT/.build/bin/bluegreen.dll" --home "$home" status --no-health)
overhead=$(awk -v a="$wrapped" -v b="$native" 'BEGIN {printf "%.1f", a - b}')
dev_overhead=$(awk -v a="$dev" -v b="$dev_direct" 'BEGIN {printf "%.1f", a - b}')

echo "median of $RUNS runs, status --no-health, one site; $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %8s ms   target\n' "figure" "value"
printf '%-52s %8s ms   -\n' "any process: /bin/true (this machine's process start)" "$baseline"
printf '%-52s %8s ms   well under 50 ms\n' "release: run.sh status" "$wrapped"
printf '%-52s %8s ms   -\n' "release: bin/bluegreen status (no wrapper)" "$native"
printf '%-52s %8s ms   under 5 ms\n' "release: what run.sh adds" "$overhead"
printf '%-52s %8s ms   -\n' "development: run.sh status (rebuild check included)" "$dev"
printf '%-52s %8s ms   -\n' "development: dotnet bluegreen.dll status" "$dev_direct"
printf '%-52s %8s ms   small (no walk of the tree)\n' "development: what run.sh adds (rebuild check)" "$dev_overhead"
