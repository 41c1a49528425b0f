import { describe, expect, it } from 'vitest';
import type { FaultInput, TraceEvent } from '../../../src/protocol/index.ts';
import { postPromptOk } from '../../../src/protocol/index.ts';
import { failingGraph, sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';
import { startSim, type TransportKind } from '../../helpers/sim-fixture.ts';

const schedule: FaultInput[] = [
  { type: 'duplicate', at: { on: 'message', type: 'progress', prompt: 1, occurrence: 2 } },
  { type: 'bom', at: { on: 'message', type: 'executed', prompt: 1 } },
  { type: 'drop', at: { on: 'message', type: 'execution_success', prompt: 3 } },
  { type: 'unknown_type', at: { on: 'frames', count: 20 } },
];

/** The trace without wall time, run time, and the timestamps inside frames. */
function comparable(events: readonly TraceEvent[]): unknown[] {
  return events.map((e) => {
    const { t: _t, wall: _wall, ...rest } = e as TraceEvent & Record<string, unknown>;
    return JSON.parse(JSON.stringify(rest).replace(/\\"timestamp\\": ?\d+/g, '\\"timestamp\\":0'));
  });
}

async function run(kind: TransportKind, seed: number): Promise<unknown[]> {
  const fx = await startSim(kind, { seed, faults: schedule });
  try {
    const sock = fx.connect('det');
    await fx.waitUntil(() => sock.frames.length > 0);
    for (const prompt of [txt2imgGraph({ steps: 3 }), failingGraph(), sleepGraph(200, 4)]) {
      const res = await fx.postJson('/prompt', { prompt, client_id: 'det' });
      const promptId = postPromptOk.parse(res.body).prompt_id;
      await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written' && e.promptId === promptId));
      await fx.waitUntil(() => sock.texts().some((t) => t.includes(`"node": null, "prompt_id": "${promptId}"`)));
      await fx.getJson(`/history/${promptId}`);
    }
    return comparable(fx.sim.trace);
  } finally {
    await fx.close();
  }
}

describe('determinism', () => {
  it('gives the same trace for the same workload, schedule and seed, on both transports', async () => {
    const memoryA = await run('memory', 7);
    const memoryB = await run('memory', 7);
    const network = await run('network', 7);
    expect(memoryA.length).toBeGreaterThan(50);
    expect(memoryB).toEqual(memoryA);
    expect(network).toEqual(memoryA);
  });

  it('gives different prompt ids for another seed', async () => {
    const a = JSON.stringify(await run('memory', 7));
    const b = JSON.stringify(await run('memory', 8));
    expect(a).not.toEqual(b);
  });
});
