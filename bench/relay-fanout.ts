/**
 * Downstream fan-out of the reference relay (issue 7, "Must show"): 1,000 users with one job
 * each; time from upstream completion to each user's delivery (p50/p99), and the relay's memory.
 *
 *   node --import tsx bench/relay-fanout.ts
 *   BENCH_USERS=1000 BENCH_SUBMIT_CONCURRENCY=50 BENCH_SEED=1 (defaults)
 *   STOMP_BROKER_URL=ws://127.0.0.1:15674/ws [STOMP_LOGIN/STOMP_PASSCODE, default guest/guest]
 *     also measures the STOMP downstream (otherwise the report says it was not measured)
 *   BENCH_RELAY_INSPECT=0            no inspector on the relay (no heap-after-gc figures)
 *   BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   extra node flags for the relay
 *
 * How it measures:
 * - Upstream: a Simulator on 127.0.0.1 in this process (keepTrace: false; a trace listener keeps
 *   only each prompt's `success` wall time). Each job is txt2imgGraph with 1 step and its own seed
 *   (so ComfyUI's cache cannot skip it), with timing overrides that make a prompt a few ms:
 *   ComfyUI runs one prompt at a time, so 1,000 default-length prompts would take ~40 min.
 * - The relay: `node clients/relays/reference/relay.mjs` as a real process (COMFY_URL, PORT; no
 *   REFUND_URL; STOMP only when STOMP_BROKER_URL is set), ready on `GET /health` 200.
 * - Users: one real `socket.io-client` connection each (websocket transport, `auth: {clientId}`),
 *   all connected (and their `active_tasks` received, i.e. joined to their room) before the first
 *   submit. Each user POSTs one job to `/api/jobs`, at most BENCH_SUBMIT_CONCURRENCY at a time,
 *   records `Date.now()` when its `imageResult` arrives and acknowledges it. With a broker, each
 *   user also subscribes (`ack: client-individual`) to its STOMP queue and ACKs. The users run in
 *   a child process (this file again, RELAY_FANOUT_ROLE=users, driven over IPC), so parsing 1,000
 *   sockets' frames and the submit burst do not slow the simulator's answers to the relay.
 * - Two phases with the same connected users, one new job per user each:
 *   `submit-while-running`: ComfyUI runs the first jobs while the others are still being
 *   submitted, so early deliveries compete with the submit burst inside the relay;
 *   `queued-burst`: a blocker prompt (sent to ComfyUI directly) holds the worker until every job
 *   is queued, then is interrupted: 1,000 completions back to back and nothing else to do, the
 *   fan-out alone.
 * - Latency = wall(user received imageResult) - wall(simulator recorded the prompt's success).
 *   Three processes, one machine: both are Date.now() (ms resolution). The event-loop delay of the
 *   simulator's and the users' processes is reported next to the figures (it adds to latencies).
 *   Per tenth of the jobs (in completion order) p50 shows whether latency grows with N.
 * - Relay memory from /proc/<pid>/status: VmRSS sampled every 50 ms during each phase (peak);
 *   at quiet moments (ready, all users connected, after each phase +2 s, after every user left
 *   +2 s) VmRSS as found, then a full gc through the relay's inspector (`--inspect` on a free
 *   loopback port) and the V8 heap in use and VmRSS after it; VmHWM (lifetime peak, tsx start-up
 *   included) at the end. RSS as found is what V8 kept; heap after gc is what is live.
 *
 * Benches print figures; nothing here asserts on time. Bounded: a 5-min watchdog, per-phase
 * timeouts; the relay is stopped (SIGTERM, then SIGKILL) and the users' process closes every
 * socket, on every way out. Writes reports/bench/relay-fanout.json.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client as StompClient, type IMessage } from '@stomp/stompjs';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ApiPrompt } from '../src/protocol/index.ts';
import { txt2imgGraph } from '../src/scenarios/graphs.ts';
import { Simulator } from '../src/simulator/index.ts';
import { mulberry32, percentile, projectRoot, round, sleep, writeReport } from './bench-report.ts';

const USERS = intEnv('BENCH_USERS', 1000);
const SUBMIT_CONCURRENCY = Math.max(1, intEnv('BENCH_SUBMIT_CONCURRENCY', 50));
const CONNECT_CONCURRENCY = 100;
const SEED = intEnv('BENCH_SEED', 1);
/** Start the relay with `--inspect` on a free loopback port, to force a gc and read its heap at quiet moments (BENCH_RELAY_INSPECT=0: off). */
const INSPECT = process.env.BENCH_RELAY_INSPECT !== '0';
const STOMP_URL = process.env.STOMP_BROKER_URL?.trim() || undefined;
const STOMP_LOGIN = process.env.STOMP_LOGIN ?? 'guest';
const STOMP_PASSCODE = process.env.STOMP_PASSCODE ?? 'guest';

