import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimRequest, SimResponse } from '../http/types.ts';
import type { SimulatorEndpoint } from './endpoint.ts';
import { parseRequestTarget } from './request-target.ts';
import type { ServerSocket } from './server-socket.ts';
import type { TlsKeyPair } from './tls-certificate.ts';

/**
 * The network transport: a real HTTP + WebSocket server (the `ws` package) on a loopback port.
 * Like aiohttp's defaults it never pings, answers client pings, and accepts incoming frames up to
 * 4 MiB; outgoing frames are unlimited.
 */
export interface ListenOptions {
  /** [default '127.0.0.1'] */
  host?: string;
  /** [default 0: an ephemeral port] */
  port?: number;
  /** Largest request body accepted, in bytes [default the simulator's `limits.maxBodyBytes`, 110 MiB] */
  maxBodyBytes?: number;
  /**
   * Serve HTTPS and WSS only, as ComfyUI does with `--tls-keyfile` and `--tls-certfile`: one TLS
   * port for both, and a plain connection fails in the handshake [default: plain HTTP and WS].
   */
  tls?: TlsKeyPair;
}

export interface NetworkServer {
  /** `http://host:port`, or `https://host:port` when serving TLS. */
  url: string;
  host: string;
  port: number;
  /** Stops listening and drops every connection, as a killed process would; `resume()` listens again on the same port. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const INCOMING_FRAME_LIMIT_BYTES = 4 * 1024 * 1024;

/** Headers that ask for a protocol switch; dropped when the switch is declined. */
const SWITCH_HEADERS = new Set(['upgrade', 'connection', 'http2-settings']);

/**
 * Serves a request that offered a non-WebSocket upgrade (Java's HttpClient offers `h2c` on every
 * plain-HTTP request) as the HTTP/1.1 request it also is, as aiohttp (and so ComfyUI) does. Node
 * hands such requests to the `upgrade` event with the parser detached, so the request head is
 * written back, without the switch headers, in front of what was already read, and the socket
 * goes through the HTTP server again.
 */
function reparseWithoutUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer, tls: boolean): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!SWITCH_HEADERS.has(req.rawHeaders[i]!.toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]));
  // An HTTPS server reads HTTP from 'secureConnection' ('connection' is the TCP socket under TLS).
  server.emit(tls ? 'secureConnection' : 'connection', socket);
}

export async function listenNetwork(endpoint: SimulatorEndpoint, options: ListenOptions = {}): Promise<NetworkServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? endpoint.limits.maxBodyBytes;
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: INCOMING_FRAME_LIMIT_BYTES, perMessageDeflate: false });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serveHttp(endpoint, req, res, maxBodyBytes).catch((error: unknown) => {
      endpoint.recordInternalError('http', error);
      res.destroy();
    });
  };
  const tls = options.tls !== undefined;
  const server: Server = options.tls ? (createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) as unknown as Server) : createServer(handler);
  // A client that does not speak TLS (http:// or ws:// to this port), or does not trust the
  // certificate, fails its handshake: the socket is closed, as aiohttp's TLS site does; not our error.
  if (tls) server.on('tlsClientError', (_error, socket) => socket.destroy());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    // A socket handed to `upgrade` has no error listener of its own: without one a reset by the
    // peer would be an uncaught exception.
    socket.on('error', () => undefined);
    try {
      upgrade(endpoint, server, wss, req, socket, head, tls);
    } catch (error) {
      endpoint.recordInternalError('ws', error);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Once listening, a server error (EMFILE on accept, say) is the simulator's, never the process's end.
  server.on('error', (error) => endpoint.recordInternalError('http', error));

  const dropAll = () => {
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
  };

  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    host,
    port,
    suspend: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropAll();
      });
    },
    resume: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    close: async () => {
      dropAll();
      wss.close();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** Answers a WebSocket upgrade: 400 for a target that is not one, 404 off `/ws`, the simulator's refusal, or the socket. */
function upgrade(endpoint: SimulatorEndpoint, server: Server, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, tls: boolean): void {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    reparseWithoutUpgrade(server, req, socket, head, tls);
    return;
  }
  const target = parseRequestTarget(req.url);
  if (!target) {
    socket.end(rawResponse(400, 'Bad Request', `Bad request target ${JSON.stringify(req.url)}`));
    return;
  }
  const path = endpoint.normalisePath(target.pathname);
  if (path !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const decision = endpoint.handleUpgrade({ path, query: target.query });
  if (!decision.accept) {
    socket.end(rawResponse(decision.status, decision.reason, decision.reason));
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    try {
      attachWs(endpoint, ws, decision.attach);
    } catch (error) {
      endpoint.recordInternalError('ws', error);
      ws.terminate();
    }
  });
}

function rawResponse(status: number, reason: string, body: string): string {
  const text = wireHeaderValue(body);
  return `HTTP/1.1 ${status} ${wireHeaderValue(reason)}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text, 'latin1')}\r\n\r\n${text}`;
}

type AttachFn = Extract<ReturnType<SimulatorEndpoint['handleUpgrade']>, { accept: true }>['attach'];

