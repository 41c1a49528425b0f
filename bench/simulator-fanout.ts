/**
 * Fan-out throughput of the simulator to 1,000 WebSocket clients on 127.0.0.1, against a bare
 * `ws` server sending the same frames in the same run (issue 2, "bench/").
 *
 *   node --expose-gc --import tsx bench/simulator-fanout.ts
 *   BENCH_CLIENTS=1000 BENCH_MESSAGES=200 BENCH_TRIALS=7 (defaults)
 *
 * How it measures:
 * - Servers run in this process; the clients (`ws` package) run in one child process per server
 *   (`fanout-clients.ts`), so parsing 1,000 sockets' frames does not steal the server's event loop.
 *   The server-side figure is therefore what one server process can push, as with a real ComfyUI.
 * - Three servers are connected at once and trials are interleaved (bare, sim, sim without trace,
 *   bare, ...) so machine drift hits all of them alike.
 * - One trial broadcasts BENCH_MESSAGES messages (alternating `progress` and `progress_state`, as a
 *   sampler step sends them to a prompt without client_id) to every socket, in batches of 10
 *   messages with a turn of the event loop between batches. The simulator broadcasts with
 *   `sim.core.hub.emit(message, null)` (the same path as the executor); the bare server encodes the
 *   same message with the same encoder and loops over `wss.clients`. Frames and bytes are equal.
 * - frames/s = frames received by all clients / (first send -> last frame received, reported by
 *   the child over IPC). "send loop" is the synchronous time spent inside the broadcast calls.
 *   Wall figures move with whatever else the machine runs; frames per server-CPU-second
 *   (process.cpuUsage of this process, kernel writev and GC included) is the steadier comparison,
 *   and "send path without sockets" isolates the simulator's own cost per frame per socket.
 * - Memory per connection: RSS and heap of this process after a forced gc, before and after a
 *   server's 1,000 connections are open and greeted, divided by the number of connections.
 *
 * File descriptors: 1,000 connections are 1,000 fds on each side; with three servers connected at
 * once this process holds ~3,000 and each child ~1,000. The bench reads `ulimit -n` (the soft
 * RLIMIT_NOFILE) and refuses to start below what it needs.
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, WebSocket } from 'ws';
import { encodeServerMessage } from '../src/protocol/index.ts';
import { Simulator } from '../src/simulator/index.ts';
import { gcKind, median, memorySnapshot, projectRoot, round, writeReport, type MemorySnapshot } from './bench-report.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 7);
const BATCH = 10;
const TRIAL_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
const TARGET_RATIO = 0.8;

interface Target {
  name: string;
  url: string;
  broadcast(message: { type: string; data: unknown }): void;
  close(): Promise<void>;
}

// --- servers -------------------------------------------------------------------------------------

async function bareServer(): Promise<Target> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  let n = 0;
  wss.on('connection', (ws) => {
    const sid = `bare-${n++}`;
    ws.send(encodeServerMessage({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid } }));
    ws.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    name: 'bare ws',
    url: `ws://127.0.0.1:${port}/ws`,
    broadcast(message) {
      const frame = encodeServerMessage(message);
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function simServer(name: string, keepTrace: boolean): Promise<Target & { sim: Simulator }> {
  const sim = new Simulator({ keepTrace, seed: 7 });
  const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
  return {
    name,
    sim,
    url: `${url.replace(/^http/, 'ws')}/ws`,
    broadcast: (message) => sim.core.hub.emit(message, null),
    close: () => sim.close(),
  };
}

// --- the client child ----------------------------------------------------------------------------

class ClientProcess {
  private readonly child: ChildProcess;
  private waiting: { event: string; resolve: (m: Record<string, unknown>) => void } | null = null;

  constructor() {
    this.child = fork(join(projectRoot, 'bench', 'fanout-clients.ts'), [], {
      execArgv: ['--import', 'tsx'],
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: Record<string, unknown>) => {
      if (this.waiting && m.event === this.waiting.event) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(m);
      }
    });
  }

  /** Sends a command and waits (bounded) for the named event. */
  request(command: Record<string, unknown>, event: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`fanout bench: the client process did not answer "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        event,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.child.send(command);
    });
  }

  /** Registers interest in an event before the action that triggers it. */
  next(event: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`fanout bench: no "${event}" from the client process within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        event,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
    });
  }

  async close(): Promise<void> {
    try {
      await this.request({ cmd: 'close' }, 'closed', 5_000);
    } catch {
      this.child.kill();
    }
  }
}

