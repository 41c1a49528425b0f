import { expect } from 'vitest';
import { parseServerMessage } from '../../../src/protocol/index.ts';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { coverage } from './coverage.ts';
import { graphNodes } from './graphs.ts';
import type { QueueModel } from './queue-model.ts';
import type { SimWorld } from './sim-world.ts';

const TERMINAL_EVENTS = new Set(['success', 'error', 'interrupted', 'lost', 'deleted']);
const RUN_ENDS = new Set(['success', 'error', 'interrupted']);
const TERMINAL_MESSAGES: Record<string, string> = {
  success: 'execution_success',
  error: 'execution_error',
  interrupted: 'execution_interrupted',
};
/** What a prompt without client_id still sends: to every socket (comfyui-protocol.md §2). */
const BROADCAST_TYPES = new Set(['progress', 'progress_state', 'execution_interrupted']);

interface Msg {
  type: string;
  data: Record<string, unknown>;
}

/**
 * End-of-run checks on the whole trace (after the queue drained):
 * - each queued prompt ends in exactly one of success/error/interrupted/lost/deleted, or is still queued;
 * - history_written only after the prompt's terminal event;
 * - a frame with a prompt_id belongs to the running prompt and goes to a socket registered for its
 *   client (any registered socket for a broadcast type of a prompt without client): a message for
 *   a disconnected sid is dropped, not delivered to an old or later socket;
 * - per socket and run: progress never goes down, a cached run has execution_cached with every node
 *   and no per-node executing, one terminal message of the model's outcome, and executing{node:null}
 *   after it;
 * - each socket received exactly the frames the trace says were sent to it.
 */
export function checkTraceInvariants(m: QueueModel, r: SimWorld): void {
  const trace = r.trace;
  const open = new Map<string, number>();
  for (const e of trace) {
    if (e.kind !== 'prompt') continue;
    const key = e.promptId;
    if (e.event === 'queued') open.set(key, (open.get(key) ?? 0) + 1);
    else if (TERMINAL_EVENTS.has(e.event)) {
      const n = open.get(key) ?? 0;
      expect(n, `seq ${e.seq}: ${e.event} ${key} with no queued run left`).toBeGreaterThan(0);
      open.set(key, n - 1);
    }
  }
  const stillQueued = new Map<string, number>();
  for (const p of [...m.pending, ...(m.running ? [m.running.prompt] : [])]) stillQueued.set(p.promptId, (stillQueued.get(p.promptId) ?? 0) + 1);
  for (const [id, n] of open) expect(n, `runs of ${id} that never ended`).toBe(stillQueued.get(id) ?? 0);

  const ended = new Map<string, number>();
  for (const e of trace) {
    if (e.kind !== 'prompt') continue;
    if (RUN_ENDS.has(e.event)) ended.set(e.promptId, (ended.get(e.promptId) ?? 0) + 1);
    if (e.event === 'history_written') {
      const n = ended.get(e.promptId) ?? 0;
      expect(n, `seq ${e.seq}: history_written ${e.promptId} before its terminal event`).toBeGreaterThan(0);
      ended.set(e.promptId, n - 1);
    }
  }

  for (const run of m.runs) {
    coverage.runs++;
    if (run.cached) coverage.cachedRuns++;
    if (run.outcome === 'interrupted') coverage.interrupted++;
    if (run.outcome === 'error') coverage.errors++;
  }
  coverage.deleted += trace.filter((e) => e.kind === 'prompt' && e.event === 'deleted').length;
  coverage.lost += trace.filter((e) => e.kind === 'prompt' && e.event === 'lost').length;
  checkFrames(m, r, trace);
}

