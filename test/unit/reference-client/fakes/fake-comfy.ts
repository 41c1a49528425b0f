/**
 * A small scriptable ComfyUI for the reference client's unit tests: an in-memory socket and
 * fetch driven by a VirtualClock. Tests move jobs along by hand (`start`, `step`, `finish`, ...)
 * and break things on purpose (`terminateAll`, `down`, `silent`, `restart`, ...).
 */
import {
  WS_CLOSED,
  WS_CONNECTING,
  WS_OPEN,
  encodeBinaryFrame,
  type BinaryFrame,
  type CloseEventLike,
  type FetchLike,
  type MessageEventLike,
  type RequestInitLike,
  type ResponseLike,
  type VirtualClock,
  type WebSocketFactory,
  type WebSocketLike,
} from '../../../../src/protocol/index.ts';

export class FakeSocket implements WebSocketLike {
  readyState: number = WS_CONNECTING;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onclose: ((event: CloseEventLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  /** Frames reach the client only while this is false (a half-open, deaf socket otherwise). */
  deaf = false;

  constructor(
    readonly url: string,
    readonly clientId: string,
    private readonly server: FakeComfy,
  ) {}

  send(data: string | Uint8Array | ArrayBuffer): void {
    if (this.readyState !== WS_OPEN) throw new Error('not open');
    this.sent.push(typeof data === 'string' ? data : '<binary>');
  }

  close(): void {
    if (this.readyState === WS_CLOSED) return;
    this.readyState = WS_CLOSED;
    this.server.forget(this);
    this.server.later(() => this.onclose?.({ code: 1000, reason: '', wasClean: true }));
  }

  /** Server side: deliver a frame after the link latency. */
  deliver(data: string | Uint8Array): void {
    this.server.later(() => {
      if (this.readyState !== WS_OPEN || this.deaf) return;
      const payload = typeof data === 'string' ? data : data.slice().buffer;
      this.onmessage?.({ data: payload });
    });
  }

  /** Server side: drop without a close frame (1006). */
  terminate(): void {
    if (this.readyState === WS_CLOSED) return;
    this.readyState = WS_CLOSED;
    this.server.forget(this);
    this.server.later(() => this.onclose?.({ code: 1006, reason: '', wasClean: false }));
  }
}

interface FakeJob {
  promptId: string;
  number: number;
  clientId: string;
  prompt: Record<string, unknown>;
}

export interface FakeComfyOptions {
  baseUrl?: string;
  /** One-way delay of every frame and HTTP reply, in virtual ms [default 1]. */
  latencyMs?: number;
}

export class FakeComfy {
  readonly baseUrl: string;
  readonly latencyMs: number;
  /** Every socket ever made, in order. */
  readonly allSockets: FakeSocket[] = [];
  readonly requests: { method: string; path: string }[] = [];
  /** HTTP and upgrades fail (connection refused) while true. */
  down = false;
  /** Upgrades fail while true; HTTP still works. */
  refuseUpgrades = false;
  /** New sockets are accepted but never receive a frame (ComfyUI#16010). */
  deafNewSockets = false;
  /** Answers for the next POST /prompt calls: a status to return instead of queueing, or 'lose-reply' to queue and then fail. */
  postFaults: (number | 'lose-reply')[] = [];
  /** History writes are delayed by this much after `execution_success` (ComfyUI#11540). */
  historyDelayMs = 0;
  /** GET /history answers 500 while > 0 (decremented per request). */
  historyFailures = 0;
  /**
   * Replies that reach the client late: the request is handled when it arrives (a POST queues its
   * prompt, a GET reads the state of that moment) and its reply is delivered `delayMs` later, as
   * over a slow link. Each entry applies to the next `times` requests whose path starts with `path`.
   */
  slowReplies: { method: string; path: string; delayMs: number; times: number }[] = [];
  pending: FakeJob[] = [];
  running: FakeJob | undefined;
  readonly history = new Map<string, unknown>();
  private readonly sockets = new Map<string, FakeSocket>();
  private counter = 0;

  constructor(
    readonly clock: VirtualClock,
    options: FakeComfyOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? 'http://fake-comfy:8188';
    this.latencyMs = options.latencyMs ?? 1;
  }

  later(fn: () => void, delayMs = this.latencyMs): void {
    this.clock.setTimeout(fn, delayMs);
  }

  forget(socket: FakeSocket): void {
    if (this.sockets.get(socket.clientId) === socket) this.sockets.delete(socket.clientId);
  }

  get openSockets(): FakeSocket[] {
    return [...this.sockets.values()];
  }

  socketOf(clientId: string): FakeSocket | undefined {
    return this.sockets.get(clientId);
  }

  readonly webSocketFactory: WebSocketFactory = (url) => {
    const parsed = new URL(url);
    const clientId = parsed.searchParams.get('clientId') ?? '';
    const expected = this.baseUrl.replace(/^http/, 'ws');
    const socket = new FakeSocket(url, clientId, this);
    this.allSockets.push(socket);
    this.later(() => {
      if (socket.readyState !== WS_CONNECTING) return;
      if (this.down || this.refuseUpgrades || !url.startsWith(expected)) {
        socket.readyState = WS_CLOSED;
        socket.onerror?.({});
        socket.onclose?.({ code: 1006, reason: '' });
        return;
      }
      socket.readyState = WS_OPEN;
      socket.deaf = this.deafNewSockets;
      this.sockets.get(clientId)?.terminate();
      this.sockets.set(clientId, socket);
      socket.onopen?.({});
      socket.deliver(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queueRemaining } }, sid: clientId } }));
    });
    return socket;
  };

  readonly fetch: FetchLike = (url, init = {}) =>
    new Promise((resolve, reject) => {
      this.later(() => {
        if (this.down) return reject(new TypeError('fetch failed: connection refused'));
        const slow = this.takeSlowReply(url, init.method ?? 'GET');
        const deliver = (fn: () => void) => (slow ? this.later(fn, slow) : fn());
        try {
          const response = this.route(url, init);
          deliver(() => resolve(response));
        } catch (error) {
          deliver(() => reject(error));
        }
      });
    });

  get queueRemaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  // ---- scripting a job ----

  /** Takes the next pending job (or `promptId`) and starts it. */
  start(promptId?: string): FakeJob {
    const index = promptId ? this.pending.findIndex((j) => j.promptId === promptId) : 0;
    const job = this.pending.splice(index, 1)[0];
    if (!job) throw new Error(`no pending job ${promptId ?? ''}`);
    this.running = job;
    this.toClient(job, 'execution_start', { prompt_id: job.promptId, timestamp: this.clock.now() });
    this.toClient(job, 'execution_cached', { nodes: [], prompt_id: job.promptId, timestamp: this.clock.now() });
    this.toClient(job, 'executing', { node: '3', display_node: '3', prompt_id: job.promptId });
    return job;
  }

  step(value: number, max = 20, node = '3'): void {
    const job = this.mustRun();
    this.toClient(job, 'progress', { value, max, prompt_id: job.promptId, node });
  }

  /** Sends a preview frame to the running job's client. */
  preview(frame: BinaryFrame): void {
    const job = this.mustRun();
    this.sockets.get(job.clientId)?.deliver(encodeBinaryFrame(frame));
  }

  finish(outputs: Record<string, unknown> = { '9': { images: [{ filename: 'out_00001_.png', subfolder: '', type: 'output' }] } }): void {
    const job = this.mustRun();
    for (const [node, output] of Object.entries(outputs)) {
      this.toClient(job, 'executed', { node, display_node: node, output, prompt_id: job.promptId });
    }
    this.toClient(job, 'execution_success', { prompt_id: job.promptId, timestamp: this.clock.now() });
    const write = () => {
      this.history.set(job.promptId, this.entry(job, outputs, 'success', ['execution_success', { prompt_id: job.promptId }]));
      this.running = undefined;
      this.broadcastStatus();
      this.toClient(job, 'executing', { node: null, prompt_id: job.promptId });
    };
    if (this.historyDelayMs > 0) this.later(write, this.historyDelayMs);
    else write();
  }

  fail(message = 'boom\n'): void {
    const job = this.mustRun();
    const data = {
      prompt_id: job.promptId,
      node_id: '3',
      node_type: 'KSampler',
      executed: [],
      exception_message: message,
      exception_type: 'RuntimeError',
      traceback: [],
      current_inputs: {},
      current_outputs: [],
      timestamp: this.clock.now(),
    };
    this.toClient(job, 'execution_error', data);
    this.end(job, 'error', ['execution_error', data]);
  }

  interruptRunning(): void {
    const job = this.mustRun();
    const data = { prompt_id: job.promptId, node_id: '3', node_type: 'KSampler', executed: [], timestamp: this.clock.now() };
    this.toClient(job, 'execution_interrupted', data);
    this.end(job, 'error', ['execution_interrupted', data]);
  }

  // ---- faults ----

  terminateAll(): void {
    for (const socket of this.openSockets) socket.terminate();
  }

  /** Server restart: sockets dropped, queue and history gone. */
  restart(): void {
    this.terminateAll();
    this.pending = [];
    this.running = undefined;
    this.history.clear();
  }

  /** Sends raw data (garbage, heartbeats, anything) to one client or to all. */
  sendRaw(data: string | Uint8Array, clientId?: string): void {
    const targets = clientId ? [this.sockets.get(clientId)] : this.openSockets;
    for (const socket of targets) socket?.deliver(data);
  }

  sendMessage(clientId: string, type: string, data: unknown): void {
    this.sockets.get(clientId)?.deliver(JSON.stringify({ type, data }));
  }

  // ---- internals ----

  private takeSlowReply(url: string, method: string): number | undefined {
    const path = new URL(url).pathname.replace(/^\/api(?=\/)/, '');
    const entry = this.slowReplies.find((e) => e.times > 0 && e.method === method && path.startsWith(e.path));
    if (!entry) return undefined;
    entry.times--;
    return entry.delayMs;
  }

  private mustRun(): FakeJob {
    if (!this.running) throw new Error('no running job');
    return this.running;
  }

  private end(job: FakeJob, status: 'error', last: [string, unknown]): void {
    this.history.set(job.promptId, this.entry(job, {}, status, last));
    this.running = undefined;
    this.broadcastStatus();
    this.toClient(job, 'executing', { node: null, prompt_id: job.promptId });
  }

  private entry(job: FakeJob, outputs: Record<string, unknown>, status: 'success' | 'error', last: [string, unknown]) {
    return {
      prompt: [job.number, job.promptId, job.prompt, { client_id: job.clientId }, ['9']],
      outputs,
      status: {
        status_str: status,
        completed: status === 'success',
        messages: [['execution_start', { prompt_id: job.promptId, timestamp: 1 }], last],
      },
      meta: {},
    };
  }

  private toClient(job: FakeJob, type: string, data: unknown): void {
    this.sockets.get(job.clientId)?.deliver(JSON.stringify({ type, data }));
  }

  private broadcastStatus(): void {
    const frame = JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queueRemaining } } } });
    for (const socket of this.openSockets) socket.deliver(frame);
  }

  private item(job: FakeJob) {
    return [job.number, job.promptId, job.prompt, { client_id: job.clientId }, ['9']];
  }

  private route(url: string, init: RequestInitLike): ResponseLike {
    const parsed = new URL(url);
    if (`${parsed.protocol}//${parsed.host}` !== this.baseUrl) throw new TypeError(`fetch failed: no server at ${parsed.host}`);
    const method = init.method ?? 'GET';
    const path = parsed.pathname.replace(/^\/api(?=\/)/, '');
    this.requests.push({ method, path });
    const body = typeof init.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
    if (method === 'POST' && path === '/prompt') {
      const fault = this.postFaults.shift();
      if (typeof fault === 'number') return reply(fault, { error: 'fault' });
      if (!body?.prompt || Object.keys(body.prompt).length === 0) {
        return reply(400, { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, node_errors: {} });
      }
      const job: FakeJob = { promptId: body.prompt_id ?? `p${this.counter}`, number: this.counter++, clientId: body.client_id ?? '', prompt: body.prompt };
      this.pending.push(job);
      this.broadcastStatus();
      if (fault === 'lose-reply') throw new TypeError('fetch failed: socket hang up');
      return reply(200, { prompt_id: job.promptId, number: job.number, node_errors: {} });
    }
    if (method === 'GET' && path === '/queue') {
      return reply(200, { queue_running: this.running ? [this.item(this.running)] : [], queue_pending: this.pending.map((j) => this.item(j)) });
    }
    if (method === 'GET' && path.startsWith('/history/')) {
      if (this.historyFailures > 0) {
        this.historyFailures--;
        return reply(500, 'Internal Server Error');
      }
      const id = decodeURIComponent(path.slice('/history/'.length));
      return reply(200, this.history.has(id) ? { [id]: this.history.get(id) } : {});
    }
    if (method === 'POST' && path === '/queue') {
      for (const id of (body?.delete ?? []) as string[]) {
        const index = this.pending.findIndex((j) => j.promptId === id);
        if (index >= 0) this.pending.splice(index, 1);
      }
      this.broadcastStatus();
      return reply(200, '');
    }
    if (method === 'POST' && path === '/interrupt') {
      if (this.running && (!body?.prompt_id || body.prompt_id === this.running.promptId)) this.interruptRunning();
      return reply(200, '');
    }
    if (method === 'POST' && path === '/upload/image') {
      const form = init.body as FormData;
      const file = form.get('image') as File;
      return reply(200, { name: file.name, subfolder: '', type: String(form.get('type') ?? 'input') });
    }
    return reply(404, '');
  }
}

function reply(status: number, value: unknown): ResponseLike {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: () => null },
    text: async () => text,
    json: async () => JSON.parse(text),
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
  };
}
