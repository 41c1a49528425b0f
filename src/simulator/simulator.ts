import { createWriteStream, type WriteStream } from 'node:fs';
import { realClock } from '../protocol/index.ts';
import type { Clock, FaultInput, TraceEvent } from '../protocol/index.ts';
import { allRoutes } from './http/all-routes.ts';
import { matchRoute, type Route } from './http/comfy-routes.ts';
import { textResponse, type SimRequest, type SimResponse } from './http/types.ts';
import { DiskUserFiles, useUserFiles } from './http/user-store.ts';
import type { ResolvedLimits } from './limits.ts';
import { SimulatorCore, type SimulatorCoreOptions } from './simulator-core.ts';
import { traceToJsonLines } from './trace/trace-recorder.ts';
import type { SimulatorEndpoint } from './transport/endpoint.ts';
import { createMemoryTransport, type MemoryTransport } from './transport/memory.ts';
import { listenNetwork, type ListenOptions, type NetworkServer } from './transport/network.ts';
import { readTlsFiles, sharedLoopbackCertificate, type TlsFiles } from './transport/tls-certificate.ts';
import type { UpgradeDecision, UpgradeRequest } from './transport/server-socket.ts';

export interface SimulatorOptions extends Omit<SimulatorCoreOptions, 'clock' | 'onAvailability'> {
  /** [default the real clock; pass a VirtualClock for the memory transport in virtual time] */
  clock?: Clock;
  /** Write the trace as JSON lines to this file while running. */
  traceFile?: string;
  /** Routes tried before the built-in ones (msw's `use`): a test states only how it differs. */
  routes?: Route[];
  /** Routes tried after the built-in ones: a frontend's static files (src/simulator/frontend). */
  fallbackRoutes?: Route[];
  /** Keep the user directory (settings, saved workflows) in this folder instead of in memory. */
  userDir?: string;
}

export interface SimulatorListenOptions extends ListenOptions {
  /**
   * Key and certificate files to serve TLS with (as ComfyUI's `--tls-keyfile`/`--tls-certfile`).
   * A profile whose front is TLS (`gateway-tls`) without them gets the process's loopback test
   * certificate (src/simulator/transport/tls-certificate.ts); its CA is then `server.caFile`.
   */
  tlsFiles?: TlsFiles;
}

/** A listening simulator: with TLS, `caFile` is the certificate clients must trust. */
export interface SimulatorServer extends NetworkServer {
  caFile?: string;
}

/** What {@link Simulator.normalisePath} makes of a path the profile's front does not forward. */
const UNROUTABLE = '/\u0000unroutable';

/** Longest a body is copied into the trace, in characters. */
const TRACE_BODY_LIMIT = 8192;

/**
 * A scriptable fake ComfyUI: 0.3.64 by default, another release or front with `profile`
 * (src/simulator/profiles). Faithful by default; misbehaves as its fault schedule says.
 *
 * ```ts
 * const sim = new Simulator({ faults: [{ type: 'terminate', at: { on: 'message', type: 'executed' } }] });
 * const { url } = await sim.listen();           // network transport on 127.0.0.1
 * const mem = sim.memoryTransport();            // or in-process, with a VirtualClock
 * ```
 */
