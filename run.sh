#!/bin/sh
# BlueGreen Orchestrator: the single entry point. Builds the .NET program on first use or when the
# sources changed, then runs it (no `dotnet run`: a started program must not rebuild).
#
# This first part is plain POSIX sh, so that an installed release (the ZIP) starts through the cheapest
# shell there is (dash on Debian: bash's own start costs several ms, docs/benchmarks.md "Start-up") and
# goes straight to the native program. The development part below needs bash: the shell reads a script
# one command at a time, so `exec bash` hands the same file to bash before any bash-only line is read.
set -eu

# The script's folder without forking a subshell (every fork counts in a command's start-up).
case "$0" in
  /*/*) ROOT="${0%/*}" ;;
  */*) ROOT="$PWD/${0%/*}" ;;
  *) ROOT="$PWD" ;;
esac
ROOT="${ROOT%/.}"
export BLUEGREEN_SCRIPT_DIR="$ROOT"
export BLUEGREEN_RUN_SH="$ROOT/run.sh"

# An installed release (the ZIP): the native program sits beside this script; never build.
if [ -x "$ROOT/bin/bluegreen" ]; then
  release_version=unknown
  IFS= read -r release_version 2>/dev/null <"$ROOT/VERSION" || true
  if [ "${1:-}" = "--version" ]; then
    echo "$release_version"
    exit 0
  fi
  # `version` (and `version --json`) prints the same as --version.
  if [ "${1:-}" = "version" ]; then export BLUEGREEN_VERSION="$release_version"; fi
  exec "$ROOT/bin/bluegreen" "$@"
fi

if [ -z "${BASH_VERSION:-}" ]; then
  exec bash "$0" "$@"
fi
# Not bash's POSIX mode (what `sh` is on some systems, or any bash with POSIXLY_CORRECT set): the lines below
# are read only now, so leaving it here is enough.
set +o posix
set -o pipefail

BUILD="$ROOT/.build"
APP="$BUILD/bin/bluegreen.dll"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version() {
  git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || echo "0.0.0-unknown"
}

if [ "${1:-}" = "--version" ]; then
  version
  exit 0
fi
if [ "${1:-}" = "version" ]; then export BLUEGREEN_VERSION="$(version)"; fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is needed (dotnet is not on PATH): see README.md" >&2
  exit 2
fi

BUILT_FROM=(src samples Directory.Build.props Directory.Packages.props)

# What the sources are, cheaply: in a git clone, the committed trees of the built paths (a commit that
# changes only docs or tests leaves them as they are, so it rebuilds nothing) plus git's own list of changed
# and new files under them (git answers from its index's stat cache, without reading every file);
# elsewhere, the newest file's time (a walk of the tree).
sources_key() {
  if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    { git -C "$ROOT" ls-tree HEAD -- "${BUILT_FROM[@]}" 2>/dev/null
      git -C "$ROOT" status --porcelain=v1 -uall --no-renames -- "${BUILT_FROM[@]}" | while read -r _ file; do
        [[ "$file" == */bin/* || "$file" == */obj/* ]] || stat -c '%n %Y %s' "$ROOT/$file" 2>/dev/null || echo "$file gone"
      done
    } | cksum
  else
    (cd "$ROOT" && find "${BUILT_FROM[@]}" -not -path '*/bin/*' -not -path '*/obj/*' -type f -printf '%T@ %p\n' | sort -n | tail -n 1)
  fi
}

sources_changed() {
  [ -f "$APP" ] && [ -f "$BUILD/stamp" ] || return 0
  [ "$(sources_key)" != "$(cat "$BUILD/stamp")" ]
}

build() {
  mkdir -p "$BUILD"
  # One build at a time, even when several commands start together.
  exec 9>"$BUILD/.lock"
  flock 9
  if sources_changed; then
    echo "run.sh: building BlueGreen Orchestrator (first run or sources changed)..." >&2
    local log="$BUILD/build.log" stamp="$BUILD/stamp.new"
    sources_key >"$stamp"
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

# The release ZIP: one NativeAOT program (every command, router and cockpit), the sample app, an example
# configuration, the docs and the deployment files. No trimming or AOT warning passes (they are errors).
release() {
  local version rid=linux-x64 out="$ROOT/dist" stage
  version="$(version)"
  case "$(uname -m)" in x86_64|amd64) ;; *) echo "run.sh release: only linux-x64 is built (this machine is $(uname -m))" >&2; exit 2 ;; esac
  local name="bluegreen-orchestrator-$version"
  stage="$BUILD/release/$name"
  rm -rf "$BUILD/release" && mkdir -p "$stage/bin" "$out"
  local cc=()
  # NativeAOT links with clang; Debian's clang-14 is not called plain `clang`.
  if ! command -v clang >/dev/null 2>&1 && command -v clang-14 >/dev/null 2>&1; then cc=(-p:CppCompilerAndLinker=clang-14); fi
  local aot=(-c Release -r "$rid" -p:PublishAot=true -p:StripSymbols=true "${cc[@]}"
    -p:TreatWarningsAsErrors=true --artifacts-path "$BUILD/release-artifacts" --nologo -v q -clp:NoSummary)
  echo "run.sh: building release $name (NativeAOT, a few minutes)..." >&2
  local log="$BUILD/release.log"
  if ! { dotnet publish "$ROOT/src/BlueGreen.Cli/BlueGreen.Cli.csproj" "${aot[@]}" -o "$BUILD/release-bin" \
      && dotnet publish "$ROOT/samples/Hello/Hello.csproj" "${aot[@]}" -o "$BUILD/release-hello"; } >"$log" 2>&1 \
      || grep -qE "warning (IL|CS)[0-9]+" "$log"; then
    grep -E "error|warning" "$log" | sort -u | tail -n 40 >&2 || tail -n 30 "$log" >&2
    echo "run.sh release: the build failed (full log: $log)" >&2
    exit 1
  fi
  cp "$BUILD/release-bin/bluegreen" "$BUILD/release-hello/Hello" "$stage/bin/"
  mv "$stage/bin/Hello" "$stage/bin/hello"
  cp "$ROOT/run.sh" "$stage/"
  mkdir -p "$stage/samples/Hello"
  cp "$ROOT/samples/Hello/deploy.sh" "$stage/samples/Hello/"
  cp -r "$ROOT/docs" "$ROOT/conf.example" "$ROOT/deploy" "$stage/"
  cp "$ROOT/README.md" "$stage/"
  if [ -f "$ROOT/LICENSE" ]; then cp "$ROOT/LICENSE" "$stage/"; else
    echo "No licence has been chosen for BlueGreen Orchestrator yet: until one is, all rights are reserved." >"$stage/LICENSE"
  fi
  echo "$version" >"$stage/VERSION"
  local zip="$out/$name-$rid.zip"
  rm -f "$zip" "$zip.sha256"
  (cd "$BUILD/release" && zip -qr -X "$zip" "$name")
  (cd "$out" && sha256sum "$(basename "$zip")" >"$(basename "$zip").sha256")
  echo "$zip"
}

case "${1:-}" in
  release)
    release
    exit 0
    ;;
  test)
    shift
    build
    # The whole suite; tests start the real program through this script.
    log="$BUILD/test.log"
    set +e
    # A test that hangs is ended and reported as failed (with the name of the test) instead of holding the
    # run until CI's own time limit; the longest test (the NativeAOT release build) takes about 10 minutes.
    dotnet test "$ROOT/BlueGreen.slnx" --nologo --blame-hang-timeout 25m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
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
