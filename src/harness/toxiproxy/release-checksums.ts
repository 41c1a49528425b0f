/**
 * SHA-256 of the Toxiproxy server binaries of the pinned release, as published on
 * https://github.com/Shopify/toxiproxy/releases/tag/v2.12.0 (assets `toxiproxy-server-<os>-<arch>`,
 * built by goreleaser from `.goreleaser.yml`: CGO off, `-s -w`). `comfy-chaos toxiproxy install`
 * refuses any download whose digest is not the one here.
 *
 * Where these values come from: this machine cannot reach GitHub, so the release's own
 * `checksums.txt` was NOT read. The four digests are the ones other projects pin for the same
 * assets of v2.12.0 (found with the code search of 2026-12-01: two unrelated repositories list all
 * four identically, and at least six more pin the same linux-amd64 digest, including a Dockerfile
 * that checks it with `sha256sum -c` at build time). Check them against the release's
 * checksums.txt before relying on them; `docs/comfyui-protocol.md` ("Package and Toxiproxy
 * download") records this. Platforms without a digest here (Windows, the BSDs) are refused with a
 * message that names the other ways to get Toxiproxy.
 */
export const PINNED_RELEASE = {
  version: '2.12.0',
  verifiedAgainstChecksumsTxt: false,
  sha256: {
    'toxiproxy-server-linux-amd64': '556d891134a3c582dc1e1a3f7335fd55142e5965769855a00b944e13e48302fc',
    'toxiproxy-server-linux-arm64': '53e770c1c3035b5a9f1bc629fce537db1f95f62b26f4ebe6e756afd701cf077c',
    'toxiproxy-server-darwin-amd64': '9625bba4bd96117eedae49f982aba4c2f462b268dd406c9ff18186f9b1ef8afe',
    'toxiproxy-server-darwin-arm64': 'aa299966b52f16a8594f1cd0d1e9049dc2e8fe2c04a90c19860e2719b2b95d15',
  } as Record<string, string>,
} as const;
