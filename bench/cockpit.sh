#!/usr/bin/env bash
# Cockpit bench: a home of SITES sites (default 1,000; LIVE of them switched, default 200) and a journal of
# ENTRIES entries (default 1,000,000), both built through the product's own code (bench/SitesBench: deploy,
# validate and apply through the operations; bench/JournalBench: JournalFile's appends), served by
# `run.sh cockpit` in safe mode, then in admin mode. Times, RUNS times each (default 30): the board as a visitor sees it, the
# board as a logged-in admin sees it (with each site's Apply/Rollback plans), and journal pages; server time
# is the cockpit's own Server-Timing header. Then the cockpit's resident set (VmRSS, VmHWM). Each figure is
# printed beside its target. KEEP=DIR keeps (and reuses) the home.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The program timed: RUN=path/to/run.sh of an unzipped release (as operators run it), else this checkout's development build.
RUN=${RUN:-$ROOT/run.sh}
SITES="${SITES:-1000}"
LIVE="${LIVE:-200}"
ENTRIES="${ENTRIES:-1000000}"
RUNS="${RUNS:-30}"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [ -n "${KEEP:-}" ]; then
  WORK=$KEEP; mkdir -p "$WORK"
else
  WORK="$(mktemp -d /tmp/bg-cockpit-bench.XXXXXX)"
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || { chmod -R u+w "$WORK"; rm -rf "$WORK"; }
}
trap cleanup EXIT

for project in SitesBench JournalBench; do
  if ! out=$(dotnet build "$ROOT/bench/$project" -c Release -v quiet -nologo 2>&1); then printf '%s\n' "$out" >&2; exit 1; fi
done
"$ROOT/run.sh" --help >/dev/null; "$RUN" --help >/dev/null # build the program (and samples/Hello) once

# Two slots answering for every site (samples/Hello), so that live sites validate, switch and are probed.
pa=$(port); pb=$(port)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pa" --version v1 --slot a >/dev/null 2>&1 & pids+=($!)
dotnet "$ROOT/.build/hello/Hello.dll" --urls "http://127.0.0.1:$pb" --version v1 --slot b >/dev/null 2>&1 & pids+=($!)
until curl -fsS "http://127.0.0.1:$pa/health" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$pb/health" >/dev/null 2>&1; do sleep 0.1; done

mkdir -p "$WORK/conf"
token=$(head -c 32 /dev/urandom | base64)
printf '%s\n' "$token" >"$WORK/conf/cockpit.token"; chmod 600 "$WORK/conf/cockpit.token"
printf 'ROUTER_API=\n' >"$WORK/conf/global.conf"
# A kept home may have been slot-addressed by other ports: the site files are rewritten for these.
rm -f "$WORK"/conf/sites/*.conf
echo "bench: $SITES sites ($LIVE live) through the operations, then $ENTRIES journal entries through JournalFile..." >&2
dotnet "$ROOT/bench/SitesBench/bin/Release/net10.0/SitesBench.dll" "$WORK" "$SITES" "$LIVE" "$pa" "$pb" >&2
BUILD_ONLY=1 dotnet "$ROOT/bench/JournalBench/bin/Release/net10.0/JournalBench.dll" "$WORK" "$ENTRIES" "$SITES" >&2

measure() { # PATH [curl args]: server time (Server-Timing) and client time, in ms
  local path=$1; shift
  curl -fs -o /dev/null -D - -w 'client=%{time_total}\n' "$@" "$base$path" |
    awk -F'[=;\r]' '/^[Ss]erver-[Tt]iming/ { s=$3 } /^client=/ { printf "%s %.1f\n", s, $2 * 1000 }'
}
figure() { # LABEL TARGET PATH [curl args]
  local label=$1 target=$2 path=$3; shift 3
  for _ in 1 2 3 4 5; do measure "$path" "$@" >/dev/null; done # warm-up: JIT, file cache
  for _ in $(seq 1 "$RUNS"); do measure "$path" "$@"; done >"$WORK/times"
  sort -n "$WORK/times" | awk -v label="$label" -v target="$target" '{ v[NR]=$1 } END {
    printf "  %-46s median %6.1f ms  p95 %6.1f ms  max %6.1f ms  (target %s)\n", label, v[int(NR/2)+1], v[int(NR*0.95)], v[NR], target }'
}
start_cockpit() { # MODE: starts run.sh cockpit in that mode (the environment wins over global.conf), waits until it answers
  local port; port=$(port)
  base="http://127.0.0.1:$port"
  local started; started=$(date +%s%N)
  COCKPIT_MODE=$1 COCKPIT_LISTEN="127.0.0.1:$port" "$RUN" --home "$WORK" cockpit >"$WORK/cockpit-$1.log" 2>&1 & pids+=($!)
  COCKPIT=$!
  until curl -fs -o /dev/null "$base/login" || curl -fs -o /dev/null "$base/"; do
    kill -0 "$COCKPIT" 2>/dev/null || { cat "$WORK/cockpit-$1.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "  $1 cockpit ready in $(( ($(date +%s%N) - started) / 1000000 )) ms (start-up, first verdict and in-memory index)"
}
resident() { # the cockpit's resident set now and at its peak
  echo "  $1 cockpit resident set: now $(awk '/^VmRSS/ { print int($2/1024) }' "/proc/$COCKPIT/status") MiB, peak $(awk '/^VmHWM/ { print int($2/1024) }' "/proc/$COCKPIT/status") MiB (target < 200 MiB)"
}

echo "cockpit over $SITES sites ($LIVE live), journal of $ENTRIES entries; $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "program: $RUN"
echo "server time (Server-Timing) of $RUNS requests each:"
start_cockpit safe
rows=$(curl -fs "$base/" | { grep -o '<tr data-site=' || true; } | wc -l)
figure "board ($rows rows), safe mode" "< 100 ms" /
figure "journal, newest page" "< 100 ms" /journal
figure "journal, page 100" "< 100 ms" "/journal?page=100"
figure "journal, one site's newest page" "< 100 ms" "/journal?site=site7"
figure "journal, one site's page 20" "< 100 ms" "/journal?site=site7&page=20"
figure "journal, filtered by action (apply)" "< 100 ms" "/journal?action=apply"
figure "site page" "< 100 ms" /sites/site7
resident safe
kill "$COCKPIT"; wait "$COCKPIT" 2>/dev/null || true

start_cockpit admin
jar="$WORK/cookies"
form=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="bluegreen_form_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -H "Origin: $base" --data-urlencode "bluegreen_form_token=$form" --data-urlencode "token=$token" -o /dev/null "$base/login"
buttons=$(curl -fs -b "$jar" "$base/" | { grep -o 'data-action="apply"' || true; } | wc -l)
figure "board, logged-in admin ($buttons Apply buttons)" "< 100 ms" / -b "$jar"
figure "site page, logged-in admin" "< 100 ms" /sites/site7 -b "$jar"
resident admin
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
