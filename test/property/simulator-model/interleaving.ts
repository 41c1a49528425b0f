import fc from 'fast-check';
import { expect } from 'vitest';
import { flushMicrotasks, historyReply, parseServerMessage, VirtualClock } from '../../../src/protocol/index.ts';
import type { ApiPrompt } from '../../../src/protocol/index.ts';
import { Simulator } from '../../../src/simulator/index.ts';
import { failingGraph, sleepGraph } from '../../helpers/graphs.ts';

/**
 * The client's view of one connection and a few POST /prompt calls, with fast-check's scheduler
 * deciding when each reply, each WebSocket frame (in order) and each GET /history/{id} poll
 * reaches the client, and when virtual time moves. On loopback the reply always wins (§7); under
 * load the frames of a prompt can come first (§2), and that is the case this explores.
 */
export interface InterleavingCase {
  s: fc.Scheduler;
  submits: Array<{ graph: 'short' | 'fail'; withId: boolean }>;
  tickMs: number;
  pickupMs: number;
  /** ComfyUI#11540: history written this long after success (0: with it, as normal). */
  historyLateMs: number;
}

/** Counted across runs: the property is pointless unless the race really happens. */
export const interleavingStats = { framesBeforeReply: 0 };

/** Scheduler steps before a run gives up (each is one released task or one clock tick). */
const MAX_STEPS = 4000;