const WATCHDOG_MS = 5 * 60_000;
const RELAY_READY_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 15_000;
const CONNECT_PHASE_TIMEOUT_MS = 60_000;
const SUBMIT_TIMEOUT_MS = 30_000;
/** After the last submit answer, how long the deliveries may take. */
const DELIVERY_TIMEOUT_MS = 120_000;
/** After every delivery arrived, how long to keep listening for duplicates. */
const DUPLICATE_GRACE_MS = 1000;
const SETTLE_MS = 2000;
const RSS_SAMPLE_MS = 50;
const RELAY_STOP_GRACE_MS = 5000;

/** Fast prompts: ~1 ms per executed node (CheckpointLoader and CLIPTextEncode are cached after the first). */
const TIMING = {
  stepMs: 1,
  pickupMs: 1,
  nodeMs: { CheckpointLoaderSimple: 1, CLIPTextEncode: 0, EmptyLatentImage: 0, KSampler: 1, VAEDecode: 1, SaveImage: 1 },
};

function intEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be an integer >= 1, got ${text}`);
  return n;
}

// --- small utilities -----------------------------------------------------------------------------



async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('freePort: no port');
  return address.port;
}

// --- the relay process ---------------------------------------------------------------------------

interface ProcMemory {
  rssBytes: number;
  hwmBytes: number;
}

/** VmRSS and VmHWM of a process, from /proc (Linux); undefined when unreadable. */
function procMemory(pid: number): ProcMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process in ms (clock ticks assumed 100 Hz, Linux's USER_HZ). */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

class RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  private readonly logLines: string[] = [];
  logLineCount = 0;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(comfyUrl: string, readonly port: number, private readonly inspectPort: number | undefined) {
    const env: NodeJS.ProcessEnv = { ...process.env, COMFY_URL: comfyUrl, PORT: String(port) };
    delete env.REFUND_URL;
    delete env.STOMP_BROKER_URL;
    delete env.STOMP_LOGIN;
    delete env.STOMP_PASSCODE;
    delete env.COMFY_CHAOS_HINTS;
    if (STOMP_URL) Object.assign(env, { STOMP_BROKER_URL: STOMP_URL, STOMP_LOGIN, STOMP_PASSCODE });
    this.url = `http://127.0.0.1:${port}`;
    const nodeArgs = process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    if (inspectPort !== undefined) nodeArgs.push(`--inspect=127.0.0.1:${inspectPort}`);
    this.child = spawn(process.execPath, [...nodeArgs, 'clients/relays/reference/relay.mjs'], { cwd: projectRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.logLineCount++;
        // The first lines (start-up) and the last ones are kept; the report shows them.
        if (this.logLines.length < 20) this.logLines.push(line);
        else {
          this.logLines.push(line);
          if (this.logLines.length > 60) this.logLines.splice(20, 1);
        }
      }
    });
    this.exitPromise = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  log(): string[] {
    return [...this.logLines];
  }

  async waitReady(timeoutMs: number): Promise<number> {
    const started = Date.now();
    let last = '';
    while (Date.now() - started < timeoutMs) {
      if (this.exited) throw new Error(`relay exited during start-up (${JSON.stringify(this.exited)}); log:\n${this.log().join('\n')}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        last = `${res.status} ${await res.text()}`;
        if (res.ok) return Date.now() - started;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw new Error(`relay not ready after ${timeoutMs} ms (last /health: ${last}); log:\n${this.log().join('\n')}`);
  }

  /**
   * Through the relay's inspector: a full gc (HeapProfiler.collectGarbage), then the V8 heap in
   * use (Runtime.getHeapUsage). Undefined without an inspector or when it does not answer.
   */
  async heapAfterGc(): Promise<{ usedBytes: number; totalBytes: number } | undefined> {
    if (this.inspectPort === undefined) return undefined;
    let socket: WebSocket | undefined;
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${this.inspectPort}/json/list`, { signal: AbortSignal.timeout(3000) })).json()) as Array<{ webSocketDebuggerUrl?: string }>;
      const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
      if (!url) return undefined;
      const ws = (socket = new WebSocket(url));
      await withTimeout(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 3000, 'inspector connect');
      let id = 0;
      const call = (method: string) =>
        withTimeout(
          new Promise<Record<string, unknown>>((resolve) => {
            const mine = ++id;
            const onMessage = (data: WebSocket.RawData) => {
              const reply = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
              if (reply.id !== mine) return;
              ws.off('message', onMessage);
              resolve(reply.result ?? {});
            };
            ws.on('message', onMessage);
            ws.send(JSON.stringify({ id: mine, method }));
          }),
          10_000,
          method,
        );
      await call('HeapProfiler.collectGarbage');
      const usage = await call('Runtime.getHeapUsage');
      return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
    } catch {
      return undefined;
    } finally {
      socket?.terminate();
    }
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), RELAY_STOP_GRACE_MS);
    await this.exitPromise;
    clearTimeout(timer);
  }
}

