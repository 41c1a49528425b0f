import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, request as httpRequest, Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { realClock, type TraceEvent } from '../../protocol/index.ts';
import { TraceRecorder, traceFrameOf } from '../../simulator/trace/trace-recorder.ts';
import { BodyCapture } from './body-capture.ts';
import { describeFrame, RECORDING_STOPPING, UPSTREAM_DROP, UPSTREAM_FAILURE } from './trace-markers.ts';

export { describeFrame, RECORDING_STOPPING, UPSTREAM_DROP, UPSTREAM_FAILURE };

/*
 *   client ──HTTP──▶ RecordingProxy ──HTTP──▶ ComfyUI (upstream)
 *   client ◀══WS══▶ RecordingProxy ◀══WS══▶ ComfyUI
 *                        │
 *                        ▼ trace.jsonl (the simulator's trace format)
 *
 * The trace reads as the server saw it, like a simulator trace: `ws_send` is a frame the server
 * sent to the client, `ws_recv` one it received, `ws_close.by` who closed first.
 */

export interface RecordingProxyOptions {
  /** The ComfyUI to record, e.g. `http://127.0.0.1:8188` (http or https; a path prefix is kept). */
  upstream: string;
  /** Where clients connect [default '127.0.0.1': loopback only] */
  host?: string;
  /** [default 8189; 0 for an ephemeral port] */
  port?: number;
  /** Write the trace as JSON lines to this file. */
  out?: string;
  /** Keep every event in memory too (`proxy.events`) [default false] */
  keepTrace?: boolean;
  /** Largest part of an HTTP body copied into the trace, in bytes [default 1 MiB]; the rest is forwarded, not kept. */
  maxTraceBodyBytes?: number;
  /**
   * Bytes one side of a WebSocket may have in flight to the other before the proxy stops reading
   * the sender (and frames queued while the client's upgrade completes) [default 16 MiB].
   */
  maxBufferedBytes?: number;
  /** How long `close()` waits for HTTP exchanges in flight, in ms [default 2000] */
  closeGraceMs?: number;
}

export interface RecordingStats {
  http: number;
  connections: number;
  framesFromServer: number;
  framesFromClient: number;
}

/** Request headers that belong to one hop (RFC 9110 section 7.6.1), plus those the proxy sets itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
/** Headers a WebSocket upgrade carries to the upstream (the handshake's own are made by `ws`). */
const WS_FORWARDED = ['cookie', 'authorization', 'origin', 'user-agent'];

/**
 * A transparent HTTP + WebSocket proxy between any ComfyUI client and a real ComfyUI that writes
 * what passes as a trace in the simulator's format (src/protocol/trace.ts), first line a
 * `recording: upstream ...` note. `comfy-chaos import` turns the trace into a scenario.
 *
 * One change to the traffic: `accept-encoding` is not forwarded, so bodies in the trace are text.
 *
 * ```ts
 * const proxy = new RecordingProxy({ upstream: 'http://127.0.0.1:8188', port: 0, out: 'trace.jsonl' });
 * const { url } = await proxy.listen();   // point the client at url
 * await proxy.close();                    // flushes the trace
 * ```
 */
