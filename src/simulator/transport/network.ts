import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimRequest } from '../http/types.ts';
import type { SimulatorEndpoint } from './endpoint.ts';
import type { ServerSocket } from './server-socket.ts';

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
  /** Largest request body accepted, in bytes [default 110 MiB: above the 100 MiB upload limit] */
  maxBodyBytes?: number;
}

export interface NetworkServer {
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
function reparseWithoutUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!SWITCH_HEADERS.has(req.rawHeaders[i]!.toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}

export async function listenNetwork(endpoint: SimulatorEndpoint, options: ListenOptions = {}): Promise<NetworkServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 110 * 1024 * 1024;
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: INCOMING_FRAME_LIMIT_BYTES, perMessageDeflate: false });

  const server: Server = createServer((req, res) => {
    void serveHttp(endpoint, req, res, maxBodyBytes);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      reparseWithoutUpgrade(server, req, socket, head);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = endpoint.normalisePath(url.pathname);
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const decision = endpoint.handleUpgrade({ path, query: url.searchParams });
    if (!decision.accept) {
      const body = decision.reason;
      socket.end(
        `HTTP/1.1 ${decision.status} ${decision.reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachWs(ws, decision.attach));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const dropAll = () => {
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
  };

  return {
    url: `http://${host}:${port}`,
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

function attachWs(ws: WebSocket, attach: (socket: ServerSocket) => ReturnType<Extract<ReturnType<SimulatorEndpoint['handleUpgrade']>, { accept: true }>['attach']>) {
  const serverSocket: ServerSocket = {
    send: (data) => {
      if (ws.readyState !== ws.OPEN) return;
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
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    handlers.onMessage(isBinary ? new Uint8Array(buffer) : buffer.toString('utf8'));
  });
  ws.on('close', (code) => handlers.onClose(code));
  // A frame over the limit or a protocol error: ws closes the socket itself (1009/1002); nothing else to do.
  ws.on('error', () => undefined);
}

async function serveHttp(endpoint: SimulatorEndpoint, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) {
        tooLarge = true;
        break;
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return; // the client went away mid-body
  }
  if (tooLarge) {
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`Request body larger than ${maxBodyBytes} bytes`);
    req.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const request: SimRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: endpoint.normalisePath(url.pathname),
    query: url.searchParams,
    headers,
    body: new Uint8Array(Buffer.concat(chunks)),
  };
  try {
    const response = await endpoint.handleHttp(request);
    if (res.destroyed) return;
    const body = response.body ?? '';
    const out = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    res.writeHead(response.status, { ...(response.headers ?? {}), 'content-length': String(out.length) });
    res.end(out);
  } catch (error) {
    if (res.destroyed) return;
    const text = `Internal simulator error: ${(error as Error).message}`;
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }
}