// --- users (a child process: RELAY_FANOUT_ROLE=users) ---------------------------------------------

interface Delivery {
  wall: number;
  promptId: string | undefined;
  urls: number;
}

interface User {
  index: number;
  userId: string;
  clientId: string;
  socket?: Socket;
  stomp?: StompClient;
  promptId?: string;
  submitError?: string;
  socketIo: Delivery[];
  stompDeliveries: Delivery[];
  errors: number;
  disconnects: number;
}

/** What the users process reports per user. */
type UserResult = Omit<User, 'socket' | 'stomp'>;

type UsersCommand = { cmd: 'connect'; relayUrl: string } | { cmd: 'run'; phase: number } | { cmd: 'close' };

interface RunReply {
  event: 'done';
  submitStartWall: number;
  submitMs: number;
  timedOut: boolean;
  users: UserResult[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

function connectSocketIo(relayUrl: string, user: User): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = io(relayUrl, {
      transports: ['websocket'],
      auth: { clientId: user.clientId },
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      timeout: CONNECT_TIMEOUT_MS,
    });
    user.socket = socket;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new Error(`user ${user.index}: no active_tasks within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    // `active_tasks` is sent after the relay put the socket in its room: the user is reachable.
    socket.once('active_tasks', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect_error', (error) => {
      if (settled || socket.active) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`user ${user.index}: connect_error ${error.message}`));
    });
    socket.on('disconnect', () => user.disconnects++);
    socket.on('imageResult', (message: { prompt_id?: string; urls?: unknown[] }, ack?: () => void) => {
      user.socketIo.push({ wall: Date.now(), promptId: message?.prompt_id, urls: Array.isArray(message?.urls) ? message.urls.length : 0 });
      if (typeof ack === 'function') ack();
    });
    socket.on('error', (_message: unknown, ack?: () => void) => {
      user.errors++;
      if (typeof ack === 'function') ack();
    });
  });
}

let receiptCounter = 0;

function connectStomp(url: string, user: User): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new Error(`user ${user.index}: STOMP subscribe not confirmed within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const client = new StompClient({
      webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
      connectHeaders: { login: STOMP_LOGIN, passcode: STOMP_PASSCODE },
      reconnectDelay: 500,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      debug: () => {},
      onConnect: () => {
        const receipt = `bench-sub-${++receiptCounter}`;
        client.watchForReceipt(receipt, () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve();
        });
        client.subscribe(
          `/queue/comfy.user.${user.clientId}`,
          (message: IMessage) => {
            let body: { type?: string; prompt_id?: string; urls?: unknown[] } | undefined;
            try {
              body = JSON.parse(message.body) as typeof body;
            } catch {
              body = undefined;
            }
            if (body?.type === 'imageResult') {
              user.stompDeliveries.push({ wall: Date.now(), promptId: body.prompt_id, urls: Array.isArray(body.urls) ? body.urls.length : 0 });
            }
            message.ack();
          },
          { ack: 'client-individual', receipt },
        );
      },
      onWebSocketClose: () => user.disconnects++,
      onStompError: (frame) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`user ${user.index}: STOMP error ${frame.headers.message ?? frame.body}`));
      },
    });
    user.stomp = client;
    client.activate();
  });
}