function attachWs(endpoint: SimulatorEndpoint, ws: WebSocket, attach: AttachFn) {
  const maxBuffered = endpoint.limits.maxSendBufferBytes;
  // A frame larger than the limit (the `oversized` fault allows 64 MiB) raises the allowance
  // until it has drained, so only a reader that falls behind by more than the limit is dropped.
  let allowance = maxBuffered;
  let dropped = false;
  const serverSocket: ServerSocket = {
    send: (data) => {
      if (ws.readyState !== ws.OPEN) return;
      const buffered = ws.bufferedAmount;
      if (buffered <= maxBuffered) allowance = maxBuffered;
      if (data.length > maxBuffered) allowance = Math.max(allowance, buffered + (typeof data === 'string' ? Buffer.byteLength(data) : data.length) + maxBuffered);
      if (buffered > allowance) {
        // The peer reads too slowly: drop it rather than hold an unbounded backlog for it.
        if (!dropped) {
          dropped = true;
          endpoint.recordNote(
            `limit: maxSendBufferBytes (${maxBuffered}) exceeded, ${buffered} bytes unsent: the WebSocket is dropped (1006) because its client does not read`,
          );
        }
        ws.terminate();
        return;
      }
      ws.send(data, { binary: typeof data !== 'string' });
    },
    terminate: () => ws.terminate(),
    close: (code, reason) => ws.close(code, reason),
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
  };
  const handlers = attach(serverSocket);
  ws.on('message', (data, isBinary) => {
    try {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      handlers.onMessage(isBinary ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : buffer.toString('utf8'));
    } catch (error) {
      endpoint.recordInternalError('ws', error);
    }
  });
  ws.on('close', (code) => {
    try {
      handlers.onClose(code);
    } catch (error) {
      endpoint.recordInternalError('ws', error);
    }
  });
  // A frame over the limit or a protocol error: ws closes the socket itself (1009/1002); nothing else to do.
  ws.on('error', () => undefined);
}

/**
 * A header value as aiohttp would put it on the wire: UTF-8 bytes (Node writes a string's
 * characters as Latin-1 bytes, so the UTF-8 is spelled that way), with control characters other
 * than tab percent-escaped, since no HTTP/1.1 header may carry them.
 */
export function wireHeaderValue(value: string): string {
  const escaped = value.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  return /[^\u0000-\u007f]/.test(escaped) ? Buffer.from(escaped, 'utf8').toString('latin1') : escaped;
}

function bodyTooLarge(res: ServerResponse, maxBodyBytes: number, size: number | string): void {
  const text = `Maximum request body size ${maxBodyBytes} exceeded, actual body size ${size}`;
  res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
  res.end(text);
}

async function serveHttp(endpoint: SimulatorEndpoint, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number) {
  // Errors on the socket after the reply (a reset) must not reach the process.
  res.on('error', () => undefined);
  const target = parseRequestTarget(req.url);
  if (!target) {
    req.resume();
    writeResponse(endpoint, res, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `400: Bad request target ${JSON.stringify(req.url)}` });
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    // aiohttp refuses on the declared length, before reading: so do we.
    bodyTooLarge(res, maxBodyBytes, declared);
    req.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  // With a declared length the body is copied once into its final buffer as it arrives, instead
  // of being held in chunks and then concatenated (a 50 MiB upload held twice).
  const into = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req) {
      const piece = chunk as Buffer;
      if (size + piece.length > maxBodyBytes) {
        size += piece.length;
        tooLarge = true;
        break;
      }
      if (into && size + piece.length <= into.length) piece.copy(into, size);
      else chunks.push(piece);
      size += piece.length;
    }
  } catch {
    return; // the client went away mid-body
  }
  if (into && chunks.length === 0) chunks.push(into.subarray(0, size));
  else if (into) chunks.unshift(into.subarray(0, Math.min(size, into.length)));
  if (tooLarge) {
    chunks.length = 0;
    bodyTooLarge(res, maxBodyBytes, `over ${size}`);
    req.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const request: SimRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: endpoint.normalisePath(target.pathname),
    query: target.query,
    headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
  };
  let response: SimResponse;
  try {
    response = await endpoint.handleHttp(request);
  } catch (error) {
    endpoint.recordInternalError('http', error);
    response = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Internal simulator error: ${(error as Error)?.message ?? String(error)}` };
  }
  writeResponse(endpoint, res, response);
}

/** Writes a reply; bodies are sent without copying (a cached `/queue` body goes to every asker as one buffer). */
function writeResponse(endpoint: SimulatorEndpoint, res: ServerResponse, response: SimResponse): void {
  if (res.destroyed || res.headersSent) return;
  const body = response.body ?? '';
  const out = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = wireHeaderValue(value);
  headers['content-length'] = String(out.length);
  try {
    res.writeHead(response.status, headers);
  } catch (error) {
    // A header the handler made that HTTP cannot carry: our bug, not the client's.
    endpoint.recordInternalError('http', error);
    const text = `Internal simulator error: ${(error as Error).message}`;
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  res.end(out);
}
