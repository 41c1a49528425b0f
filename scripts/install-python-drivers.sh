#!/usr/bin/env bash
# Creates the venv the Python drivers run in (.tools/venv) and installs their pinned
# requirements from PyPI: clients/python/requirements.txt (our drivers, the Flask relay) and
# clients/third-party/requirements.txt (the third-party client libraries, unmodified). Idempotent:
# does nothing when the venv already holds exactly those requirements (a stamp file remembers
# their hash).
# Prints the venv's python at the end; tests find it as .tools/venv/bin/python or through
# COMFY_CHAOS_PYTHON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
requirements=("$root/clients/python/requirements.txt" "$root/clients/third-party/requirements.txt")
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "install-python-drivers: '$python' is not on PATH; install Python 3.9 or newer (set PYTHON to use another interpreter)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
  echo "install-python-drivers: $("$python" --version 2>&1) is too old; the drivers need Python 3.9 or newer" >&2
  exit 1
fi

want="$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "install-python-drivers: $venv already has clients/python/requirements.txt and clients/third-party/requirements.txt"
  echo "$venv/bin/python"
  exit 0
fi

mkdir -p "$root/.tools"
if [[ ! -x "$venv/bin/python" ]]; then
  # Debian's python3 lacks ensurepip unless python3-venv is installed; say so instead of a stack trace.
  if ! "$python" -m venv "$venv"; then
    rm -rf "$venv"
    echo "install-python-drivers: '$python -m venv' failed; on Debian/Ubuntu install python3-venv (apt-get install python3-venv)" >&2
    exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${requirements[@]/#/--requirement=}"
echo "$want" > "$stamp"
echo "install-python-drivers: installed $(cat "${requirements[@]}" | grep -v "^#" | paste -sd" ") into $venv"
echo "$venv/bin/python"
