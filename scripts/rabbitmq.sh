#!/usr/bin/env bash
# Runs the project's own RabbitMQ broker (with Web-STOMP) for the STOMP relay tests:
#
#   scripts/rabbitmq.sh start    start it (or report the one running), print its env lines
#   scripts/rabbitmq.sh stop     stop it and everything it started (its epmd included)
#   scripts/rabbitmq.sh status   exit 0 and print its URL when it runs, exit 3 when it does not
#
# Everything lives under .tools/rabbitmq/ (data, logs, config, Erlang cookie); nothing is
# shared with a system broker: node comfychaos@localhost, every port chosen here (AMQP,
# Web-STOMP, Erlang distribution, and a private epmd port), all bound to 127.0.0.1.
# Ports: RABBITMQ_NODE_PORT, COMFY_CHAOS_WEB_STOMP_PORT, RABBITMQ_DIST_PORT and
# COMFY_CHAOS_EPMD_PORT choose them; otherwise free ones are picked. `start` ends with the line
# STOMP_BROKER_URL=ws://127.0.0.1:<port>/ws and writes the same lines to .tools/rabbitmq/broker.env.
# The STOMP login is guest/guest, which RabbitMQ only accepts from loopback.
# Install the broker first with scripts/install-rabbitmq.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.tools/rabbitmq"
node=comfychaos@localhost
start_timeout_s="${COMFY_CHAOS_RABBITMQ_START_TIMEOUT_S:-60}"
stop_timeout_s="${COMFY_CHAOS_RABBITMQ_STOP_TIMEOUT_S:-30}"
# Every process the broker starts inherits this variable; `stop` finds leftovers by it.
marker="COMFY_CHAOS_RABBITMQ=$state"

say() { echo "rabbitmq: $*"; }
fail() { echo "rabbitmq: $*" >&2; exit 1; }

find_sbin() {
  # The real scripts, not Debian's /usr/sbin wrappers: those `su rabbitmq` when run as root,
  # which would lose our environment and could not write .tools/.
  local dir
  for dir in "${RABBITMQ_SBIN:-}" /usr/lib/rabbitmq/bin /usr/local/lib/rabbitmq/bin; do
    [[ -n "$dir" && -x "$dir/rabbitmq-server" ]] && { echo "$dir"; return 0; }
  done
  local found
  found="$(command -v rabbitmq-server || true)"
  [[ -n "$found" ]] && { dirname "$(readlink -f "$found")"; return 0; }
  return 1
}

# Alive and not a zombie: where PID 1 does not reap orphans, `kill -0` succeeds on the dead.
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nothing listens on, outside Linux's ephemeral range (32768-60999), not in "$@".
pick_port() {
  local p tries=0
  while (( tries++ < 200 )); do
    p=$(( 20000 + RANDOM % 12000 ))
    [[ " $* " == *" $p "* ]] && continue
    port_open "$p" || { echo "$p"; return 0; }
  done
  fail "no free port found in 20000-31999"
}

# PIDs of processes carrying our marker (ours by construction), except this shell.
our_pids() {
  local env_file pid
  for env_file in /proc/[0-9]*/environ; do
    pid="${env_file#/proc/}"; pid="${pid%/environ}"
    [[ "$pid" == "$$" ]] && continue
    if grep -qzxF "$marker" "$env_file" 2>/dev/null; then echo "$pid"; fi
  done
}

load_ports() {
  [[ -f "$state/ports.env" ]] || return 1
  # shellcheck disable=SC1091
  source "$state/ports.env"
}

is_running() {
  load_ports || return 1
  local pid
  pid="$(cat "$state/beam.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && alive "$pid" && port_open "$web_stomp_port"
}

env_lines() {
  echo "STOMP_LOGIN=guest"
  echo "STOMP_PASSCODE=guest"
  echo "STOMP_BROKER_URL=ws://127.0.0.1:$web_stomp_port/ws"
}

# Replaces the calling (sub)shell with "$@" run in the broker's environment.
exec_in_broker_env() {
  # What the broker needs; RABBITMQ_NODE_PORT is left out on purpose: set, it would
  # replace listeners.tcp.default by a listener on every interface.
  exec env -u RABBITMQ_NODE_PORT -u RABBITMQ_NODE_IP_ADDRESS \
    HOME="$state/home" \
    RABBITMQ_NODENAME="$node" \
    RABBITMQ_USE_LONGNAME=false \
    RABBITMQ_MNESIA_BASE="$state/mnesia" \
    RABBITMQ_LOG_BASE="$state/log" \
    RABBITMQ_PID_FILE="$state/beam.pid" \
    RABBITMQ_CONFIG_FILE="$state/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$state/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$state/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$state/enabled_plugins" \
    RABBITMQ_DIST_PORT="$dist_port" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_EPMD_PORT="$epmd_port" \
    "$@"
}

write_config() {
  mkdir -p "$state/home" "$state/mnesia" "$state/log"
  : > "$state/rabbitmq-env.conf" # so /etc/rabbitmq/rabbitmq-env.conf is not read
  echo '[rabbitmq_web_stomp].' > "$state/enabled_plugins"
  cat > "$state/rabbitmq.conf" <<CONF
# Written by scripts/rabbitmq.sh; regenerated on every start.
listeners.tcp.default = 127.0.0.1:$amqp_port
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $web_stomp_port
# rabbitmq_web_stomp pulls in rabbitmq_stomp, which would listen on 61613 of every interface.
stomp.listeners.tcp = none
loopback_users.guest = true
log.console = false
log.file.level = ${COMFY_CHAOS_RABBITMQ_LOG_LEVEL:-info}
CONF
  cat > "$state/ports.env" <<PORTS
amqp_port=$amqp_port
web_stomp_port=$web_stomp_port
dist_port=$dist_port
epmd_port=$epmd_port
PORTS
}

