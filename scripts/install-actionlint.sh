#!/usr/bin/env bash
# Installs actionlint (the GitHub Actions workflow checker) into .tools/bin, built from the Go
# module proxy, for test/integration/examples/github-actions.test.ts. Idempotent.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="v1.7.12"
target="$root/.tools/bin/actionlint"

if [[ -x "$target" ]] && "$target" -version 2>/dev/null | head -n1 | grep -qx "$version"; then
  echo "install-actionlint: actionlint $version already at $target"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-actionlint: 'go' is not on PATH; install Go (https://go.dev/dl) to build actionlint" >&2
  exit 1
fi
mkdir -p "$root/.tools/bin"
CGO_ENABLED=0 GOBIN="$root/.tools/bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
echo "install-actionlint: installed $("$target" -version | head -n1) at $target"
