#!/bin/sh
# DEPLOY_CMD of the demo's sample site: runs the Hello app of version $BG_VERSION on $BG_SLOT_URL,
# through the plain-process recipe (docs/deploy-recipes.md), then waits until it answers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# The release ships the app as a native program (bin/hello); a clone runs the build's Hello.dll.
if [ -x "$root/bin/hello" ]; then app="$root/bin/hello"; else app="dotnet $root/.build/hello/Hello.dll"; fi
export APP_START="$app --urls $BG_SLOT_URL --version $BG_VERSION --slot $BG_SLOT"
sh "$root/docs/recipes/deploy-plain-process.sh"
i=0
until curl -fsS "$BG_SLOT_URL/health" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 100 ]; then echo "hello $BG_VERSION did not answer on $BG_SLOT_URL within 10 s" >&2; exit 1; fi
  sleep 0.1
done
echo "hello $BG_VERSION answers on $BG_SLOT_URL"