async function submit(relayUrl: string, user: User, prompt: unknown): Promise<void> {
  try {
    const res = await fetch(`${relayUrl}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: user.userId, clientId: user.clientId, prompt }),
      signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS),
    });
    const body = (await res.json()) as { prompt_id?: string; error?: string };
    if (res.ok && typeof body.prompt_id === 'string') user.promptId = body.prompt_id;
    else user.submitError = `HTTP ${res.status}: ${body.error ?? JSON.stringify(body)}`;
  } catch (error) {
    user.submitError = error instanceof Error ? error.message : String(error);
  }
}

/** The users process: 1,000 browsers, driven by the parent over IPC. */
async function usersMain(): Promise<void> {
  const send = (message: Record<string, unknown>) => process.send?.(message);
  // Orphaned (the parent died): go too.
  process.on('disconnect', () => process.exit(0));
  const users: User[] = Array.from({ length: USERS }, (_, i) => ({
    index: i,
    userId: `user-${i}`,
    // Fixed per index, so repeated runs reuse the same durable STOMP queues instead of adding 1,000 each time.
    clientId: `bench-fanout-u${String(i).padStart(5, '0')}`,
    socketIo: [],
    stompDeliveries: [],
    errors: 0,
    disconnects: 0,
  }));
  // Every job of the run has its own seed, so ComfyUI's cache never answers one from an earlier one.
  const random = mulberry32(SEED);
  const promptFor = (phase: number, u: User) => txt2imgGraph({ steps: 1, seed: 1 + Math.floor(random() * 2 ** 31), prefix: `fanout_p${phase}_${u.index}` });
  let relayUrl = '';
  const closeAll = async () => {
    for (const u of users) u.socket?.close();
    await Promise.allSettled(users.map((u) => (u.stomp ? withTimeout(u.stomp.deactivate(), 3000, 'STOMP DISCONNECT') : undefined)));
  };
  process.on('message', (command: UsersCommand) => {
    void (async () => {
      try {
        if (command.cmd === 'connect') {
          relayUrl = command.relayUrl;
          const started = Date.now();
          await withTimeout(
            pool(USERS, CONNECT_CONCURRENCY, async (i) => {
              await connectSocketIo(relayUrl, users[i]!);
              if (STOMP_URL) await connectStomp(STOMP_URL, users[i]!);
            }),
            CONNECT_PHASE_TIMEOUT_MS,
            `connecting ${USERS} users`,
          );
          send({ event: 'connected', ms: Date.now() - started, disconnects: users.reduce((n, u) => n + u.disconnects, 0) });
        } else if (command.cmd === 'run') {
          // One job per user per phase: forget the previous phase's.
          for (const u of users) {
            delete u.promptId;
            delete u.submitError;
            u.socketIo = [];
            u.stompDeliveries = [];
            u.errors = 0;
          }
          const prompts = users.map((u) => promptFor(command.phase, u));
          const eld = monitorEventLoopDelay({ resolution: 1 });
          eld.enable();
          const submitStartWall = Date.now();
          await pool(USERS, SUBMIT_CONCURRENCY, (i) => submit(relayUrl, users[i]!, prompts[i]));
          const submitMs = Date.now() - submitStartWall;
          send({ event: 'submitted', ms: submitMs });
          const submitted = users.filter((u) => u.promptId);
          const allIn = (u: User) =>
            u.socketIo.some((d) => d.promptId === u.promptId) && (!STOMP_URL || u.stompDeliveries.some((d) => d.promptId === u.promptId));
          const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
          while (Date.now() < deadline && !submitted.every(allIn)) await sleep(20);
          const timedOut = !submitted.every(allIn);
          await sleep(DUPLICATE_GRACE_MS);
          eld.disable();
          const reply: RunReply = {
            event: 'done',
            submitStartWall,
            submitMs,
            timedOut,
            users: users.map(({ socket: _s, stomp: _t, ...rest }) => rest),
            eventLoopDelayMs: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
          };
          send(reply as unknown as Record<string, unknown>);
        } else if (command.cmd === 'close') {
          await closeAll();
          send({ event: 'closed' });
          process.disconnect();
          setTimeout(() => process.exit(0), 200);
        }
      } catch (error) {
        send({ event: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  send({ event: 'ready' });
}

/** The parent's handle on the users process. */
class UsersProcess {
  readonly child: ChildProcess;
  private readonly inbox: Array<Record<string, unknown>> = [];
  private waiter: (() => void) | undefined;
  exited = false;

  constructor() {
    this.child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      cwd: projectRoot,
      env: { ...process.env, RELAY_FANOUT_ROLE: 'users' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: Record<string, unknown>) => {
      this.inbox.push(m);
      this.waiter?.();
    });
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      this.inbox.push({ event: 'exited', code, signal });
      this.waiter?.();
    });
  }

  /** Sends `command` (if any) and waits for `event`; a `failed` or an exit rejects. */
  async request<T = Record<string, unknown>>(command: UsersCommand | undefined, event: string, timeoutMs: number): Promise<T> {
    if (command) this.child.send(command);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.inbox.shift();
      if (m) {
        if (m.event === event) return m as T;
        if (m.event === 'failed' || m.event === 'exited') throw new Error(`users process: ${JSON.stringify(m)}`);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`users process: no '${event}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request({ cmd: 'close' }, 'closed', 10_000);
    } catch {
      /* killed below */
    }
    if (!this.exited) {
      const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
      await exit;
      clearTimeout(timer);
    }
  }
}

// --- figures -------------------------------------------------------------------------------------