export function interleavingArbitrary(): fc.Arbitrary<InterleavingCase> {
  return fc.record({
    s: fc.scheduler(),
    submits: fc.array(fc.record({ graph: fc.constantFrom<'short' | 'fail'>('short', 'short', 'fail'), withId: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    tickMs: fc.constantFrom(1, 7, 30),
    pickupMs: fc.constantFrom(0, 20),
    historyLateMs: fc.constantFrom(0, 0, 40),
  });
}

function graphFor(key: 'short' | 'fail'): ApiPrompt {
  // Two 'short' in a row make the second a cached rerun that ends at the instant it starts.
  return key === 'short' ? sleepGraph(30, 3, 's') : failingGraph();
}

interface Poll {
  promptId: string;
  /** The client had seen executing{node:null} for the prompt when it asked. */
  sawEnd: boolean;
  /** The trace had history_written for the prompt when it asked. */
  written: boolean;
  found: boolean;
}

export async function checkInterleavedSubmits(c: InterleavingCase): Promise<void> {
  const clock = new VirtualClock();
  const sim = new Simulator({
    clock,
    seed: 3,
    timing: { pickupMs: c.pickupMs },
    faults: c.historyLateMs > 0 ? [{ type: 'history_late', at: { on: 'time', afterMs: 0 }, delayMs: c.historyLateMs }] : [],
  });
  const mem = sim.memoryTransport();
  const { s } = c;
  const frames: Array<{ type: string; data: Record<string, unknown> }> = [];
  const inbox: string[] = [];
  const replies = new Map<number, { prompt_id: string; number: number }>();
  const ended = new Set<string>();
  const done = new Set<string>();
  const polls: Poll[] = [];
  let tickDue = false;

  const written = (id: string) => sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written' && e.promptId === id);
  const poll = (promptId: string) => {
    void s.schedule(Promise.resolve(), `poll ${promptId}`).then(async () => {
      const record: Poll = { promptId, sawEnd: ended.has(promptId), written: written(promptId), found: false };
      const res = await mem.fetch(`${mem.baseUrl}/history/${promptId}`);
      const body = historyReply.parse(await res.json());
      record.found = promptId in body;
      polls.push(record);
      if (record.sawEnd && record.found) done.add(promptId);
      else poll(promptId);
    });
  };

  const ws = mem.webSocketFactory('ws://memory/ws?clientId=c1');
  ws.onmessage = (event) => {
    inbox.push(event.data as string);
    // One task per frame, but each delivers the oldest frame: a socket stays FIFO.
    void s.schedule(Promise.resolve(), 'frame').then(() => {
      const parsed = parseServerMessage(JSON.parse(inbox.shift()!));
      if (!parsed.ok) throw new Error(`frame does not match its schema: ${parsed.error}`);
      const message = parsed.message as { type: string; data: Record<string, unknown> };
      frames.push(message);
      const promptId = message.data?.prompt_id;
      if (typeof promptId !== 'string') return;
      if (![...replies.values()].some((r) => r.prompt_id === promptId)) interleavingStats.framesBeforeReply++;
      if (message.type === 'executing' && message.data.node === null) ended.add(promptId);
    });
  };
  await clock.advanceBy(0);

  const givenIds = c.submits.map((x, i) => (x.withId ? `given-${i}` : null));
  c.submits.forEach((x, i) => {
    const body = { prompt: graphFor(x.graph), client_id: 'c1', ...(givenIds[i] ? { prompt_id: givenIds[i] } : {}) };
    const reply = mem.fetch(`${mem.baseUrl}/prompt`, { method: 'POST', body: JSON.stringify(body) }).then(async (res) => {
      expect(res.status).toBe(200);
      return (await res.json()) as { prompt_id: string; number: number };
    });
    void s.schedule(reply, `reply ${i}`).then((r) => {
      replies.set(i, r);
      if (!givenIds[i]) poll(r.prompt_id);
    });
    // A client that made its own prompt_id can ask for history before the reply.
    if (givenIds[i]) poll(givenIds[i]!);
  });
  const tick = () => void s.schedule(Promise.resolve(), 'tick').then(() => (tickDue = true));
  tick();

  try {
    let steps = 0;
    for (; steps < MAX_STEPS && !(replies.size === c.submits.length && done.size === c.submits.length); steps++) {
      await s.waitNext(1);
      await flushMicrotasks();
      if (tickDue) {
        tickDue = false;
        await clock.advanceBy(c.tickMs);
        tick();
      }
    }
    expect(steps, `the run did not settle in ${MAX_STEPS} steps; replies ${replies.size}, done ${[...done].join(',')}`).toBeLessThan(MAX_STEPS);

    // The reply and the frames agree: same ids, and the number is the queue's (history's) number.
    const ids = c.submits.map((_, i) => replies.get(i)!.prompt_id);
    c.submits.forEach((_, i) => {
      expect(replies.get(i)!.number, `reply ${i} number: one per POST, in order`).toBe(i);
      if (givenIds[i]) expect(ids[i]).toBe(givenIds[i]);
    });
    const frameIds = new Set(frames.map((f) => f.data?.prompt_id).filter((x): x is string => typeof x === 'string'));
    expect([...frameIds].sort(), 'prompt ids in frames').toEqual([...new Set(ids)].sort());
    for (const [i, id] of ids.entries()) {
      const entry = historyReply.parse(await (await mem.fetch(`${mem.baseUrl}/history/${id}`)).json())[id]!;
      expect([entry.prompt[0], entry.prompt[1]], `history of reply ${i}`).toEqual([i, id]);
      const mine = frames.filter((f) => f.data?.prompt_id === id).map((f) => f.type);
      expect(mine[0], `first frame of ${id}`).toBe('execution_start');
      expect(mine.slice(-2), `last frames of ${id}`).toEqual([c.submits[i]!.graph === 'fail' ? 'execution_error' : 'execution_success', 'executing']);
    }
    // History: guaranteed once executing{node:null} was seen (§5), even under the #11540 race,
    // where executing{node:null} waits for task_done; the HTTP answer matches the trace's history_written.
    for (const p of polls) {
      expect(p.found, `GET /history/${p.promptId} vs history_written in the trace`).toBe(p.written);
      if (p.sawEnd) expect(p.found, `GET /history/${p.promptId} after executing{node:null}`).toBe(true);
    }
  } finally {
    await sim.close();
  }
}
