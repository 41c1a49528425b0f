import { describe, expect, it } from 'vitest';
import type { Fault } from '../../../../src/protocol/index.ts';
import { baselineWorkload, jobPhases, scenarioOf, smallerCases, Slots, systematicCases, type HuntCase } from '../../../../src/harness/hunt/index.ts';
import { scenario as scenarioSchema } from '../../../../src/scenarios/scenario.ts';
import { faultTypesByLayer } from '../../../../src/scenarios/arbitraries/index.ts';

const drop = (n: number): Fault => ({ type: 'drop', frames: n, at: { on: 'time', afterMs: 100 * n } }) as Fault;

describe('smallerCases', () => {
  it('tries one fault fewer (never none), then one job fewer', () => {
    const c: HuntCase = { origin: 'random', workload: baselineWorkload(), faults: [drop(1), drop(2), drop(3)], runSeed: 5 };
    const smaller = [...smallerCases(c)];
    expect(smaller.slice(0, 3).map((s) => s.faults.map((f) => (f as { frames: number }).frames))).toEqual([[1, 2], [1, 3], [2, 3]]);
    expect(smaller.slice(3).map((s) => s.workload.jobs.map((j) => j.id))).toEqual([['j1'], ['j2']]);
    expect(smaller.every((s) => s.runSeed === 5)).toBe(true);
    expect([...smallerCases({ ...c, faults: [drop(1)], workload: { ...c.workload, jobs: c.workload.jobs.slice(0, 1) } })]).toEqual([]);
  });
});

describe('systematicCases', () => {
  it('every fault kind of the layers at every phase, as valid scenario files, before any pair', () => {
    const layers = ['frame', 'connection', 'http'] as const;
    const singles: HuntCase[] = [];
    for (const c of systematicCases({ layers, seed: 1 })) {
      if (c.origin === 'workload') continue;
      if (c.origin !== 'single') {
        expect(c.faults).toHaveLength(2);
        break;
      }
      singles.push(c);
    }
    const kinds = new Set(singles.map((c) => c.faults[0]!.type));
    expect([...kinds].sort()).toEqual(layers.flatMap((l) => faultTypesByLayer[l]).sort());
    for (const phase of jobPhases) expect(singles.some((c) => c.phases?.[0] === phase.name)).toBe(true);
    for (const c of singles) expect(() => scenarioSchema.parse(scenarioOf(c))).not.toThrow();
  });
});

describe('Slots', () => {
  it('runs at most its size at once and serves urgent waiters first', async () => {
    const slots = new Slots(1);
    const order: string[] = [];
    await slots.acquire();
    const normal = slots.run(async () => void order.push('normal'));
    const urgent = slots.run(async () => void order.push('urgent'), 'urgent');
    expect(slots.busy).toBe(1);
    slots.release();
    await Promise.all([normal, urgent]);
    expect(order).toEqual(['urgent', 'normal']);
  });
});