function checkFrames(m: QueueModel, r: SimWorld, trace: readonly TraceEvent[]): void {
  const registered = new Map<string, number>();
  const sidOf = new Map<number, string>();
  const sentTo = new Map<number, string[]>();
  const perRun = new Map<string, Msg[]>();
  let runIndex = -1;
  let connAtStart: number | undefined;
  const wholeRun: Array<[number, number]> = [];
  for (const e of trace) {
    if (e.kind === 'ws_connect') {
      registered.set(e.sid, e.conn);
      sidOf.set(e.conn, e.sid);
    } else if (e.kind === 'ws_close') {
      const sid = sidOf.get(e.conn)!;
      if (registered.get(sid) === e.conn) registered.delete(sid);
    } else if (e.kind === 'prompt' && e.event === 'started') {
      runIndex++;
      expect(m.runs[runIndex]?.prompt.promptId, `run ${runIndex} started`).toBe(e.promptId);
      const client = m.runs[runIndex]!.prompt.clientId;
      connAtStart = client === null ? undefined : registered.get(client);
    } else if (e.kind === 'prompt' && RUN_ENDS.has(e.event)) {
      const client = m.runs[runIndex]!.prompt.clientId;
      if (client !== null && connAtStart !== undefined && registered.get(client) === connAtStart) wholeRun.push([runIndex, connAtStart]);
    } else if (e.kind === 'ws_send') {
      const text = 'text' in e.frame ? e.frame.text : '<binary>';
      sentTo.set(e.conn, [...(sentTo.get(e.conn) ?? []), text]);
      if (e.promptId === null) continue;
      const run = m.runs[runIndex];
      const where = `seq ${e.seq} (${e.msgType} to conn ${e.conn})`;
      expect(e.promptId, `${where}: frame of a prompt that is not running`).toBe(run?.prompt.promptId);
      const sid = sidOf.get(e.conn)!;
      expect(registered.get(sid), `${where}: sent to a socket not registered for sid ${sid}`).toBe(e.conn);
      if (run!.prompt.clientId !== null) expect(sid, `${where}: targeted at the wrong sid`).toBe(run!.prompt.clientId);
      else expect(BROADCAST_TYPES.has(e.msgType ?? ''), `${where}: sent for a prompt without client_id`).toBe(true);
      const key = `${e.conn}/${runIndex}`;
      const parsed = parseServerMessage(JSON.parse(text));
      if (!parsed.ok) throw new Error(`${where}: frame does not match its schema: ${parsed.error}`);
      perRun.set(key, [...(perRun.get(key) ?? []), parsed.message as Msg]);
    }
  }

  for (const [key, messages] of perRun) {
    const run = m.runs[Number(key.split('/')[1])]!;
    const where = `conn/run ${key} (${run.prompt.promptId}, ${run.prompt.graph}${run.cached ? ', cached' : ''})`;
    const types = messages.map((x) => x.type);
    const cached = messages.find((x) => x.type === 'execution_cached');
    if (cached) expect((cached.data.nodes as string[]).slice().sort(), `${where}: execution_cached.nodes`).toEqual(run.cached ? graphNodes : []);
    if (run.cached) expect(messages.filter((x) => x.type === 'executing' && x.data.node !== null), `${where}: per-node executing`).toEqual([]);
    const last = new Map<string, number>();
    for (const x of messages) {
      if (x.type !== 'progress') continue;
      const node = String(x.data.node);
      expect(x.data.value as number, `${where}: progress of node ${node} went down`).toBeGreaterThanOrEqual(last.get(node) ?? -Infinity);
      last.set(node, x.data.value as number);
    }
    const terminals = types.map((t, i) => [t, i] as const).filter(([t]) => Object.values(TERMINAL_MESSAGES).includes(t));
    expect(terminals.length, `${where}: terminal messages ${types.join(',')}`).toBeLessThanOrEqual(1);
    if (terminals.length === 1 && run.outcome !== undefined && run.outcome !== 'lost') {
      expect(terminals[0]![0], `${where}: terminal message`).toBe(TERMINAL_MESSAGES[run.outcome]);
    }
    const ends = types.map((t, i) => [t, i] as const).filter(([t], i) => t === 'executing' && messages[i]!.data.node === null);
    expect(ends.length, `${where}: executing{node:null} count`).toBeLessThanOrEqual(1);
    if (ends.length === 1 && terminals.length === 1) {
      expect(terminals[0]![1], `${where}: executing{node:null} before the terminal message`).toBeLessThan(ends[0]![1]);
    }
    if (ends.length === 1) expect(types.slice(-2), `${where}: the run's last messages`).toEqual([terminals[0]?.[0], 'executing']);
  }

  // The client's socket registered from start to end of a run got all of it: nothing is dropped while connected.
  for (const [runIdx, conn] of wholeRun) {
    const run = m.runs[runIdx]!;
    const types = (perRun.get(`${conn}/${runIdx}`) ?? []).map((x) => x.type);
    const where = `run ${runIdx} (${run.prompt.promptId}) on conn ${conn}, registered throughout`;
    coverage.wholeRunSockets++;
    expect(types[0], where).toBe('execution_start');
    expect(types.slice(-2), where).toEqual([TERMINAL_MESSAGES[run.outcome as string], 'executing']);
  }

  for (const [label, socket] of r.sockets) {
    if (socket.conn === null) continue;
    expect(socket.raw.texts(), `frames received by ${label} (conn ${socket.conn})`).toEqual(sentTo.get(socket.conn) ?? []);
  }
}
