import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/index.ts';
import { HistoryStore } from '../../../src/simulator/engine/history-store.ts';
import { historyResponse } from '../../../src/simulator/http/history-body.ts';
import { queueResponse } from '../../../src/simulator/http/queue-body.ts';
import { Simulator } from '../../../src/simulator/index.ts';
import { sleepGraph } from '../../helpers/graphs.ts';

describe('GET /queue body', () => {
  it('is serialised once per state of the queue: askers of the same state share one buffer', () => {
    const sim = new Simulator({ clock: new VirtualClock() });
    sim.core.acceptPrompt({ prompt: sleepGraph(1000, 1, 'a') });
    const first = queueResponse(sim.core).body;
    expect(queueResponse(sim.core).body).toBe(first);
    sim.core.acceptPrompt({ prompt: sleepGraph(1000, 1, 'b') });
    const second = queueResponse(sim.core).body;
    expect(second).not.toBe(first);
    const parsed = JSON.parse(Buffer.from(second as Uint8Array).toString('utf8'));
    expect(parsed.queue_running).toEqual([]);
    expect(parsed.queue_pending.map((item: unknown[]) => item[1])).toEqual(sim.core.queue.pending.map((p) => p.promptId));
    sim.core.clearPending();
    expect(JSON.parse(Buffer.from(queueResponse(sim.core).body as Uint8Array).toString('utf8'))).toEqual({ queue_running: [], queue_pending: [] });
  });
});

describe('history', () => {
  it('evicts the oldest entries past maxBytes, telling why, and keeps a duplicate id in its place', () => {
    const evicted: string[] = [];
    const history = new HistoryStore(10_000, 100, (id) => evicted.push(id));
    const entry = (id: string) => ({ prompt: [0, id, {}, {}, []], outputs: {}, status: { status_str: 'success', completed: true, messages: [] }, meta: {} }) as never;
    history.write('a', entry('a'), 40);
    history.write('b', entry('b'), 40);
    history.write('a', entry('a'), 50); // replaces a's 40 bytes, stays first
    expect(Object.keys(history.list())).toEqual(['a', 'b']);
    history.write('c', entry('c'), 30); // 50 + 40 + 30 > 100: a goes
    expect(evicted).toEqual(['a']);
    expect(Object.keys(history.list())).toEqual(['b', 'c']);
  });

  it('serialises GET /history once per state and query', () => {
    const sim = new Simulator({ clock: new VirtualClock() });
    const first = historyResponse(sim.core, undefined, undefined).body;
    expect(historyResponse(sim.core, undefined, undefined).body).toBe(first);
    expect(historyResponse(sim.core, 1, undefined).body).not.toBe(first);
    sim.core.history.write('x', { prompt: [0, 'x', {}, {}, []], outputs: {}, status: { status_str: 'success', completed: true, messages: [] }, meta: {} } as never);
    const after = historyResponse(sim.core, undefined, undefined).body;
    expect(Object.keys(JSON.parse(Buffer.from(after as Uint8Array).toString('utf8')))).toEqual(['x']);
  });
});
