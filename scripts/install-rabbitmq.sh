#!/usr/bin/env bash
# Installs RabbitMQ (Debian's rabbitmq-server package, with the Web-STOMP plugin it ships) for
# the STOMP relay tests. Idempotent: does nothing when the package is already installed.
# The package's postinst would start a system broker on the default ports (5672, 25672, epmd
# 4369); a policy-rc.d that answers 101 ("action forbidden") stops invoke-rc.d from doing so
# during the install, and any broker that starts anyway is stopped afterwards. The project's
# own broker is run by scripts/rabbitmq.sh, on ports of its own.
set -euo pipefail

if dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null | grep -q 'install ok installed'; then
  echo "install-rabbitmq: rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server) already installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-rabbitmq: needs root for apt-get (run it as root, or: sudo $0)" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# written by comfy-chaos scripts/install-rabbitmq.sh; removed when it ends\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  own_policy=1
  echo "install-rabbitmq: wrote $policy (exit 101) so the package does not start a system broker"
else
  echo "install-rabbitmq: keeping the existing $policy (not ours)"
fi
cleanup() { if [[ $own_policy -eq 1 ]]; then rm -f "$policy"; echo "install-rabbitmq: removed $policy"; fi; }
trap cleanup EXIT

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# needrestart (if installed) would otherwise scan for services to restart after the install.
export NEEDRESTART_SUSPEND=1
if ! apt-get install -y -q --no-install-recommends rabbitmq-server </dev/null; then
  echo "install-rabbitmq: apt-get install failed; retrying after apt-get update" >&2
  apt-get update -q </dev/null
  apt-get install -y -q --no-install-recommends rabbitmq-server </dev/null
fi
echo "install-rabbitmq: installed rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server) in $(( $(date +%s) - start ))s"

# Belt and braces: if a system broker came up anyway (no policy-rc.d honoured), stop it.
if pgrep -u rabbitmq -f 'beam.*rabbit' >/dev/null 2>&1; then
  echo "install-rabbitmq: a system broker was started by the package; stopping it"
  service rabbitmq-server stop </dev/null || timeout 30 rabbitmqctl stop </dev/null || true
fi
if pgrep -u rabbitmq -x epmd >/dev/null 2>&1; then
  echo "install-rabbitmq: stopping the epmd the system broker left (user rabbitmq)"
  pkill -u rabbitmq -x epmd || true
fi
echo "install-rabbitmq: no system broker running; start the project's own with scripts/rabbitmq.sh start"
