/**
 * The socket and HTTP shapes a client needs, as the browser defines them. Node's `ws`, the
 * browser's `WebSocket`, and the simulator's in-memory transport all fit these, so a client
 * written against them runs on any of the three.
 */
export interface MessageEventLike {
  data: string | ArrayBuffer | Uint8Array | Blob;
}

export interface CloseEventLike {
  code: number;
  reason: string;
  wasClean?: boolean;
}

export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: MessageEventLike) => void) | null;
  onclose: ((event: CloseEventLike) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to `url` (ws:// or wss://). */
export type WebSocketFactory = (url: string) => WebSocketLike;

export const WS_CONNECTING = 0;
export const WS_OPEN = 1;
export const WS_CLOSING = 2;
export const WS_CLOSED = 3;

export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface RequestInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
  signal?: AbortSignal;
}

/** The subset of `fetch` a client needs; the global `fetch` fits it. */
export type FetchLike = (url: string, init?: RequestInitLike) => Promise<ResponseLike>;
