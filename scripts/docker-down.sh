#!/usr/bin/env bash
# Stops the dockerd that scripts/docker-up.sh started (recorded in .tools/dockerd.pid);
# leaves any other daemon alone. Waits at most 20 s after SIGTERM, then SIGKILL.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pid_file="$root/.tools/dockerd.pid"

if [[ ! -f "$pid_file" ]]; then
  echo "docker-down: no dockerd started by docker-up.sh; nothing to stop"
  exit 0
fi
pid="$(cat "$pid_file")"
rm -f "$pid_file"
if ! kill -0 "$pid" 2>/dev/null || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]]; then
  echo "docker-down: dockerd (pid $pid) is not running any more"
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || { echo "docker-down: stopped dockerd (pid $pid)"; exit 0; }
  sleep 0.2
done
echo "docker-down: dockerd (pid $pid) ignored SIGTERM for 20s; killing it" >&2
kill -KILL "$pid" 2>/dev/null || true