// --- one trial -----------------------------------------------------------------------------------

function messageOf(k: number): { type: string; data: unknown } {
  const promptId = '4f1c2b3a-0000-4000-8000-00000000beef';
  if (k % 2 === 0) return { type: 'progress', data: { value: k, max: MESSAGES, prompt_id: promptId, node: '3' } };
  return {
    type: 'progress_state',
    data: {
      prompt_id: promptId,
      nodes: {
        '3': {
          value: k,
          max: MESSAGES,
          state: 'running',
          node_id: '3',
          prompt_id: promptId,
          display_node_id: '3',
          parent_node_id: null,
          real_node_id: '3',
        },
      },
    },
  };
}

interface TrialResult {
  frames: number;
  bytes: number;
  ms: number;
  sendLoopMs: number;
  /** User + system CPU of this (server) process during the trial, GC threads included. */
  cpuMs: number;
  framesPerSec: number;
  framesPerCpuSec: number;
  complete: boolean;
}

async function trial(target: Target, clients: ClientProcess, open: number, messages: number): Promise<TrialResult> {
  await clients.request({ cmd: 'expect', frames: messages * open, timeoutMs: TRIAL_TIMEOUT_MS }, 'armed', 5_000);
  const done = clients.next('received', TRIAL_TIMEOUT_MS + 5_000);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let sendLoopMs = 0;
  for (let k = 0; k < messages; k += BATCH) {
    const t = performance.now();
    for (let j = k; j < Math.min(k + BATCH, messages); j++) target.broadcast(messageOf(j));
    sendLoopMs += performance.now() - t;
    await new Promise((r) => setImmediate(r));
  }
  const result = await done;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const frames = result.frames as number;
  return {
    frames,
    bytes: result.bytes as number,
    ms,
    sendLoopMs,
    cpuMs,
    framesPerSec: (frames / ms) * 1000,
    framesPerCpuSec: (frames / cpuMs) * 1000,
    complete: result.complete as boolean,
  };
}

// --- the hub alone --------------------------------------------------------------------------------

/**
 * The simulator's own cost per delivered frame, without sockets: 1,000 no-op sockets attached to
 * the hub, broadcasts timed in a loop. Loopback figures are dominated by the kernel's writev and
 * by whatever else the machine runs; this one is not, so it shows what a change to the send path
 * (socket-hub.ts, trace-recorder.ts) is worth.
 */
async function hubOverhead(keepTrace: boolean): Promise<number> {
  const { VirtualClock } = await import('../src/protocol/index.ts');
  const sim = new Simulator({ keepTrace, clock: new VirtualClock(), seed: 7 });
  sim.memoryTransport();
  const socket = { send: () => undefined, terminate: () => undefined, close: () => undefined, isOpen: true };
  for (let i = 0; i < CLIENTS; i++) sim.core.hub.attach(`hub-${i}`, socket);
  const perFrameUs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let k = 0; k < MESSAGES; k++) sim.core.hub.emit(messageOf(k), null);
    perFrameUs.push(((performance.now() - started) * 1000) / (MESSAGES * CLIENTS));
  }
  await sim.close();
  return median(perFrameUs);
}

// --- main ----------------------------------------------------------------------------------------

