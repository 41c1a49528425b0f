import fc from 'fast-check';
import { expect } from 'vitest';
import { graphNodes, graphOf, type GraphKey } from './graphs.ts';
import { checkpoint } from './checkpoint.ts';
import { coverage } from './coverage.ts';
import { PICKUP_MS, type QueueModel, type SocketRef } from './queue-model.ts';
import type { SimWorld } from './sim-world.ts';

/** The model plus the cursor of model events already compared with the trace. */
export interface ModelState {
  m: QueueModel;
  cursor: { events: number };
  labels: number;
}

type Cmd = fc.AsyncCommand<ModelState, SimWorld>;

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const clientIds = ['c1', 'c2'] as const;
const idPool = ['p1', 'p2', 'p3'] as const;

function show(value: unknown): string {
  return value === null || value === undefined ? '-' : JSON.stringify(value);
}

/** POST /prompt: the reply's number and prompt_id follow the counter rules of §4/§7. */
export class Submit implements Cmd {
  constructor(
    readonly graph: GraphKey,
    readonly clientId: string | null,
    readonly front: boolean,
    readonly promptId: string | null,
    readonly number: number | null,
  ) {}
  check({ m }: Readonly<ModelState>): boolean {
    if (this.promptId === null || !m.up) return true;
    // Two pending items with equal (number, prompt_id) make the heap compare dicts (a 500 in ComfyUI): not modelled.
    const number = this.number ?? (this.front ? -m.counter : m.counter) + 0;
    return !m.pending.some((p) => p.promptId === this.promptId && p.number === number);
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    await submitAndCheck(s, r, this.graph, this.clientId, this.front, this.promptId, this.number);
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    const opts = [this.clientId && `client=${this.clientId}`, this.front && 'front', this.promptId && `id=${this.promptId}`, this.number !== null && `number=${this.number}`];
    return `Submit(${[this.graph, ...opts.filter(Boolean)].join(', ')})`;
  }
}

async function submitAndCheck(
  { m }: ModelState,
  r: SimWorld,
  graph: GraphKey,
  clientId: string | null,
  front: boolean,
  promptId: string | null,
  number: number | null,
): Promise<string | null> {
  const body = {
    prompt: graphOf(graph),
    ...(clientId !== null ? { client_id: clientId } : {}),
    ...(front ? { front: true } : {}),
    ...(promptId !== null ? { prompt_id: promptId } : {}),
    ...(number !== null ? { number } : {}),
  };
  const wasUp = m.up;
  const res = await r.request('POST', '/prompt', body);
  if (!wasUp) {
    expect(res.refused, 'POST /prompt while the server is down').toBe(true);
    coverage.refusedWhileDown++;
    return null;
  }
  if (res.refused) throw new Error('POST /prompt refused while the server is up');
  const expected = m.submit(graph, clientId, front, number);
  if (!expected.accepted) {
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({ error: { type: 'prompt_no_outputs' } });
    return null;
  }
  expect(res.status, res.text).toBe(200);
  const reply = res.body as { prompt_id: string; number: number; node_errors: unknown };
  expect(reply.number, 'reply number').toBe(expected.number);
  if (promptId !== null) expect(reply.prompt_id).toBe(promptId);
  else expect(reply.prompt_id, 'a server-made prompt_id is a uuid4').toMatch(UUID4);
  expect(reply.node_errors).toEqual({});
  r.rememberId(reply.prompt_id);
  if (m.history.has(reply.prompt_id)) coverage.historyOverwrites++;
  m.enqueue({ promptId: reply.prompt_id, number: expected.number, clientId, graph });
  return reply.prompt_id;
}

/** The graph of the last successful prompt again, on an idle queue: every node comes from the cache. */
export class CachedRerun implements Cmd {
  constructor(readonly clientId: string | null) {}
  check({ m }: Readonly<ModelState>): boolean {
    return m.up && m.cache !== null && m.running === null && m.pending.length === 0;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const { m } = s;
    const registered = this.clientId === null ? undefined : m.table.get(this.clientId);
    const id = await submitAndCheck(s, r, m.cache!, this.clientId, false, null, null);
    await r.clock.advanceBy(PICKUP_MS);
    m.advanceTo(r.clock.now());
    const run = m.runs.at(-1)!;
    expect(run.prompt.promptId).toBe(id);
    expect(run.cached && run.outcome === 'success', 'the model expects a cached success').toBe(true);
    if (registered?.open) {
      const socket = r.sockets.get(registered.label)!;
      const mine = socket.raw.messages().filter((msg) => (msg.data as { prompt_id?: string } | null)?.prompt_id === id);
      const cached = mine.find((msg) => msg.type === 'execution_cached');
      expect((cached?.data as { nodes: string[] } | undefined)?.nodes.slice().sort(), 'execution_cached lists every node').toEqual(graphNodes);
      expect(mine.filter((msg) => msg.type === 'executing' && (msg.data as { node: unknown }).node !== null), 'no per-node executing').toEqual([]);
      expect(mine.map((msg) => msg.type).slice(-2)).toEqual(['execution_success', 'executing']);
    }
    await checkpoint(m, r, s.cursor);
  }
  toString(): string {
    return `CachedRerun(${this.clientId ?? 'no client'})`;
  }
}

