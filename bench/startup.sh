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

# Wall time in microseconds of one call of "$@". The clock is bash's $EPOCHREALTIME, read without a fork
# (timing with `$(date)` would add one process start of `date` to every figure).
once_us() {
  local s e
  s=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || true; e=$EPOCHREALTIME
  echo $(( 10#${e//[.,]/} - 10#${s//[.,]/} ))
}

median_of() { # numbers (microseconds) on stdin -> median in ms
  sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

# A and B called in turn RUNS times (A then B, then B then A, ...), so that a change in the machine's load
# touches both alike. Prints "median(A) median(B) median(B - A)" in ms: a wrapper's share is the median of
# the per-pair differences, which two medians taken minutes apart can miss by more than the share itself.
paired_ms() {
  local -n first=$1 second=$2
  local a b i as=() bs=() ds=()
  for i in $(seq 1 "$RUNS"); do
    if (( i % 2 )); then # which goes first alternates: the second of a pair may find the caches warmer
      a=$(once_us "${first[@]}"); b=$(once_us "${second[@]}")
    else
      b=$(once_us "${second[@]}"); a=$(once_us "${first[@]}")
    fi
    as+=("$a"); bs+=("$b"); ds+=($((b - a)))
  done
  echo "$(printf '%s\n' "${as[@]}" | median_of) $(printf '%s\n' "${bs[@]}" | median_of) $(printf '%s\n' "${ds[@]}" | median_of)"
}

"$ROOT/run.sh" --help >/dev/null # the development build, once
true_cmd=(/bin/true)
baseline=$(paired_ms true_cmd true_cmd | cut -d' ' -f1)
native_cmd=("$release/bin/bluegreen" --home "$home" status --no-health)
wrapped_cmd=("$release/run.sh" --home "$home" status --no-health)
read -r native wrapped overhead < <(paired_ms native_cmd wrapped_cmd)
dev_direct_cmd=(dotnet "$ROOT/.build/bin/bluegreen.dll" --home "$home" status --no-health)
dev_cmd=("$ROOT/run.sh" --home "$home" status --no-health)
read -r dev_direct dev dev_overhead < <(paired_ms dev_direct_cmd dev_cmd)

echo "median of $RUNS runs (each pair of programs called in turn, in alternating order), status --no-health, one site; $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %8s ms   target\n' "figure" "value"
printf '%-52s %8s ms   -\n' "any process: /bin/true (this machine's process start)" "$baseline"
printf '%-52s %8s ms   well under 50 ms\n' "release: run.sh status" "$wrapped"
printf '%-52s %8s ms   -\n' "release: bin/bluegreen status (no wrapper)" "$native"
printf '%-52s %8s ms   under 5 ms\n' "release: what run.sh adds" "$overhead"
printf '%-52s %8s ms   -\n' "development: run.sh status (rebuild check included)" "$dev"
printf '%-52s %8s ms   -\n' "development: dotnet bluegreen.dll status" "$dev_direct"
printf '%-52s %8s ms   small (no walk of the tree)\n' "development: what run.sh adds (rebuild check)" "$dev_overhead"
