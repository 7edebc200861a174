#!/bin/sh
# Validation benchmark: four gates of ~1 s each, run by GateRunner; prints each gate, sum, slowest, total.
# Usage: bench/validation.sh [ROUNDS]   (needs: dotnet, sh, sleep)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! out=$(dotnet build "$here/ValidationBench" -c Release -v quiet -nologo 2>&1); then
  printf '%s\n' "$out" >&2
  exit 1
fi
exec dotnet "$here/ValidationBench/bin/Release/net10.0/ValidationBench.dll" "${1:-3}"