export class Simulator implements SimulatorEndpoint {
  readonly core: SimulatorCore;
  readonly clock: Clock;
  private readonly routes: Route[];
  private network: NetworkServer | null = null;
  private readonly hangs = new Set<(r: SimResponse) => void>();
  private started = false;
  private traceStream: WriteStream | null = null;

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.routes = [...(options.routes ?? []), ...allRoutes, ...(options.fallbackRoutes ?? [])];
    this.core = new SimulatorCore({
      ...options,
      clock: this.clock,
      onAvailability: async (up) => {
        if (!this.network) return;
        if (up) await this.network.resume();
        else await this.network.suspend();
      },
    });
    if (options.userDir) useUserFiles(this.core, new DiskUserFiles(options.userDir));
    if (options.traceFile) {
      // A buffered stream: one synchronous append per event would cost more than the send itself.
      const stream = createWriteStream(options.traceFile);
      this.traceStream = stream;
      this.core.trace.onEvent((event) => stream.write(JSON.stringify(event) + '\n'));
    }
  }

  /** Every trace event so far. */
  get trace(): readonly TraceEvent[] {
    return this.core.trace.events;
  }

  traceJsonLines(): string {
    return traceToJsonLines(this.core.trace.events);
  }

  /** Starts the schedule's time triggers when the simulator was made with `holdTimeFaults`, counting from now. */
  startTimeFaults(): void {
    this.ensureStarted();
    this.core.startTimeFaults();
  }

  /** Adds a fault while running; it fires on its trigger. */
  inject(fault: FaultInput): void {
    this.core.injector.add(fault);
  }

  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    this.core.start();
  }

  /** The in-process transport: no port, deliveries on the simulator's clock. */
  memoryTransport(baseUrl?: string): MemoryTransport {
    this.ensureStarted();
    return createMemoryTransport(this, baseUrl);
  }

  /** Starts the HTTP + WebSocket server (HTTPS + WSS with TLS files or a TLS profile); binds 127.0.0.1 unless told otherwise. */
  async listen(options: SimulatorListenOptions = {}): Promise<SimulatorServer> {
    if (this.network) throw new Error('Simulator.listen: already listening on ' + this.network.url);
    const { tlsFiles, ...listen } = options;
    const files = tlsFiles ?? (this.core.profile.front.tls && !listen.tls ? await sharedLoopbackCertificate() : undefined);
    if (files) listen.tls = readTlsFiles(files);
    const network: SimulatorServer = await listenNetwork(this, listen);
    if (files) network.caFile = files.caFile;
    this.network = network;
    this.ensureStarted();
    return network;
  }

  get url(): string | undefined {
    return this.network?.url;
  }

  async close(): Promise<void> {
    this.core.stop();
    for (const resolve of this.hangs) resolve(textResponse('simulator closed', 503));
    this.hangs.clear();
    await this.network?.close();
    this.network = null;
    const stream = this.traceStream;
    this.traceStream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
  }

  // --- SimulatorEndpoint ---------------------------------------------------------------------

  isUp(): boolean {
    return this.core.isUp();
  }

  get limits(): ResolvedLimits {
    return this.core.limits;
  }

  recordInternalError(where: string, error: unknown): void {
    this.core.recordInternalError(where, error);
  }

  recordNote(message: string): void {
    try {
      this.core.trace.record({ kind: 'note', message });
    } catch {
      // A note is best effort.
    }
  }

  /**
   * The route a request path names: ComfyUI serves every route at `<path>` and `/api<path>`; the
   * jobs API is registered at `/api/jobs` itself (so it is also at `/api/api/jobs`, and `/jobs` is
   * nothing). A profile's front (a proxy under a prefix, `/api` only) is taken off first; a path
   * the front does not forward becomes {@link UNROUTABLE}, which no route matches.
   */
  normalisePath(path: string): string {
    const { prefix, apiOnly } = this.core.profile.front;
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return UNROUTABLE;
      path = path.slice(prefix.length) || '/';
    }
    if (path === '/api') return '/';
    if (path === '/api/jobs' || path.startsWith('/api/jobs/')) return path;
    if (path.startsWith('/api/')) return path.slice(4);
    return apiOnly ? UNROUTABLE : path;
  }

  handleUpgrade(request: UpgradeRequest): UpgradeDecision {
    if (request.path !== '/ws') return { accept: false, status: 404, reason: 'Not Found' };
    const clientId = request.query.get('clientId');
    const refusal = this.core.upgradeRefusal();
    if (refusal !== null || !this.core.isUp()) {
      const status = refusal ?? 503;
      this.core.trace.record({ kind: 'ws_refused', status, clientId });
      return { accept: false, status, reason: 'Service Unavailable' };
    }
    return { accept: true, attach: (socket) => this.core.hub.attach(clientId && clientId.length ? clientId : null, socket) };
  }

  async handleHttp(request: SimRequest): Promise<SimResponse> {
    const override = this.core.injector.onRequest(request.method, request.path);
    let response: SimResponse;
    let fault: string | undefined;
    if (override?.fault.type === 'http_status') {
      fault = `http_status ${override.fault.status}`;
      response = textResponse(`${override.fault.status}: simulated failure (comfy-chaos fault)`, override.fault.status);
    } else if (override?.fault.type === 'http_hang') {
      fault = 'http_hang';
      // Said when it is taken (its http line comes only when it is let go, at the end): the fault
      // hurts until then, so a run is not judged over while a client still waits on one.
      this.core.trace.record({ kind: 'note', message: `http_hang: holding ${request.method} ${request.path} until the run ends` });
      response = await new Promise<SimResponse>((resolve) => this.hangs.add(resolve));
    } else {
      if (override?.fault.type === 'http_delay') {
        fault = `http_delay ${override.fault.delayMs}ms`;
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, (override.fault as { delayMs: number }).delayMs));
      }
      response = await this.route(request);
    }
    this.core.trace.record({
      kind: 'http',
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      status: response.status,
      request: bodyForTrace(request.body, request.headers['content-type']),
      response: bodyForTrace(response.body, response.headers?.['content-type']),
      ...(fault ? { fault } : {}),
    });
    return response;
  }

  private async route(request: SimRequest): Promise<SimResponse> {
    for (const { route, param } of matchRoute(this.routes, request.method, request.path)) {
      const response = await route.handle(request, param, this.core);
      if (response) return response;
    }
    // 405 only when another method has the path: a route that fell through (a profile without it) is a 404.
    const known = this.routes.some((r) => r.method !== request.method && matchRoute([{ ...r, method: request.method }], request.method, request.path).length);
    return known ? textResponse('405: Method Not Allowed', 405) : textResponse('404: Not Found', 404);
  }
}

function bodyForTrace(body: string | Uint8Array | undefined, contentType: string | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  let text: string;
  if (typeof body === 'string') text = body;
  else if (contentType !== undefined && !/json|text/.test(contentType)) return `<${body.length} bytes ${contentType}>`;
  else {
    // Decode only what the trace keeps: a /queue body of 8 MiB is not decoded whole per request.
    const head = body.length > TRACE_BODY_LIMIT * 4 ? body.subarray(0, TRACE_BODY_LIMIT * 4) : body;
    try {
      text = new TextDecoder('utf-8', { fatal: head === body }).decode(head);
    } catch {
      return `<${body.length} bytes binary>`;
    }
    if (head !== body) return text.slice(0, TRACE_BODY_LIMIT) + '…';
  }
  return text.length > TRACE_BODY_LIMIT ? text.slice(0, TRACE_BODY_LIMIT) + '…' : text;
}
