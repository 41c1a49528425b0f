import type {
  CloseEventLike,
  FetchLike,
  MessageEventLike,
  RequestInitLike,
  ResponseLike,
  WebSocketFactory,
  WebSocketLike,
} from '../../protocol/index.ts';
import { WS_CLOSED, WS_CLOSING, WS_CONNECTING, WS_OPEN } from '../../protocol/index.ts';
import type { SimRequest, SimResponse } from '../http/types.ts';
import type { ServerSocket, ServerSocketHandlers } from './server-socket.ts';
import type { SimulatorEndpoint } from './endpoint.ts';

/**
 * The in-process transport: a socket pair and a `fetch` that call the simulator directly, with
 * every delivery scheduled on the simulator's clock. With a virtual clock nothing waits for real
 * time and no port is opened (design.md, "Two transports").
 */
export interface MemoryTransport {
  /** A base URL for clients; only its path matters. */
  baseUrl: string;
  fetch: FetchLike;
  webSocketFactory: WebSocketFactory;
}

/** Delay of every in-memory delivery, so that sends never re-enter the receiver synchronously. */
const DELIVERY_DELAY_MS = 0;

class MemoryClientSocket implements WebSocketLike {
  readyState: number = WS_CONNECTING;
  binaryType = 'arraybuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onclose: ((event: CloseEventLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  server: ServerSocketHandlers | null = null;
  /** The server side can still send: frames it sent before a close are delivered before the close event, as on a wire. */
  private serverOpen = false;

  constructor(
    private readonly endpoint: SimulatorEndpoint,
    readonly url: string,
    private readonly secure = false,
  ) {
    endpoint.clock.setTimeout(() => {
      try {
        this.connect();
      } catch (error) {
        endpoint.recordInternalError('ws', error);
        if (this.readyState === WS_CONNECTING) this.fail(1006, 'simulator error');
      }
    }, DELIVERY_DELAY_MS);
  }

  private connect(): void {
    if (this.readyState !== WS_CONNECTING) return;
    const parsed = new URL(this.url, this.secure ? 'wss://memory' : 'ws://memory');
    const path = this.endpoint.normalisePath(parsed.pathname);
    if (!this.endpoint.isUp()) return this.fail(1006, 'connection refused');
    const mismatch = schemeMismatch(parsed.protocol, this.secure);
    if (mismatch) return this.fail(1006, mismatch);
    const decision = this.endpoint.handleUpgrade({ path, query: parsed.searchParams });
    if (!decision.accept) return this.fail(1006, `Unexpected server response: ${decision.status}`);
    this.readyState = WS_OPEN;
    this.serverOpen = true;
    const serverSide: ServerSocket = {
      send: (data) => this.deliverToClient(data),
      terminate: () => this.dropFromServer(1006, ''),
      close: (code, reason) => this.dropFromServer(code, reason),
      get isOpen() {
        return peer.serverOpen;
      },
    };
    const peer = this;
    this.server = decision.attach(serverSide);
    this.onopen?.({ type: 'open' });
  }

  private fail(code: number, reason: string): void {
    this.readyState = WS_CLOSED;
    this.onerror?.({ type: 'error', message: reason });
    this.onclose?.({ code, reason, wasClean: false });
  }

  private deliverToClient(data: string | Uint8Array): void {
    if (!this.serverOpen) return;
    const copy = typeof data === 'string' ? data : data.slice();
    this.endpoint.clock.setTimeout(() => {
      if (this.readyState !== WS_OPEN) return;
      const payload =
        typeof copy === 'string' ? copy : this.binaryType === 'arraybuffer' ? copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength) : copy;
      this.onmessage?.({ data: payload as MessageEventLike['data'] });
    }, DELIVERY_DELAY_MS);
  }

  /** The server closed or dropped the connection: both sides learn it now, the client's handler runs next tick. */
  private dropFromServer(code: number, reason: string): void {
    if (!this.serverOpen) return;
    this.serverOpen = false;
    const server = this.server;
    this.server = null;
    server?.onClose(code);
    // Scheduled after the frames already sent, so they arrive first, then the close.
    this.endpoint.clock.setTimeout(() => {
      if (this.readyState === WS_CLOSED) return;
      this.readyState = WS_CLOSED;
      this.onclose?.({ code, reason, wasClean: code !== 1006 });
    }, DELIVERY_DELAY_MS);
  }

  send(data: string | Uint8Array | ArrayBuffer): void {
    if (this.readyState !== WS_OPEN) throw new Error(`WebSocket is not open (readyState ${this.readyState})`);
    if (!this.serverOpen) return; // the server dropped us; the close event is on its way
    const copy = typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : data.slice();
    this.endpoint.clock.setTimeout(() => {
      try {
        this.server?.onMessage(copy);
      } catch (error) {
        this.endpoint.recordInternalError('ws', error);
      }
    }, DELIVERY_DELAY_MS);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === WS_CLOSED || this.readyState === WS_CLOSING) return;
    if (this.readyState === WS_CONNECTING) {
      this.readyState = WS_CLOSED;
      this.endpoint.clock.setTimeout(() => this.onclose?.({ code: 1006, reason: 'closed before open', wasClean: false }), DELIVERY_DELAY_MS);
      return;
    }
    this.readyState = WS_CLOSING;
    const server = this.server;
    this.server = null;
    this.serverOpen = false;
    this.endpoint.clock.setTimeout(() => {
      server?.onClose(code);
      this.readyState = WS_CLOSED;
      this.onclose?.({ code, reason, wasClean: true });
    }, DELIVERY_DELAY_MS);
  }
}

