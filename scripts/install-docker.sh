#!/usr/bin/env bash
# Installs a Docker engine from Debian's `docker.io` package (dockerd, containerd, runc),
# for the container Toxiproxy provider. Needs root and apt-get; does nothing when dockerd
# is already installed. Run `apt-get update` first on a fresh machine (.ci/run does).
# The engine is not started here: scripts/docker-up.sh does that.
set -euo pipefail

if command -v dockerd >/dev/null 2>&1; then
  echo "install-docker: dockerd already installed ($(dockerd --version))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-docker: no apt-get here; install Docker your platform's way (https://docs.docker.com/engine/install/)" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-docker: needs root (apt-get install docker.io); try: sudo $0" >&2
  exit 1
fi
start=$SECONDS
DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io
echo "install-docker: installed $(dockerd --version) in $((SECONDS - start))s"