function openFileLimit(): number | null {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

function perConnection(before: MemorySnapshot, after: MemorySnapshot, open: number) {
  return {
    rssBytes: Math.round((after.rssBytes - before.rssBytes) / open),
    heapBytes: Math.round((after.heapUsedBytes - before.heapUsedBytes) / open),
    externalBytes: Math.round((after.externalBytes - before.externalBytes) / open),
  };
}

const kb = (bytes: number) => `${round(bytes / 1024, 1)} KiB`;

async function main() {
  const fdLimit = openFileLimit();
  const fdsNeeded = 3 * CLIENTS + 100;
  console.log(`fanout: ${CLIENTS} clients, ${MESSAGES} messages x ${TRIALS} trials, batches of ${BATCH}; gc: ${gcKind}; ulimit -n: ${fdLimit ?? 'unknown'}`);
  if (fdLimit !== null && Number.isFinite(fdLimit) && fdLimit < fdsNeeded) {
    throw new Error(`fanout bench: ulimit -n is ${fdLimit}; this process needs about ${fdsNeeded} fds (raise it with "ulimit -n ${fdsNeeded * 2}")`);
  }

  const builders: Array<() => Promise<Target>> = [
    bareServer,
    () => simServer('simulator', true),
    () => simServer('simulator keepTrace:false', false),
  ];
  const sessions: Array<{ target: Target; clients: ClientProcess; open: number; connectMs: number; memory: ReturnType<typeof perConnection>; trials: TrialResult[] }> = [];
  try {
    for (const build of builders) {
      const clients = new ClientProcess();
      const before = await memorySnapshot();
      const target = await build();
      const connected = await clients.request(
        { cmd: 'connect', url: target.url, count: CLIENTS, concurrency: 50, timeoutMs: CONNECT_TIMEOUT_MS },
        'connected',
        120_000,
      );
      const open = connected.open as number;
      if (open === 0) throw new Error(`fanout bench: no client could connect to ${target.name} (${target.url})`);
      const after = await memorySnapshot();
      const memory = perConnection(before, after, open);
      console.log(
        `${target.name}: ${open} connected (${connected.failed} failed) in ${Math.round(connected.ms as number)} ms; per connection: rss ${kb(memory.rssBytes)}, heap ${kb(memory.heapBytes)}, external ${kb(memory.externalBytes)}`,
      );
      sessions.push({ target, clients, open, connectMs: connected.ms as number, memory, trials: [] });
    }

    // Warm-up: JIT, socket buffers.
    for (const s of sessions) await trial(s.target, s.clients, s.open, Math.min(50, MESSAGES));
    for (let t = 0; t < TRIALS; t++) {
      // Rotate who goes first each round, so no server always follows the same neighbour.
      for (let i = 0; i < sessions.length; i++) {
        const s = sessions[(i + t) % sessions.length]!;
        const r = await trial(s.target, s.clients, s.open, MESSAGES);
        s.trials.push(r);
        console.log(
          `  trial ${t + 1} ${s.target.name}: ${r.frames} frames in ${round(r.ms)} ms = ${Math.round(r.framesPerSec)} frames/s (send loop ${round(r.sendLoopMs)} ms, server cpu ${round(r.cpuMs)} ms)${r.complete ? '' : ' INCOMPLETE'}`,
        );
      }
    }

    const heapAfterTrials = await memorySnapshot();
    console.log(`heap after all trials: ${round(heapAfterTrials.heapUsedBytes / 2 ** 20)} MiB (the default simulator keeps every trace event)`);
    const summary = sessions.map((s) => ({
      name: s.target.name,
      connections: s.open,
      connectMs: Math.round(s.connectMs),
      framesPerSecMedian: Math.round(median(s.trials.map((r) => r.framesPerSec))),
      framesPerSecBest: Math.round(Math.max(...s.trials.map((r) => r.framesPerSec))),
      framesPerCpuSecMedian: Math.round(median(s.trials.map((r) => r.framesPerCpuSec))),
      mbPerSecMedian: round(median(s.trials.map((r) => r.bytes / r.ms / 1000)), 2),
      sendLoopMsMedian: round(median(s.trials.map((r) => r.sendLoopMs))),
      framesPerTrial: s.open * MESSAGES,
      bytesPerFrame: s.trials[0] ? round(s.trials[0].bytes / Math.max(1, s.trials[0].frames), 1) : null,
      allComplete: s.trials.every((r) => r.complete),
      memoryPerConnection: s.memory,
      trials: s.trials.map((r) => ({
        ...r,
        ms: round(r.ms),
        sendLoopMs: round(r.sendLoopMs),
        cpuMs: round(r.cpuMs),
        framesPerSec: Math.round(r.framesPerSec),
        framesPerCpuSec: Math.round(r.framesPerCpuSec),
      })),
    }));
    const bare = summary[0]!;
    const withRatio = summary.map((s) => ({
      ...s,
      ratioToBare: round(s.framesPerSecMedian / bare.framesPerSecMedian, 3),
      ratioToBareBest: round(s.framesPerSecBest / bare.framesPerSecBest, 3),
      cpuRatioToBare: round(s.framesPerCpuSecMedian / bare.framesPerCpuSecMedian, 3),
    }));
    const sim = withRatio[1]!;
    const simNoTrace = withRatio[2]!;

    console.log('');
    for (const s of withRatio) {
      console.log(
        `${s.name.padEnd(26)} median ${String(s.framesPerSecMedian).padStart(7)} frames/s  best ${String(s.framesPerSecBest).padStart(7)} frames/s  ${String(s.mbPerSecMedian).padStart(6)} MB/s  ratio ${s.ratioToBare.toFixed(3)} (best ${s.ratioToBareBest.toFixed(3)})  per server-cpu-s ${s.framesPerCpuSecMedian} (ratio ${s.cpuRatioToBare.toFixed(3)})  send loop ${s.sendLoopMsMedian} ms  mem/conn rss ${kb(s.memoryPerConnection.rssBytes)} heap ${kb(s.memoryPerConnection.heapBytes)}`,
      );
    }
    console.log(`ratio simulator/bare (medians): ${sim.ratioToBare.toFixed(3)}; best-of-${TRIALS}: ${sim.ratioToBareBest.toFixed(3)} (target >= ${TARGET_RATIO}: ${sim.ratioToBare >= TARGET_RATIO ? 'met' : 'NOT met'})`);

    const hubUs = await hubOverhead(true);
    const hubUsNoTrace = await hubOverhead(false);
    console.log(`simulator send path without sockets: ${round(hubUs, 3)} us per frame per socket (keepTrace:false ${round(hubUsNoTrace, 3)} us)`);

    const file = writeReport('simulator-fanout', {
      bench: 'simulator-fanout',
      date: new Date().toISOString(),
      node: process.version,
      clients: CLIENTS,
      messagesPerTrial: MESSAGES,
      trials: TRIALS,
      batch: BATCH,
      clientSide: 'one child process per server (ws package), IPC for counts',
      gc: gcKind,
      heapAfterTrialsBytes: heapAfterTrials.heapUsedBytes,
      openFileLimit: fdLimit,
      targetRatio: TARGET_RATIO,
      ratio: sim.ratioToBare,
      ratioBest: sim.ratioToBareBest,
      cpuRatio: sim.cpuRatioToBare,
      ratioKeepTraceFalse: simNoTrace.ratioToBare,
      hubOverheadUsPerFrame: round(hubUs, 3),
      hubOverheadUsPerFrameKeepTraceFalse: round(hubUsNoTrace, 3),
      met: sim.ratioToBare >= TARGET_RATIO,
      servers: withRatio,
    });
    console.log(`report: ${file}`);
  } finally {
    for (const s of sessions) {
      await s.clients.close();
      await s.target.close();
    }
  }
}

await main();
