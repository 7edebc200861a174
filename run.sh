#!/usr/bin/env bash
# BlueGreen Orchestrator: the single entry point. Builds the .NET program on first use or when the
# sources changed, then runs it (no `dotnet run`: a started program must not rebuild).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$ROOT/.build"
APP="$BUILD/bin/bluegreen.dll"
export BLUEGREEN_SCRIPT_DIR="$ROOT"
export BLUEGREEN_RUN_SH="$ROOT/run.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is needed (dotnet is not on PATH): see README.md" >&2
  exit 2
fi

sources_changed() {
  [ -f "$APP" ] && [ -f "$BUILD/stamp" ] || return 0
  [ -n "$(find "$ROOT/src" "$ROOT/samples" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
      -newer "$BUILD/stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.css' -o -name '*.js' -o -name '*.html' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]
}

build() {
  mkdir -p "$BUILD"
  # One build at a time, even when several commands start together.
  exec 9>"$BUILD/.lock"
  flock 9
  if sources_changed; then
    echo "run.sh: building BlueGreen Orchestrator (first run or sources changed)..." >&2
    local log="$BUILD/build.log" stamp="$BUILD/stamp.new"
    touch "$stamp"
    # ReadyToRun: precompiled code halves the start-up time of every command.
    local rid
    case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
    local publish=(-c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true --nologo -v q -clp:NoSummary)
    if ! { dotnet publish "$ROOT/src/BlueGreen.Cli/BlueGreen.Cli.csproj" "${publish[@]}" -o "$BUILD/bin" \
        && dotnet publish "$ROOT/samples/Hello/Hello.csproj" "${publish[@]}" -o "$BUILD/hello"; } >"$log" 2>&1; then
      grep -E "error|Error" "$log" | sort -u | tail -n 30 >&2 || tail -n 30 "$log" >&2
      echo "run.sh: the build failed (full log: $log)" >&2
      exit 1
    fi
    mv "$stamp" "$BUILD/stamp"
  fi
  exec 9>&-
}

case "${1:-}" in
  test)
    shift
    build
    # The whole suite; tests start the real program through this script.
    log="$BUILD/test.log"
    set +e
    dotnet test "$ROOT/BlueGreen.slnx" --nologo "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
    failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
    echo "tests: $passed passed, $failed failed"
    exit "$status"
    ;;
esac

build
exec dotnet "$APP" "$@"