export class RecordingProxy {
  readonly trace: TraceRecorder;
  readonly stats: RecordingStats = { http: 0, connections: 0, framesFromServer: 0, framesFromClient: 0 };
  private readonly upstream: URL;
  private readonly options: Required<Omit<RecordingProxyOptions, 'out' | 'keepTrace' | 'upstream'>>;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 0 });
  private readonly agent: HttpAgent;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<{ client: WebSocket; upstream: WebSocket; ended: Promise<void> }>();
  private readonly pendingUpgrades = new Set<WebSocket>();
  private readonly inFlight = new Set<Promise<void>>();
  private stream: WriteStream | null = null;
  private writeError: Error | null = null;
  private nextConn = 1;
  private closing = false;
  private listening: { url: string; host: string; port: number } | null = null;

  constructor(options: RecordingProxyOptions) {
    let upstream: URL;
    try {
      upstream = new URL(options.upstream);
    } catch {
      throw new TypeError(`RecordingProxy: upstream must be a URL such as http://127.0.0.1:8188 (got "${options.upstream}")`);
    }
    if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
      throw new TypeError(`RecordingProxy: upstream must be http:// or https:// (got "${upstream.protocol}")`);
    }
    this.upstream = upstream;
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8189,
      maxTraceBodyBytes: options.maxTraceBodyBytes ?? 1024 * 1024,
      maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
      closeGraceMs: options.closeGraceMs ?? 2000,
    };
    this.agent = upstream.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.trace = new TraceRecorder(realClock, options.keepTrace ?? false);
    if (options.out) {
      const stream = createWriteStream(options.out);
      stream.on('error', (error) => (this.writeError ??= error));
      this.stream = stream;
      this.trace.onEvent((event) => stream.write(JSON.stringify(event) + '\n'));
    }
    this.server = createServer((req, res) => this.track(this.forwardHttp(req, res)));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.forwardUpgrade(req, socket, head));
  }

  /** Every event so far, when `keepTrace` is on. */
  get events(): readonly TraceEvent[] {
    return this.trace.events;
  }

  async listen(): Promise<{ url: string; host: string; port: number }> {
    if (this.listening) throw new Error(`RecordingProxy.listen: already listening on ${this.listening.url}`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const port = (this.server.address() as AddressInfo).port;
    const host = this.options.host;
    this.listening = { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, host, port };
    this.trace.record({ kind: 'note', message: `recording: upstream ${this.upstream.href.replace(/\/$/, '')}, listen ${this.listening.url}` });
    return this.listening;
  }

  /** Stops accepting, closes every socket (1001 both ways), waits a little for HTTP in flight, and flushes the trace. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // What follows (1001 closes both ways) is the recording ending, not the server: import skips it.
    this.trace.record({ kind: 'note', message: `${RECORDING_STOPPING} closing ${this.links.size} socket(s)` });
    const stopped = new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
    for (const socket of this.pendingUpgrades) socket.terminate();
    const links = [...this.links];
    for (const link of links) {
      link.upstream.close(1001, 'comfy-chaos record stopped');
      link.client.close(1001, 'comfy-chaos record stopped');
    }
    // Close handshakes (a client that was already leaving included) and HTTP in flight end in the trace, within the grace.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.options.closeGraceMs).unref());
    await Promise.race([Promise.all([...this.inFlight, ...links.map((l) => l.ended)]), grace]);
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.agent.destroy();
    await stopped;
    const s = this.stats;
    this.trace.record({
      kind: 'note',
      message: `recording stopped: ${s.http} HTTP exchanges, ${s.connections} sockets, ${s.framesFromServer} frames from the server, ${s.framesFromClient} from clients`,
    });
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    if (this.writeError) throw new Error(`RecordingProxy: could not write the trace: ${this.writeError.message}`);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private upstreamPath(url: string): string {
    const prefix = this.upstream.pathname.replace(/\/$/, '');
    return prefix + (url.startsWith('/') ? url : `/${url}`);
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private forwardHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = (req.method ?? 'GET').toUpperCase();
    const requestBody = new BodyCapture(this.options.maxTraceBodyBytes);
    const headers = forwardedHeaders(req.headers);
    headers.host = this.upstream.host;
    const send = this.upstream.protocol === 'https:' ? httpsRequest : httpRequest;
    const startedAt = Date.now();
    return new Promise<void>((resolve) => {
      const upstreamRequest = send({
        protocol: this.upstream.protocol,
        hostname: this.upstream.hostname,
        port: this.upstream.port || undefined,
        method,
        path: this.upstreamPath(req.url ?? '/'),
        headers,
        agent: this.agent,
      });
      let failed = false;
      const fail = (what: string, error: Error) => {
        if (failed) return;
        failed = true;
        const text = `comfy-chaos record: upstream ${this.upstream.origin} ${what}: ${error.message}`;
        // An HTTP event like any other (import reads it as evidence), marked as the proxy's own answer.
        const answered = !res.headersSent;
        this.stats.http++;
        this.trace.record({
          kind: 'http',
          method,
          path: url.pathname,
          query: url.search.replace(/^\?/, ''),
          status: answered ? 502 : 0,
          request: requestBody.forTrace(req.headers['content-type']),
          ...(answered ? { response: text } : {}),
          fault: `${UPSTREAM_FAILURE} ${what} after ${Date.now() - startedAt} ms: ${error.message}${answered ? '' : ' (the answer had started: the connection was cut)'}`,
        });
        if (answered) {
          res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
          res.end(text);
        } else res.destroy();
        resolve();
      };
      upstreamRequest.on('error', (error) => fail('unreachable', error));
      upstreamRequest.on('response', (upstreamResponse) => {
        const responseBody = new BodyCapture(this.options.maxTraceBodyBytes);
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, forwardedHeaders(upstreamResponse.headers));
        upstreamResponse.on('data', (chunk: Buffer) => responseBody.add(chunk));
        upstreamResponse.pipe(res);
        upstreamResponse.on('error', (error) => fail('broke off the answer', error));
        upstreamResponse.on('end', () => {
          this.stats.http++;
          this.trace.record({
            kind: 'http',
            method,
            path: url.pathname,
            query: url.search.replace(/^\?/, ''),
            status: upstreamResponse.statusCode ?? 0,
            request: requestBody.forTrace(req.headers['content-type']),
            response: responseBody.forTrace(upstreamResponse.headers['content-type']),
          });
          resolve();
        });
      });
      // The client gave up: so does the proxy (a hung /history stays a client-side timeout).
      res.on('close', () => {
        if (!res.writableFinished) {
          failed = true; // the destroy's own error is not the upstream's
          upstreamRequest.destroy();
          resolve();
        }
      });
      req.on('data', (chunk: Buffer) => requestBody.add(chunk));
      req.pipe(upstreamRequest);
    });
  }

  // --- WebSocket -----------------------------------------------------------------------------

  private forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://proxy');
    const clientId = url.searchParams.get('clientId');
    const target = new URL(this.upstreamPath(req.url ?? '/'), this.upstream);
    target.protocol = this.upstream.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string> = {};
    for (const name of WS_FORWARDED) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const protocols = typeof req.headers['sec-websocket-protocol'] === 'string' ? req.headers['sec-websocket-protocol'].split(',').map((p) => p.trim()) : [];
    const upstream = new WebSocket(target, protocols, { headers, perMessageDeflate: false, maxPayload: 0 });
    this.pendingUpgrades.add(upstream);
    // The server speaks first (`status` on connect): hold its frames until the client's upgrade is done.
    const early: Array<{ data: RawData; isBinary: boolean }> = [];
    let earlyBytes = 0;
    const onEarly = (data: RawData, isBinary: boolean) => {
      earlyBytes += rawLength(data);
      if (earlyBytes > this.options.maxBufferedBytes) upstream.terminate();
      else early.push({ data, isBinary });
    };
    upstream.on('message', onEarly);
    socket.on('error', () => upstream.terminate());
    socket.once('close', () => this.pendingUpgrades.has(upstream) && upstream.terminate());
    upstream.once('unexpected-response', (_request, response) => {
      this.pendingUpgrades.delete(upstream);
      const status = response.statusCode ?? 502;
      this.trace.record({ kind: 'ws_refused', status, clientId });
      const reason = response.statusMessage ?? 'Refused';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
      response.resume();
      upstream.terminate();
    });
    const startedAt = Date.now();
    upstream.once('error', (error) => {
      if (!this.pendingUpgrades.delete(upstream)) return;
      // The client sees a refused upgrade: so does the trace, with the proxy's reason beside it.
      this.trace.record({ kind: 'ws_refused', status: 502, clientId });
      this.trace.record({ kind: 'note', message: `${UPSTREAM_FAILURE} WebSocket ${url.pathname} unreachable after ${Date.now() - startedAt} ms: ${error.message} (answered 502)` });
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    upstream.once('open', () => {
      if (!this.pendingUpgrades.delete(upstream)) return;
      this.wss.handleUpgrade(req, socket, head, (client) => {
        upstream.off('message', onEarly);
        this.link(client, upstream, clientId, early);
      });
    });
  }

  private link(client: WebSocket, upstream: WebSocket, clientId: string | null, early: Array<{ data: RawData; isBinary: boolean }>): void {
    const conn = this.nextConn++;
    this.stats.connections++;
    let ended!: () => void;
    const link = { client, upstream, ended: new Promise<void>((resolve) => (ended = resolve)) };
    this.links.add(link);
    // The sid is the clientId when there is one; otherwise the server makes one up (seen in its `status`).
    this.trace.record({ kind: 'ws_connect', conn, clientId, sid: clientId ?? '' });
    let closed = false;
    // Without a close frame, the 'close' events of the two sides can come in either order: the side
    // whose TCP connection ended first is who closed (a client that died is not the server's drop).
    let endedFirst: 'server' | 'client' | undefined;
    for (const [side, ws] of [['client', client], ['server', upstream]] as const) {
      const raw = (ws as unknown as { _socket?: Duplex })._socket;
      raw?.once('end', () => (endedFirst ??= side));
      raw?.once('close', () => (endedFirst ??= side));
    }
    const closedBy = (by: 'server' | 'client', code: number) => {
      if (closed) return;
      closed = true;
      const who = code === 1006 ? (endedFirst ?? by) : by;
      this.trace.record({ kind: 'ws_close', conn, code, by: who });
      // 1006 from the upstream: its TCP connection ended without a close frame (the network, or a server that died).
      if (code === 1006 && who === 'server' && !this.closing) this.trace.record({ kind: 'note', message: `${UPSTREAM_DROP} conn ${conn}: the upstream connection ended without a close frame (1006): the network or the server` });
    };
    let open = 2;
    const oneClosed = () => {
      if (--open > 0) return;
      this.links.delete(link);
      ended();
    };
    const fromServer = this.pipe(upstream, client, (data) => {
      this.stats.framesFromServer++;
      const { msgType, promptId } = describeFrame(data);
      this.trace.record({ kind: 'ws_send', conn, frame: traceFrameOf(data), msgType, promptId });
    });
    const fromClient = this.pipe(client, upstream, (data) => {
      this.stats.framesFromClient++;
      this.trace.record({ kind: 'ws_recv', conn, frame: traceFrameOf(data) });
    });
    for (const { data, isBinary } of early) fromServer(data, isBinary);
    upstream.on('close', (code, reason) => {
      closedBy('server', code);
      passClose(client, code, reason);
      oneClosed();
    });
    client.on('close', (code, reason) => {
      closedBy('client', code);
      passClose(upstream, code, reason);
      oneClosed();
    });
    upstream.on('error', () => undefined); // a close follows; nothing else to do
    client.on('error', () => undefined);
  }

  /** Forwards `from`'s frames to `to`, recording each; stops reading `from` while `to` has too much in flight. */
  private pipe(from: WebSocket, to: WebSocket, record: (data: string | Uint8Array) => void): (data: RawData, isBinary: boolean) => void {
    let inFlight = 0;
    const forward = (raw: RawData, isBinary: boolean) => {
      const buffer = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      const data: string | Uint8Array = isBinary ? new Uint8Array(buffer) : buffer.toString('utf8');
      record(data);
      if (to.readyState !== WebSocket.OPEN) return;
      inFlight += buffer.length;
      if (inFlight > this.options.maxBufferedBytes && !from.isPaused) from.pause();
      to.send(buffer, { binary: isBinary }, () => {
        inFlight -= buffer.length;
        if (from.isPaused && inFlight <= this.options.maxBufferedBytes / 2) from.resume();
      });
    };
    from.on('message', forward);
    return forward;
  }
}

/** Passes a close on: the same code where the protocol allows sending it, otherwise a drop (1006) or a bare close (1005). */
function passClose(socket: WebSocket, code: number, reason: Buffer): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (code === 1006) socket.terminate();
  else if (code === 1005 || code < 1000 || code === 1015) socket.close();
  else socket.close(code, reason);
}

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'accept-encoding') continue;
    out[name] = value;
  }
  return out;
}

function rawLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : Buffer.isBuffer(data) ? data.length : data.byteLength;
}