interface DownstreamFigures {
  measured: true;
  delivered: number;
  expected: number;
  missing: number;
  duplicates: number;
  wrongUser: number;
  /** Deliveries naming a prompt this run never submitted (e.g. left in a durable queue by an earlier run). */
  stale: number;
  withoutUrls: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; min: number; mean: number };
  /** p50/p99 per tenth of the jobs, in the order the simulator finished them: does latency grow with N? */
  byDecile: Array<{ decile: number; jobs: number; p50: number; p99: number }>;
}

function figures(users: readonly UserResult[], successWall: ReadonlyMap<string, number>, pick: (u: UserResult) => Delivery[]): DownstreamFigures {
  const owner = new Map<string, number>();
  for (const u of users) if (u.promptId) owner.set(u.promptId, u.index);
  const samples: Array<{ success: number; latency: number }> = [];
  let expected = 0;
  let duplicates = 0;
  let wrongUser = 0;
  let stale = 0;
  let withoutUrls = 0;
  for (const u of users) {
    if (u.promptId) expected++;
    let own = 0;
    for (const d of pick(u)) {
      if (u.promptId !== undefined && d.promptId === u.promptId) {
        own++;
        if (own > 1) {
          duplicates++;
          continue;
        }
        if (d.urls === 0) withoutUrls++;
        const success = successWall.get(u.promptId);
        if (success !== undefined) samples.push({ success, latency: d.wall - success });
      } else if (d.promptId !== undefined && owner.has(d.promptId)) wrongUser++;
      else stale++;
    }
  }
  const latencies = samples.map((s) => s.latency);
  const ordered = [...samples].sort((a, b) => a.success - b.success);
  const byDecile = Array.from({ length: 10 }, (_, d) => {
    const slice = ordered.slice(Math.floor((d * ordered.length) / 10), Math.floor(((d + 1) * ordered.length) / 10)).map((s) => s.latency);
    return { decile: d + 1, jobs: slice.length, p50: percentile(slice, 50), p99: percentile(slice, 99) };
  });
  return {
    measured: true,
    delivered: samples.length,
    expected,
    missing: expected - samples.length,
    duplicates,
    wrongUser,
    stale,
    withoutUrls,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      min: percentile(latencies, 0),
      mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
    },
    byDecile,
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? null : round(bytes / 1024 / 1024, 1));

// --- main ----------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void> | void> = [];
const children: ChildProcess[] = [];

type PhaseName = 'submit-while-running' | 'queued-burst';

const PHASES: Array<{ name: PhaseName; what: string }> = [
  {
    name: 'submit-while-running',
    what: 'users submit (50 at a time) while ComfyUI already runs the first jobs: deliveries compete with the submit burst in the relay',
  },
  {
    name: 'queued-burst',
    what: 'every job is queued behind a blocker prompt (sent to ComfyUI directly), which is interrupted once all submits are answered: 1,000 completions back to back, nothing else for the relay to do',
  },
];

/** The relay's memory at a quiet moment: RSS as found, then heap and RSS after a full gc (through its inspector). */
interface Checkpoint {
  rssMiB: number | null;
  hwmMiB: number | null;
  heapUsedAfterGcMiB: number | null;
  heapTotalAfterGcMiB: number | null;
  rssAfterGcMiB: number | null;
}

interface PhaseResult {
  name: PhaseName;
  what: string;
  socketIo: DownstreamFigures;
  stomp: DownstreamFigures | undefined;
  /** socket.io latency of the jobs that finished before / after the last submit answer. */
  socketIoDuringSubmits: { jobs: number; p50: number; p99: number };
  socketIoAfterSubmits: { jobs: number; p50: number; p99: number };
  submitted: number;
  submitErrors: string[];
  timedOut: boolean;
  submitMs: number;
  firstSubmitToLastDeliveryMs: number;
  upstreamFirstToLastSuccessMs: number;
  relayRssPeakMiB: number | null;
  relayAfter: Checkpoint;
  relayCpuMs: number;
  eventLoopDelayMs: { simulator: { p50: number; p99: number; max: number }; users: { p50: number; p99: number; max: number } };
  userDisconnects: number;
  userErrorMessages: number;
}

/**
 * A prompt of nobody's that holds ComfyUI's single worker for up to 2 min: a chain of SimSleep
 * nodes without steps (the stepMs override would shorten steps), so an interrupt, checked
 * between nodes, ends it within 100 ms.
 */
const BLOCKER_PROMPT_ID = '00000000-0000-4000-8000-00000000b10c';

function blockerGraph(): ApiPrompt {
  const graph: ApiPrompt = {};
  for (let i = 1; i <= 1200; i++) {
    graph[String(i)] = { class_type: 'SimSleep', inputs: { duration_ms: 100, steps: 0, ...(i > 1 ? { value: [String(i - 1), 0] } : { value: 'blocker' }) } };
  }
  graph['0'] = { class_type: 'PreviewAny', inputs: { source: ['1200', 0] } };
  return graph;
}