class MemoryResponse implements ResponseLike {
  readonly ok: boolean;
  private readonly bytes: Uint8Array;
  readonly headers: { get(name: string): string | null };

  constructor(readonly status: number, headers: Record<string, string>, body: string | Uint8Array | undefined) {
    this.ok = status >= 200 && status < 300;
    this.bytes = typeof body === 'string' ? new TextEncoder().encode(body) : (body ?? new Uint8Array());
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.headers = { get: (name) => lower[name.toLowerCase()] ?? null };
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.slice().buffer;
  }
}

async function bodyBytes(body: RequestInitLike['body']): Promise<{ bytes: Uint8Array; contentType?: string }> {
  if (body === undefined) return { bytes: new Uint8Array() };
  if (typeof body === 'string') return { bytes: new TextEncoder().encode(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: body };
  // FormData: let the platform encode the multipart body and its boundary.
  const encoded = new Response(body);
  return {
    bytes: new Uint8Array(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? undefined,
  };
}

/**
 * Why a connection with scheme `protocol` fails on a server that does (`secure`) or does not speak
 * TLS, as on the network transport: a plain client's bytes fail the TLS server's handshake, and a TLS
 * client gets no handshake from a plain server. Null when the scheme fits.
 */
function schemeMismatch(protocol: string, secure: boolean): string | null {
  const tls = protocol === 'https:' || protocol === 'wss:';
  if (tls === secure) return null;
  return secure
    ? `TLS handshake failed: the server speaks TLS only, and ${protocol}// is plain (use ${protocol === 'ws:' ? 'wss' : 'https'}://)`
    : `TLS handshake failed: ${protocol}// to a server that does not speak TLS`;
}

/** A transport for clients at `baseUrl`; an `https://` base makes a server that speaks TLS only (its clients must use https and wss). */
export function createMemoryTransport(endpoint: SimulatorEndpoint, baseUrl = 'http://127.0.0.1:8188'): MemoryTransport {
  const secure = new URL(baseUrl).protocol === 'https:';
  const fetch: FetchLike = async (url, init = {}) => {
    const parsed = new URL(url, baseUrl);
    const mismatch = schemeMismatch(parsed.protocol, secure);
    if (mismatch) throw new TypeError(`fetch failed: ${mismatch}`);
    const { bytes, contentType } = await bodyBytes(init.body);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    if (contentType && !headers['content-type']) headers['content-type'] = contentType;
    const request: SimRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      path: endpoint.normalisePath(parsed.pathname),
      query: parsed.searchParams,
      headers,
      body: bytes,
    };
    if (init.signal?.aborted) throw abortError();
    if (!endpoint.isUp()) throw new TypeError('fetch failed: connection refused (the simulated server is down)');
    const maxBodyBytes = endpoint.limits.maxBodyBytes;
    if (bytes.length > maxBodyBytes) {
      // As the network transport (and aiohttp's client_max_size) answers it.
      return new MemoryResponse(413, { 'content-type': 'text/plain; charset=utf-8' }, `Maximum request body size ${maxBodyBytes} exceeded, actual body size ${bytes.length}`);
    }
    // As on the network transport: an error of the simulator's own is its internal_error and a 500.
    const pending = endpoint.handleHttp(request).catch((error: unknown): SimResponse => {
      endpoint.recordInternalError('http', error);
      return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Internal simulator error: ${(error as Error)?.message ?? String(error)}` };
    });
    const response: SimResponse = init.signal
      ? await new Promise<SimResponse>((resolve, reject) => {
          init.signal!.addEventListener('abort', () => reject(abortError()), { once: true });
          pending.then(resolve, reject);
        })
      : await pending;
    return new MemoryResponse(response.status, response.headers ?? {}, response.body);
  };
  return {
    baseUrl,
    fetch,
    webSocketFactory: (url) => new MemoryClientSocket(endpoint, url, secure),
  };
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
