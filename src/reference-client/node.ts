/**
 * The Node half of the reference client: a socket factory built on `ws`. Kept apart so the core
 * stays free of Node modules and bundles for a browser unchanged (as msw splits `msw/node`).
 */
import WebSocket from 'ws';
import type { FetchLike, WebSocketFactory, WebSocketLike } from '../protocol/index.ts';
import { createTrustingFetch, withRootCertificates, type TrustingFetchOptions } from './node-fetch.ts';
import { ReferenceClient, type ReferenceClientOptions } from './reference-client.ts';

export interface NodeWebSocketOptions {
  /** [options.maxPayloadBytes=268435456] Largest incoming frame; ComfyUI's SaveImageWebsocket frames can be big. */
  maxPayloadBytes?: number;
  /** [options.perMessageDeflate=false] */
  perMessageDeflate?: boolean;
  /** PEM certificates to trust for `wss://` besides Node's roots [default: the roots only]. */
  ca?: TrustingFetchOptions['ca'];
}

export function createNodeWebSocketFactory(options: NodeWebSocketOptions = {}): WebSocketFactory {
  const ca = options.ca === undefined ? undefined : withRootCertificates(options.ca);
  return (url) => {
    const socket = new WebSocket(url, {
      maxPayload: options.maxPayloadBytes ?? 256 * 1024 * 1024,
      perMessageDeflate: options.perMessageDeflate ?? false,
      ...(ca ? { ca } : {}),
    });
    // `ws` is an EventEmitter: an 'error' with no listener would crash the process, e.g. when
    // the client closes a socket that is still connecting. The client learns of errors
    // through `onerror`/`onclose`; this listener only keeps the emitter quiet.
    socket.on('error', () => undefined);
    return socket as unknown as WebSocketLike;
  };
}

/** A `ws`-backed factory with the defaults above. */
export const nodeWebSocketFactory: WebSocketFactory = createNodeWebSocketFactory();

/**
 * `fetch` and sockets that trust `ca` (PEM) besides Node's roots: for a server behind TLS with a
 * private CA, e.g. `COMFY_CA_FILE` in a driver run on the `gateway-tls` profile.
 */
export function trustingNodeTransport(ca: TrustingFetchOptions['ca']): { fetch: FetchLike; webSocketFactory: WebSocketFactory } {
  return { fetch: createTrustingFetch({ ca }), webSocketFactory: createNodeWebSocketFactory({ ca }) };
}

/** A {@link ReferenceClient} using `ws` and the global `fetch` unless told otherwise. */
export function createNodeReferenceClient(options: ReferenceClientOptions): ReferenceClient {
  return new ReferenceClient({ webSocketFactory: nodeWebSocketFactory, ...options });
}

export { createTrustingFetch, type TrustingFetchOptions } from './node-fetch.ts';
export * from './index.ts';