/** POST /interrupt, global or for an id: only the running prompt is affected. */
export class Interrupt implements Cmd {
  constructor(readonly target: 'global' | 'running' | (typeof idPool)[number]) {}
  check(): boolean {
    return true;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const { m } = s;
    const resolved = this.target === 'global' ? null : this.target === 'running' ? (m.running?.prompt.promptId ?? 'nothing-running') : this.target;
    const wasUp = m.up;
    const res = await r.request('POST', '/interrupt', resolved === null ? undefined : { prompt_id: resolved });
    if (!wasUp) {
      expect(res.refused).toBe(true);
    } else {
      expect(res.refused ? 'refused' : res.status).toBe(200);
      m.interrupt(resolved);
    }
    await checkpoint(m, r, s.cursor);
  }
  toString(): string {
    return `Interrupt(${this.target})`;
  }
}

/** POST /queue {delete: [id]}: removes the first pending match only; a running prompt is untouched. */
export class QueueDelete implements Cmd {
  constructor(readonly target: 'running' | 'pending-head' | (typeof idPool)[number]) {}
  check({ m }: Readonly<ModelState>): boolean {
    return m.up;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const { m } = s;
    const resolved =
      this.target === 'running' ? (m.running?.prompt.promptId ?? 'p1') : this.target === 'pending-head' ? (m.observedPendingOrder[0]?.promptId ?? 'p2') : this.target;
    const res = await r.request('POST', '/queue', { delete: [resolved] });
    expect(res.refused ? 'refused' : res.status).toBe(200);
    m.deletePending(resolved);
    await checkpoint(m, r, s.cursor);
  }
  toString(): string {
    return `QueueDelete(${this.target})`;
  }
}

export class QueueClear implements Cmd {
  check({ m }: Readonly<ModelState>): boolean {
    return m.up;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const res = await r.request('POST', '/queue', { clear: true });
    expect(res.refused ? 'refused' : res.status).toBe(200);
    s.m.clearPending();
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return 'QueueClear';
  }
}

/** POST /history {delete: [id]} (target 'latest': the newest entry). */
export class HistoryDelete implements Cmd {
  constructor(readonly target: 'latest' | 'oldest' | (typeof idPool)[number]) {}
  check({ m }: Readonly<ModelState>): boolean {
    return m.up;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const keys = [...s.m.history.keys()];
    const resolved = this.target === 'latest' ? (keys.at(-1) ?? 'p3') : this.target === 'oldest' ? (keys[0] ?? 'p3') : this.target;
    const res = await r.request('POST', '/history', { delete: [resolved] });
    expect(res.refused ? 'refused' : res.status).toBe(200);
    s.m.history.delete(resolved);
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return `HistoryDelete(${this.target})`;
  }
}

export class HistoryClear implements Cmd {
  check({ m }: Readonly<ModelState>): boolean {
    return m.up;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const res = await r.request('POST', '/history', { clear: true });
    expect(res.refused ? 'refused' : res.status).toBe(200);
    s.m.history.clear();
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return 'HistoryClear';
  }
}

/** The process dies for `downMs`; with loseState (what ComfyUI always does) queue, history and counter are gone. */
export class Restart implements Cmd {
  constructor(readonly downMs: number, readonly loseState: boolean) {}
  check({ m }: Readonly<ModelState>): boolean {
    return m.up;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    r.sim.core.restart(this.downMs, this.loseState);
    s.m.restart(this.downMs, this.loseState);
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return `Restart(down ${this.downMs}ms, ${this.loseState ? 'state lost' : 'state kept'})`;
  }
}

