#!/usr/bin/env bash
# Builds the Toxiproxy image the container provider runs, locally, under the tag the code
# expects (ghcr.io/shopify/toxiproxy:<version>), because no image registry may be
# reachable. The image is `FROM scratch` with the static binary that
# scripts/install-toxiproxy.sh built, laid out like the upstream image (/toxiproxy,
# -host=0.0.0.0 by default). Idempotent: skipped when the image already holds this binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$root/src/harness/toxiproxy/toxiproxy.version")"
tag="ghcr.io/shopify/toxiproxy:$version"
binary="$root/.tools/bin/toxiproxy-server"

if [[ ! -x "$binary" ]]; then
  echo "build-toxiproxy-image: $binary is missing; run scripts/install-toxiproxy.sh first" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "build-toxiproxy-image: no Docker engine answers; run scripts/docker-up.sh first" >&2
  exit 1
fi
sha="$(sha256sum "$binary" | cut -d' ' -f1)"
if [[ "$(docker image inspect -f '{{ index .Config.Labels "comfy-chaos.binary-sha256" }}' "$tag" 2>/dev/null || true)" == "$sha" ]]; then
  echo "build-toxiproxy-image: $tag already built from this binary"
  exit 0
fi

context="$root/.tools/toxiproxy-image"
rm -rf "$context"
mkdir -p "$context"
cp "$binary" "$context/toxiproxy"
cat >"$context/Dockerfile" <<DOCKERFILE
FROM scratch
LABEL comfy-chaos.binary-sha256="$sha" org.opencontainers.image.version="$version"
COPY toxiproxy /toxiproxy
EXPOSE 8474
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0"]
DOCKERFILE
start=$SECONDS
# The classic builder: it needs no buildx plugin and no base image from a registry.
DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" "$context" >/dev/null
echo "build-toxiproxy-image: built $tag in $((SECONDS - start))s"
