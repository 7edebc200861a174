#!/bin/sh
# DEPLOY_CMD recipe: one plain process per slot, tracked by a pid file per slot.
#   DEPLOY_CMD=sh /opt/shop/deploy-plain-process.sh
# Set APP_START (here or in the environment) to the command that runs version $BG_VERSION on $BG_SLOT_URL.
# Exercised by tests/BlueGreen.Infrastructure.Tests/Processes/DeployRecipeTests.cs.
set -eu

APP_START=${APP_START:-"/opt/$BG_SITE/releases/$BG_VERSION/bin/$BG_SITE --urls $BG_SLOT_URL"}

run="$BG_HOME/var/run"
logs="$BG_HOME/var/log/apps"
mkdir -p "$run" "$logs"
pidfile="$run/$BG_SITE-$BG_SLOT.pid"

# 1. Stop what runs on THIS slot (the other slot is live: never touch it). TERM, up to 5 s, then KILL.
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
fi

# 2. Start the new version detached: its own session (setsid), so neither a hangup nor the orchestrator
#    killing this deploy command's process group can take it down, and its output in its own log file,
#    so it does not hold the deploy command's output open. `exec` keeps one pid from setsid to the app.
nohup setsid sh -c "exec $APP_START" >>"$logs/$BG_SITE-$BG_SLOT.log" 2>&1 </dev/null &
echo $! >"$pidfile"
echo "started $BG_SITE $BG_VERSION on slot $BG_SLOT (pid $(cat "$pidfile"))"