cmd_start() {
  if is_running; then
    say "already running (node $node, pid $(cat "$state/beam.pid")); stop it with scripts/rabbitmq.sh stop"
    env_lines
    return 0
  fi
  local sbin
  sbin="$(find_sbin)" || fail "rabbitmq-server is not installed; run scripts/install-rabbitmq.sh (as root), or set STOMP_BROKER_URL to a running broker"
  cmd_stop_quietly
  amqp_port="${RABBITMQ_NODE_PORT:-$(pick_port)}"
  web_stomp_port="${COMFY_CHAOS_WEB_STOMP_PORT:-$(pick_port "$amqp_port")}"
  dist_port="${RABBITMQ_DIST_PORT:-$(pick_port "$amqp_port" "$web_stomp_port")}"
  epmd_port="${COMFY_CHAOS_EPMD_PORT:-$(pick_port "$amqp_port" "$web_stomp_port" "$dist_port")}"
  local p
  for p in "$amqp_port" "$web_stomp_port" "$dist_port" "$epmd_port"; do
    port_open "$p" && fail "port $p on 127.0.0.1 is taken; choose another (RABBITMQ_NODE_PORT, COMFY_CHAOS_WEB_STOMP_PORT, RABBITMQ_DIST_PORT, COMFY_CHAOS_EPMD_PORT) or leave them unset"
  done
  write_config
  rm -f "$state/broker.env" "$state/beam.pid" "$state"/log/*.log

  local started_ns=$(date +%s%N)
  say "starting node $node: AMQP 127.0.0.1:$amqp_port, Web-STOMP 127.0.0.1:$web_stomp_port, distribution $dist_port, epmd $epmd_port"
  # setsid: the broker must not die with the shell (or test worker) that started it.
  exec_in_broker_env env "$marker" setsid "$sbin/rabbitmq-server" \
    > "$state/log/startup.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$state/wrapper.pid"

  local deadline=$(( $(date +%s) + start_timeout_s ))
  # Web-STOMP listens a moment before the boot ends; the log line says it has.
  until port_open "$web_stomp_port" && grep -qs 'Server startup complete' "$state/log/$node.log" && [[ -s "$state/beam.pid" ]]; do
    if ! alive "$(cat "$state/wrapper.pid")" && [[ -z "$(our_pids)" ]]; then
      echo "rabbitmq: the broker exited during start-up; the end of its logs ($state/log):" >&2
      tail -n 30 "$state/log/startup.log" "$state/log/$node.log" >&2 2>/dev/null || true
      cmd_stop_quietly
      exit 1
    fi
    if (( $(date +%s) >= deadline )); then
      echo "rabbitmq: Web-STOMP did not open port $web_stomp_port within ${start_timeout_s}s; the end of its logs:" >&2
      tail -n 30 "$state/log/startup.log" "$state/log/$node.log" >&2 2>/dev/null || true
      cmd_stop_quietly
      exit 1
    fi
    sleep 0.2
  done
  env_lines > "$state/broker.env"
  say "started in $(( ($(date +%s%N) - started_ns) / 1000000 )) ms (pid $(cat "$state/beam.pid")); logs in $state/log"
  env_lines
}

# Stops the node and kills whatever it left; says nothing when nothing runs.
cmd_stop_quietly() {
  local pids beam deadline
  pids="$(our_pids)"
  if [[ -n "$pids" ]]; then
    # SIGTERM makes RabbitMQ shut down cleanly (as `rabbitmqctl stop` does, without starting a CLI VM).
    beam="$(cat "$state/beam.pid" 2>/dev/null || true)"
    if [[ -n "$beam" ]] && alive "$beam"; then
      kill -TERM "$beam" 2>/dev/null || true
      deadline=$(( $(date +%s) + stop_timeout_s ))
      while alive "$beam" && (( $(date +%s) < deadline )); do sleep 0.1; done
    fi
    # Leftovers: the beam after the timeout, its helpers, the private epmd.
    pids="$(our_pids)"
    # shellcheck disable=SC2086
    [[ -n "$pids" ]] && kill -TERM $pids 2>/dev/null
    deadline=$(( $(date +%s) + 3 ))
    while [[ -n "$(our_pids)" ]] && (( $(date +%s) < deadline )); do sleep 0.1; done
    pids="$(our_pids)"
    # shellcheck disable=SC2086
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null
  fi
  rm -f "$state/beam.pid" "$state/wrapper.pid" "$state/broker.env"
}

cmd_stop() {
  if [[ -z "$(our_pids)" ]]; then say "not running"; return 0; fi
  local started_ns=$(date +%s%N)
  cmd_stop_quietly
  [[ -z "$(our_pids)" ]] || fail "some broker processes survived SIGKILL: $(our_pids | tr '\n' ' ')"
  say "stopped in $(( ($(date +%s%N) - started_ns) / 1000000 )) ms"
}

cmd_status() {
  if is_running; then
    say "running (node $node, pid $(cat "$state/beam.pid"))"
    env_lines
    return 0
  fi
  if [[ -n "$(our_pids)" ]]; then say "not ready (processes $(our_pids | tr '\n' ' ')); scripts/rabbitmq.sh stop cleans up"; else say "not running"; fi
  return 3
}

mkdir -p "$state"
# One command at a time: two test workers must not start two brokers on one data directory.
exec 9> "$state/.lock"
flock -w $(( start_timeout_s + stop_timeout_s + 10 )) 9 || fail "another scripts/rabbitmq.sh held $state/.lock too long"

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