async function main(): Promise<void> {
  const started = Date.now();

  // Upstream.
  const successWall = new Map<string, number>();
  const promptErrors: string[] = [];
  let blocker: { promptId: string; started: boolean } | undefined;
  const sim = new Simulator({ seed: SEED, keepTrace: false, timing: TIMING });
  sim.core.trace.onEvent((e) => {
    if (e.kind !== 'prompt') return;
    if (blocker && e.promptId === blocker.promptId) {
      if (e.event === 'started') blocker.started = true;
      return;
    }
    if (e.event === 'success') successWall.set(e.promptId, e.wall);
    else if (e.event === 'error' || e.event === 'interrupted' || e.event === 'lost') promptErrors.push(`${e.promptId}: ${e.event}`);
  });
  const net = await sim.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => sim.close());

  // The relay, and the users' process.
  const relay = new RelayProcess(net.url, await freePort(), INSPECT ? await freePort() : undefined);
  const checkpoint = async (): Promise<Checkpoint> => {
    const found = procMemory(relay.pid);
    const heap = await relay.heapAfterGc();
    const after = heap ? procMemory(relay.pid) : undefined;
    return {
      rssMiB: mib(found?.rssBytes),
      hwmMiB: mib(found?.hwmBytes),
      heapUsedAfterGcMiB: mib(heap?.usedBytes),
      heapTotalAfterGcMiB: mib(heap?.totalBytes),
      rssAfterGcMiB: mib(after?.rssBytes),
    };
  };
  children.push(relay.child);
  cleanups.push(() => relay.stop());
  const usersProcess = new UsersProcess();
  children.push(usersProcess.child);
  cleanups.push(() => usersProcess.stop());
  const readyMs = await relay.waitReady(RELAY_READY_TIMEOUT_MS);
  await usersProcess.request(undefined, 'ready', 30_000);
  await sleep(500);
  const memReady = await checkpoint();
  console.log(
    `relay pid ${relay.pid} ready in ${readyMs} ms on ${relay.url} (upstream ${net.url}); RSS ${memReady.rssMiB} MiB; ` +
      `STOMP ${STOMP_URL ? STOMP_URL : 'not measured (STOMP_BROKER_URL unset)'}`,
  );

  // Users, all connected before the first submit.
  const connected = await usersProcess.request<{ ms: number; disconnects: number }>({ cmd: 'connect', relayUrl: relay.url }, 'connected', CONNECT_PHASE_TIMEOUT_MS + 10_000);
  await sleep(SETTLE_MS);
  const memConnected = await checkpoint();
  console.log(`${USERS} users connected in ${connected.ms} ms; relay RSS ${memConnected.rssMiB} MiB`);

  const phases: PhaseResult[] = [];
  for (const [index, phase] of PHASES.entries()) {
    if (phase.name === 'queued-burst') {
      // A long prompt of nobody's that holds ComfyUI's single worker until every job is queued.
      // Its id is chosen here: the worker can take it before the POST's answer is read.
      blocker = { promptId: BLOCKER_PROMPT_ID, started: false };
      const res = await fetch(`${net.url}/prompt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: blockerGraph(), client_id: 'bench-blocker', prompt_id: BLOCKER_PROMPT_ID }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { prompt_id?: string };
      if (!res.ok || body.prompt_id !== BLOCKER_PROMPT_ID) throw new Error(`blocker prompt refused: ${res.status} ${JSON.stringify(body)}`);
      const until = Date.now() + 5000;
      while (!blocker.started && Date.now() < until) await sleep(10);
      if (!blocker.started) throw new Error('blocker prompt did not start within 5 s');
    }
    let rssPeak = 0;
    const sampler = setInterval(() => {
      const m = procMemory(relay.pid);
      if (m && m.rssBytes > rssPeak) rssPeak = m.rssBytes;
    }, RSS_SAMPLE_MS);
    cleanups.push(() => clearInterval(sampler));
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    const cpuBefore = procCpuMs(relay.pid);
    const submittedReply = await usersProcess.request<{ ms: number }>({ cmd: 'run', phase: index }, 'submitted', USERS * SUBMIT_TIMEOUT_MS);
    if (phase.name === 'queued-burst') sim.core.interrupt(blocker!.promptId);
    const run = await usersProcess.request<RunReply>(undefined, 'done', DELIVERY_TIMEOUT_MS + 10_000);
    const relayCpuMs = procCpuMs(relay.pid) - cpuBefore;
    eld.disable();
    clearInterval(sampler);
    await sleep(SETTLE_MS);
    const memAfter = await checkpoint();

    const users = run.users;
    const mine = new Set(users.flatMap((u) => (u.promptId ? [u.promptId] : [])));
    const phaseSuccess = new Map([...successWall].filter(([id]) => mine.has(id)));
    const successes = [...phaseSuccess.values()];
    const lastDelivery = Math.max(run.submitStartWall, ...users.flatMap((u) => [...u.socketIo, ...u.stompDeliveries].map((d) => d.wall)));
    const submitEnd = run.submitStartWall + submittedReply.ms;
    const split = (before: boolean) => {
      const l = users.flatMap((u) => {
        const d = u.socketIo.find((x) => x.promptId === u.promptId);
        const s = u.promptId ? phaseSuccess.get(u.promptId) : undefined;
        return d && s !== undefined && s <= submitEnd === before ? [d.wall - s] : [];
      });
      return { jobs: l.length, p50: percentile(l, 50), p99: percentile(l, 99) };
    };
    phases.push({
      name: phase.name,
      what: phase.what,
      socketIo: figures(users, phaseSuccess, (u) => u.socketIo),
      stomp: STOMP_URL ? figures(users, phaseSuccess, (u) => u.stompDeliveries) : undefined,
      socketIoDuringSubmits: split(true),
      socketIoAfterSubmits: split(false),
      submitted: users.filter((u) => u.promptId).length,
      submitErrors: users.filter((u) => u.submitError).map((u) => `${u.index}: ${u.submitError}`),
      timedOut: run.timedOut,
      submitMs: run.submitMs,
      firstSubmitToLastDeliveryMs: lastDelivery - run.submitStartWall,
      upstreamFirstToLastSuccessMs: successes.length ? Math.max(...successes) - Math.min(...successes) : Number.NaN,
      relayRssPeakMiB: mib(rssPeak),
      relayAfter: memAfter,
      relayCpuMs,
      eventLoopDelayMs: { simulator: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 }, users: run.eventLoopDelayMs },
      userDisconnects: users.reduce((n, u) => n + u.disconnects, 0),
      userErrorMessages: users.reduce((n, u) => n + u.errors, 0),
    });
    console.log(`phase ${phase.name}: done (${phases.at(-1)!.firstSubmitToLastDeliveryMs} ms)`);
  }

  // Everyone leaves.
  await usersProcess.stop();
  await sleep(SETTLE_MS);
  const memAfterDisconnect = await checkpoint();

  // Print.
  const f = (n: number) => (Number.isFinite(n) ? String(round(n, 1)) : 'n/a');
  const rows: Array<[string, string]> = [];
  for (const p of phases) {
    const addDownstream = (name: string, d: DownstreamFigures) => {
      rows.push([`${p.name} ${name}: latency p50 / p95 / p99 / max (ms)`, `${f(d.latencyMs.p50)} / ${f(d.latencyMs.p95)} / ${f(d.latencyMs.p99)} / ${f(d.latencyMs.max)}`]);
      rows.push([`${p.name} ${name}: delivered / users`, `${d.delivered} / ${USERS} (missing ${d.missing}, duplicates ${d.duplicates}, wrong user ${d.wrongUser}, stale ${d.stale}, no urls ${d.withoutUrls})`]);
      rows.push([`${p.name} ${name}: p50 per tenth of jobs (ms)`, d.byDecile.map((b) => f(b.p50)).join(' ')]);
    };
    addDownstream('socket.io', p.socketIo);
    if (p.stomp) addDownstream('stomp', p.stomp);
    const a = p.socketIoDuringSubmits;
    const b = p.socketIoAfterSubmits;
    if (a.jobs > 0) rows.push([`${p.name} socket.io: p50/p99 done during / after submits (ms)`, `${f(a.p50)}/${f(a.p99)} (${a.jobs} jobs) / ${f(b.p50)}/${f(b.p99)} (${b.jobs} jobs)`]);
    rows.push([`${p.name}: submits ok / errors`, `${p.submitted} / ${p.submitErrors.length}`]);
    rows.push([`${p.name}: wall submit all / first submit -> last delivery (ms)`, `${p.submitMs} / ${p.firstSubmitToLastDeliveryMs}${p.timedOut ? ' (TIMED OUT)' : ''}`]);
    rows.push([`${p.name}: upstream first -> last success (ms)`, f(p.upstreamFirstToLastSuccessMs)]);
    rows.push([`${p.name}: relay RSS peak / after (MiB), CPU (ms)`, `${p.relayRssPeakMiB} / ${p.relayAfter.rssMiB}, ${f(p.relayCpuMs)}`]);
    rows.push([
      `${p.name}: event-loop delay p99/max, simulator / users (ms)`,
      `${f(p.eventLoopDelayMs.simulator.p99)}/${f(p.eventLoopDelayMs.simulator.max)} / ${f(p.eventLoopDelayMs.users.p99)}/${f(p.eventLoopDelayMs.users.max)}`,
    ]);
  }
  if (!STOMP_URL) rows.push(['stomp', 'not measured (STOMP_BROKER_URL unset)']);
  rows.push(['connect all users (ms)', String(connected.ms)]);
  rows.push(['upstream prompt errors', String(promptErrors.length)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const points: Array<[string, Checkpoint]> = [
    ['ready', memReady],
    [`${USERS} connected`, memConnected],
    ...phases.map((p) => [`after ${p.name}`, p.relayAfter] as [string, Checkpoint]),
    ['after disconnect', memAfterDisconnect],
  ];
  console.log('');
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  const nameWidth = Math.max('relay memory (MiB)'.length, ...points.map(([n]) => n.length));
  console.log(`\n${'relay memory (MiB)'.padEnd(nameWidth)}${['RSS', ...(INSPECT ? ['heap after gc', 'RSS after gc'] : [])].map((h) => h.padStart(15)).join('')}`);
  for (const [name, c] of points) {
    const cells = [c.rssMiB, ...(INSPECT ? [c.heapUsedAfterGcMiB, c.rssAfterGcMiB] : [])].map((v) => String(v ?? 'n/a').padStart(15));
    console.log(`${name.padEnd(nameWidth)}${cells.join('')}`);
  }
  console.log(`VmHWM (lifetime RSS peak, start-up included) ${memAfterDisconnect.hwmMiB} MiB`);
  for (const p of phases) if (p.submitErrors.length) console.log(`\n${p.name}: first submit errors:\n  ${p.submitErrors.slice(0, 5).join('\n  ')}`);

  const json = (n: number) => (Number.isFinite(n) ? round(n, 2) : null);
  const jsonNumbers = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' ? json(v) : v)));
  const file = writeReport('relay-fanout', {
    bench: 'relay-fanout',
    date: new Date().toISOString(),
    node: process.version,
    definition:
      'latencyMs = Date.now() in the users process when the user received imageResult - wall of the simulator trace event {kind:"prompt",event:"success"} for that prompt; relay memory from /proc/<relay pid>/status',
    parameters: {
      users: USERS,
      submitConcurrency: SUBMIT_CONCURRENCY,
      connectConcurrency: CONNECT_CONCURRENCY,
      seed: SEED,
      job: { graph: 'txt2imgGraph', steps: 1, ownSeedPerUserAndPhase: true },
      simulatorTiming: TIMING,
      relay: 'node clients/relays/reference/relay.mjs (no REFUND_URL)',
      processes: 'simulator in the bench process; relay and users (socket.io-client, fetch) in one process each; one machine',
      stompBrokerUrl: STOMP_URL ?? null,
    },
    phases: jsonNumbers(phases.map((p) => ({ ...p, stomp: p.stomp ?? { measured: false, reason: 'STOMP_BROKER_URL is not set' } }))),
    stompMeasured: Boolean(STOMP_URL),
    upstreamPromptErrors: promptErrors.slice(0, 20),
    wallMs: { relayReady: readyMs, connect: connected.ms, total: Date.now() - started },
    relayMemory: {
      ready: memReady,
      connected: memConnected,
      afterPhases: Object.fromEntries(phases.map((p) => [p.name, p.relayAfter])),
      afterDisconnect: memAfterDisconnect,
      inspector: INSPECT,
      note: 'rssMiB/hwmMiB as found (VmHWM is the lifetime peak, tsx start-up included); then a full gc through the relay inspector, and the V8 heap used and RSS after it',
    },
    relayLogLines: relay.logLineCount,
    relayLog: relay.log(),
    clientDisconnectsBeforeJobs: connected.disconnects,
  });
  console.log(`\nwrote ${file} (${round((Date.now() - started) / 1000, 1)} s)`);
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await withTimeout(Promise.resolve(fn()), 15_000, 'cleanup');
    } catch (error) {
      console.error('relay-fanout: cleanup:', error instanceof Error ? error.message : error);
    }
  }
  cleanups.length = 0;
}

const watchdog = setTimeout(() => {
  console.error(`relay-fanout${process.env.RELAY_FANOUT_ROLE === 'users' ? ' (users)' : ''}: watchdog (${WATCHDOG_MS / 60_000} min) fired`);
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

if (process.env.RELAY_FANOUT_ROLE === 'users') {
  await usersMain();
} else {
  // Last resort: whatever way this process ends, its children do not outlive it.
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  main()
    .then(
      () => 0,
      (error: unknown) => {
        console.error(error);
        return 1;
      },
    )
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    });
}
