#!/usr/bin/env bash
# Installs the third-party npm clients of clients/third-party (each folder with a package.json
# has its own pinned dependencies and lock file, apart from the project's package.json) with
# `npm ci`. Idempotent: a folder installed from the same lock file (a stamp says so) is left alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-npm-clients: npm is not on PATH; install Node 20 or newer" >&2
  exit 1
fi
status=0
for manifest in "$root"/clients/third-party/*/package.json; do
  dir="$(dirname "$manifest")"
  name="${dir#"$root"/}"
  if [[ ! -f "$dir/package-lock.json" ]]; then
    echo "install-npm-clients: $name has no package-lock.json; run npm install there once and commit the lock file" >&2
    status=1
    continue
  fi
  # A stamp in node_modules remembers the lock file it was installed from.
  stamp="$dir/node_modules/.lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "install-npm-clients: $name is up to date"
    continue
  fi
  if (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "$want" > "$stamp"
    echo "install-npm-clients: installed $name ($(node -e 'const p=require(process.argv[1]);console.log(Object.entries(p.dependencies).map(([n,v])=>n+"@"+v).join(" "))' "$manifest"))"
  else
    echo "install-npm-clients: npm ci failed in $name" >&2
    status=1
  fi
done
exit "$status"
