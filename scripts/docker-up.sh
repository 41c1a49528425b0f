#!/usr/bin/env bash
# Starts a Docker engine in the background when none answers, for machines without an
# init system (CI containers, sandboxes). Logs to .tools/dockerd.log; writes
# .tools/dockerd.pid only when it started the daemon itself, so scripts/docker-down.sh
# never stops a daemon someone else runs. Waits at most DOCKER_UP_TIMEOUT seconds (default 60).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
pid_file="$tools/dockerd.pid"
log_file="$tools/dockerd.log"
timeout="${DOCKER_UP_TIMEOUT:-60}"
mkdir -p "$tools"

if docker info >/dev/null 2>&1; then
  echo "docker-up: a Docker engine already answers; leaving it alone"
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-up: no dockerd installed; run scripts/install-docker.sh (as root) first" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "docker-up: dockerd needs root; try: sudo $0" >&2
  exit 1
fi

# Starts dockerd with the given extra flags; succeeds once `docker info` answers.
start_dockerd() {
  echo "docker-up: starting dockerd $* (log: $log_file)"
  # setsid: the daemon gets its own session, so it outlives this script and Ctrl-C of its caller.
  setsid dockerd --host unix:///var/run/docker.sock "$@" >>"$log_file" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pid_file"
  local waited=0
  while (( waited < timeout * 5 )); do
    if docker info >/dev/null 2>&1; then
      echo "docker-up: dockerd (pid $pid) ready after ~$(( waited / 5 ))s"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "docker-up: dockerd exited early; last lines of $log_file:" >&2
      tail -n 15 "$log_file" >&2 || true
      rm -f "$pid_file"
      return 1
    fi
    sleep 0.2
    waited=$(( waited + 1 ))
  done
  echo "docker-up: dockerd (pid $pid) did not answer within ${timeout}s; stopping it" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  return 1
}

# A sandbox may forbid iptables; the Toxiproxy container uses host networking, so an
# engine without bridge networking is still useful.
start_dockerd || start_dockerd --iptables=false --ip6tables=false --bridge=none
