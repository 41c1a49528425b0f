#!/usr/bin/env bash
# Installs the official ComfyUI frontend (PyPI: comfyui-frontend-package) at pinned versions into
# .tools/frontend/<version>/ (pip install --target, no dependencies: the package is static files).
# 1.27.10 is the version ComfyUI 0.3.64 pins in its requirements.txt; 1.58.1 was the newest on
# PyPI when this was written. Each version's static/ folder is what ComfyUI serves at /, and
# what `comfy-chaos serve --frontend` serves; the browser test test/browser/frontend.test.ts
# finds them here. Idempotent: a version whose static/index.html exists is left alone.
# Set COMFY_CHAOS_FRONTEND_VERSIONS to install other versions (space-separated).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
versions=(${COMFY_CHAOS_FRONTEND_VERSIONS:-1.27.10 1.58.1})
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "install-frontend: '$python' is not on PATH; install Python 3 with pip (set PYTHON to use another interpreter)" >&2
  exit 1
fi

for version in "${versions[@]}"; do
  target="$root/.tools/frontend/$version"
  static="$target/comfyui_frontend_package/static"
  if [[ -f "$static/index.html" ]]; then
    echo "install-frontend: comfyui-frontend-package==$version already in $target"
    continue
  fi
  rm -rf "$target"
  mkdir -p "$target"
  "$python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
    --target "$target" "comfyui-frontend-package==$version"
  if [[ ! -f "$static/index.html" ]]; then
    echo "install-frontend: comfyui-frontend-package==$version installed but has no $static/index.html" >&2
    exit 1
  fi
  echo "install-frontend: installed comfyui-frontend-package==$version into $target"
done
