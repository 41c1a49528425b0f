import { readFileSync } from 'node:fs';

/**
 * The Toxiproxy version this project is tested against. Its one source is the file
 * `toxiproxy.version` beside this module, which scripts/install-toxiproxy.sh and
 * scripts/build-toxiproxy-image.sh read as well, so a bump is a one-line change.
 */
export const TOXIPROXY_VERSION: string = readFileSync(new URL('./toxiproxy.version', import.meta.url), 'utf8').trim();

/** The image the container provider runs; CI builds it locally under this tag (no registry is reachable there). */
export const TOXIPROXY_IMAGE = `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION}`;
