/**
 * The Node half of the reference client: a socket factory built on `ws`. Kept apart so the core
 * stays free of Node modules and bundles for a browser unchanged (as msw splits `msw/node`).
 */
import WebSocket from 'ws';
import type { WebSocketFactory, WebSocketLike } from '../protocol/index.ts';
import { ReferenceClient, type ReferenceClientOptions } from './reference-client.ts';

export interface NodeWebSocketOptions {
  /** [options.maxPayloadBytes=268435456] Largest incoming frame; ComfyUI's SaveImageWebsocket frames can be big. */
  maxPayloadBytes?: number;
  /** [options.perMessageDeflate=false] */
  perMessageDeflate?: boolean;
}

export function createNodeWebSocketFactory(options: NodeWebSocketOptions = {}): WebSocketFactory {
  return (url) => {
    const socket = new WebSocket(url, {
      maxPayload: options.maxPayloadBytes ?? 256 * 1024 * 1024,
      perMessageDeflate: options.perMessageDeflate ?? false,
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

/** A {@link ReferenceClient} using `ws` and the global `fetch` unless told otherwise. */
export function createNodeReferenceClient(options: ReferenceClientOptions): ReferenceClient {
  return new ReferenceClient({ webSocketFactory: nodeWebSocketFactory, ...options });
}

export * from './index.ts';
