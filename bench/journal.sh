#!/usr/bin/env bash
# Journal benchmark: a home with ENTRIES journal entries (default 1,000,000) written through the product's
# own JournalFile (bench/JournalBench: sealed, chained, rotated into 64 MiB segments), then
#   - in process (JournalBench): the backward read, the site index, recovery's look-up, full and
#     incremental verification, one append, the cockpit's reads with its index in memory;
#   - as an operator runs them (./run.sh, the whole process, peak resident set from /usr/bin/time):
#     journal --limit 20, journal SITE --limit 20, journal verify.
# Each figure is printed beside its target. Usage: bench/journal.sh [ENTRIES] [SITES]
# KEEP=DIR keeps (and reuses) the home in DIR instead of a throw-away one.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The program timed: RUN=path/to/run.sh of an unzipped release (as operators run it), else this checkout's development build.
RUN=${RUN:-$ROOT/run.sh}
ENTRIES=${1:-1000000}
SITES=${2:-200}
if [ -n "${KEEP:-}" ]; then
  home=$KEEP; mkdir -p "$home"
else
  home=$(mktemp -d /tmp/bluegreen-bench-journal-XXXXXX)
  trap 'chmod -R u+w "$home"; rm -rf "$home"' EXIT
fi
mkdir -p "$home/conf/sites"
[ -f "$home/conf/global.conf" ] || echo "ROUTER_API=" >"$home/conf/global.conf"

if ! out=$(dotnet build "$ROOT/bench/JournalBench" -c Release -v quiet -nologo 2>&1); then
  printf '%s\n' "$out" >&2
  exit 1
fi
"$ROOT/run.sh" --help >/dev/null; "$RUN" --help >/dev/null # build the program once

echo "== in process ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet "$ROOT/bench/JournalBench/bin/Release/net10.0/JournalBench.dll" "$home" "$ENTRIES" "$SITES"

run() { # LABEL TARGET ARGS...: best of 3 wall times and the largest peak resident set
  local label=$1 target=$2; shift 2
  local best=999999 rss=0
  for _ in 1 2 3; do
    local t0 t1 ms kb
    t0=$(date +%s%N)
    /usr/bin/time -o "$home/.rss" -f '%M' "$RUN" --home "$home" "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    kb=$(tail -1 "$home/.rss")
    ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
    [ "$kb" -gt "$rss" ] 2>/dev/null && rss=$kb
  done
  printf '  %-44s %6d ms  %5d MiB  (target %s)\n' "$label" "$best" $((rss / 1024)) "$target"
}
echo "== through ./run.sh (whole process, start-up included; best of 3; load $(cut -d' ' -f1-3 /proc/loadavg)); program: $RUN"
run "--help (start-up alone, for reference)" "-" --help
run "journal --limit 20" "< 50 ms of reading, < 64 MiB" journal --limit 20
run "journal site7 --limit 20" "< 50 ms of reading, < 64 MiB" journal site7 --limit 20
run "journal verify (full chain, all segments)" ">= 1 M entries/s" journal verify
