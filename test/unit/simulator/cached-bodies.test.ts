import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/index.ts';
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
