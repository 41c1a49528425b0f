#!/usr/bin/env bash
# Installs the Toxiproxy server into .tools/bin/toxiproxy-server, built from the Go module
# proxy (no release download is reachable here). The version lives in one place:
# src/harness/toxiproxy/toxiproxy.version, which the TypeScript providers read too.
# Idempotent: does nothing when the installed binary already reports that version.
# Built with CGO_ENABLED=0 so the binary is static and can go into a `FROM scratch` image.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$root/src/harness/toxiproxy/toxiproxy.version")"
bin_dir="$root/.tools/bin"
target="$bin_dir/toxiproxy-server"

if ! command -v go >/dev/null 2>&1; then
  echo "install-toxiproxy: 'go' is not on PATH; install Go (https://go.dev/dl) or set TOXIPROXY_URL to a running server" >&2
  exit 1
fi

if [[ -x "$target" ]] && "$target" -version 2>/dev/null | grep -q "$version"; then
  echo "install-toxiproxy: toxiproxy-server $version already at $target"
  exit 0
fi

mkdir -p "$bin_dir"
start=$(date +%s)
echo "install-toxiproxy: building github.com/Shopify/toxiproxy/v2/cmd/server@v$version (static) ..."
# `go install` names the binary after its package directory (`server`); build it in a private
# GOBIN, then move it to its real name so a stray `server` never lands on anyone's PATH.
tmp_gobin="$(mktemp -d "$root/.tools/gobin.XXXXXX")"
trap 'rm -rf "$tmp_gobin"' EXIT
CGO_ENABLED=0 GOBIN="$tmp_gobin" GOFLAGS="${GOFLAGS:-} -trimpath" \
  go install -ldflags "-s -w -X github.com/Shopify/toxiproxy/v2.Version=$version" \
  "github.com/Shopify/toxiproxy/v2/cmd/server@v$version"
mv -f "$tmp_gobin/server" "$target"
echo "install-toxiproxy: installed $("$target" -version 2>&1 | head -n1) at $target in $(( $(date +%s) - start ))s"