/** Opens /ws?clientId: `status` with the sid first, then `executing{node}` (no prompt_id) for the owner of a running prompt. */
export class Connect implements Cmd {
  constructor(readonly clientId: string | null) {}
  check(): boolean {
    return true;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const { m } = s;
    const label = `ws${++s.labels}`;
    const before = r.trace.length;
    const socket = r.open(label, this.clientId);
    await r.flush();
    if (!m.up) {
      expect(socket.raw.opened, 'a socket opens while the server is down').toBe(false);
      expect(socket.raw.closeCode).toBe(1006);
      await checkpoint(m, r, s.cursor);
      return;
    }
    expect(socket.raw.opened, 'socket opened').toBe(true);
    const connect = r.trace.slice(before).find((e) => e.kind === 'ws_connect');
    if (connect?.kind !== 'ws_connect') throw new Error('no ws_connect in the trace');
    socket.conn = connect.conn;
    const sid = connect.sid;
    if (this.clientId !== null) expect(sid).toBe(this.clientId);
    else expect(sid, 'a server-made sid is uuid4().hex').toMatch(/^[0-9a-f]{32}$/);
    const ref: SocketRef = { label, clientId: this.clientId, sid: null, open: true };
    const expected: unknown[] = [{ type: 'status', data: { status: { exec_info: { queue_remaining: m.remaining() } }, sid } }];
    const node = m.running?.prompt.clientId === sid ? m.currentNode() : null;
    if (node !== null) {
      expected.push({ type: 'executing', data: { node } });
      coverage.replays++;
    }
    expect(socket.raw.messages(), 'frames on connect').toEqual(expected);
    m.connect(ref, sid);
    await checkpoint(m, r, s.cursor);
  }
  toString(): string {
    return `Connect(${this.clientId ?? 'no clientId'})`;
  }
}

/** Closes one open socket (the `index`-th open one, counting round). */
export class Disconnect implements Cmd {
  constructor(readonly index: number) {}
  check({ m }: Readonly<ModelState>): boolean {
    return m.sockets.some((x) => x.open);
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    const open = s.m.sockets.filter((x) => x.open);
    const ref = open[this.index % open.length]!;
    await r.flush(); // frames already sent arrive before the close
    r.sockets.get(ref.label)!.raw.close();
    await r.flush();
    s.m.disconnect(ref);
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return `Disconnect(open socket #${this.index})`;
  }
}

/** Lets virtual time pass: the worker picks up, runs and finishes prompts. */
export class AdvanceTime implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(s: ModelState, r: SimWorld): Promise<void> {
    await r.clock.advanceBy(this.ms);
    s.m.advanceTo(r.clock.now());
    await checkpoint(s.m, r, s.cursor);
  }
  toString(): string {
    return `AdvanceTime(${this.ms}ms)`;
  }
}

const graphArb = fc.constantFrom<GraphKey>('sleepA', 'sleepA', 'sleepB', 'sleepB', 'fail', 'invalid');
const clientArb = fc.constantFrom<string | null>(...clientIds, ...clientIds, null);
const advanceArb = fc.constantFrom(1, 5, 10, 20, 25, 40, 50, 99, 100, 150).map((ms) => new AdvanceTime(ms) as Cmd);

/** Every command; an arbitrary listed twice is picked twice as often, so that queues build up and time passes. */
export function commandArbitraries(): Array<fc.Arbitrary<Cmd>> {
  const submit = fc
    .record({
      graph: graphArb,
      clientId: clientArb,
      front: fc.boolean(),
      promptId: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.constantFrom(...idPool), weight: 2 }),
      number: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.constantFrom(-5, 0, 2.5, 7), weight: 1 }),
    })
    .map(({ graph, clientId, front, promptId, number }) => new Submit(graph, clientId, front, promptId, number) as Cmd);
  const connect = clientArb.map((c) => new Connect(c) as Cmd);
  const interrupt = fc.constantFrom<'global' | 'running' | 'p1'>('global', 'running', 'running', 'p1').map((t) => new Interrupt(t) as Cmd);
  return [
    submit,
    submit,
    submit,
    submit,
    clientArb.map((c) => new CachedRerun(c) as Cmd),
    interrupt,
    interrupt,
    fc.constantFrom<'running' | 'pending-head' | 'p1' | 'p2'>('running', 'pending-head', 'p1', 'p2').map((t) => new QueueDelete(t) as Cmd),
    fc.constant(new QueueClear() as Cmd),
    fc.constantFrom<'latest' | 'oldest' | 'p1'>('latest', 'oldest', 'p1').map((t) => new HistoryDelete(t) as Cmd),
    fc.constant(new HistoryClear() as Cmd),
    fc.record({ downMs: fc.constantFrom(1, 20, 100), loseState: fc.boolean() }).map(({ downMs, loseState }) => new Restart(downMs, loseState) as Cmd),
    connect,
    connect,
    fc.nat(5).map((i) => new Disconnect(i) as Cmd),
    advanceArb,
    advanceArb,
    advanceArb,
  ];
}
