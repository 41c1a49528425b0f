import { describe, expect, it } from 'vitest';
import { faultSchedule, type FaultInput } from '../../../src/protocol/index.ts';
import { scenarioLimits } from '../../../src/protocol/scenario-limits.ts';
import { scenario, type ScenarioInput } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const base: ScenarioInput = { id: '9.1', name: 'limits', purpose: 'bounds', jobs: [{ id: 'j1', prompt: sleepGraph(100) }] };

/** The issues of a scenario that must be refused, as `path: message` lines. */
function refusal(input: unknown): string[] {
  const parsed = scenario.safeParse(input);
  expect(parsed.success, 'the scenario was accepted').toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('scenario bounds (issue 11)', () => {
  it('accepts a scenario at the bounds', () => {
    const jobs = Array.from({ length: scenarioLimits.jobs }, (_, i) => ({ id: `j${i}`, prompt: sleepGraph(10) }));
    expect(scenario.safeParse({ ...base, jobs }).success).toBe(true);
  });

  it('refuses more jobs than the bound, naming the bound', () => {
    const jobs = Array.from({ length: scenarioLimits.jobs + 1 }, (_, i) => ({ id: `j${i}`, prompt: sleepGraph(10) }));
    expect(refusal({ ...base, jobs })).toEqual([`jobs: at most ${scenarioLimits.jobs} jobs in one scenario`]);
  });

  it('refuses an oversized fault of 1e9 bytes (it crashed the run with Invalid string length)', () => {
    const faults: FaultInput[] = [{ type: 'oversized', at: { on: 'message', type: 'executed' }, bytes: 1e9 }];
    expect(refusal({ ...base, faults })).toContain('faults.0.bytes: at most 67108864 bytes (64 MiB)');
  });

  it('refuses oversized faults that together exceed the total bound', () => {
    const one: FaultInput = { type: 'oversized', at: { on: 'frames', count: 1 }, bytes: 64 * 1024 * 1024, frames: 5 };
    expect(faultSchedule.safeParse([one]).error?.issues[0]?.message).toMatch(/send 335544320 bytes in all .* at most 268435456/);
    expect(faultSchedule.safeParse([{ ...one, frames: 4 }]).success).toBe(true);
  });

  it('refuses more faults than the bound', () => {
    const faults = Array.from({ length: scenarioLimits.faults + 1 }, () => ({ type: 'terminate', at: { on: 'connect', occurrence: 1 } }));
    expect(refusal({ ...base, faults })).toEqual([`faults: at most ${scenarioLimits.faults} faults in one schedule`]);
  });

  it('refuses submitAtMs: 1e300 (the job was never submitted and the verdict was pass)', () => {
    const lines = refusal({ ...base, jobs: [{ id: 'j1', prompt: sleepGraph(100), submitAtMs: 1e300 }] });
    expect(lines).toContain('jobs.0.submitAtMs: at most 86400000 ms (24 h)');
  });

  it('refuses a submission, cancel, time fault or browser action at or after maxRunMs', () => {
    const lines = refusal({
      ...base,
      maxRunMs: 10_000,
      jobs: [{ id: 'j1', prompt: sleepGraph(100), submitAtMs: 10_000, cancelAtMs: 20_000 }],
      faults: [{ type: 'terminate', at: { on: 'time', afterMs: 15_000 } }],
      browsers: [{ atMs: 12_000, user: 'main', action: 'drop' }],
    });
    expect(lines).toEqual([
      "jobs.0.submitAtMs: job j1 is submitted at 10000 ms is not before the run's end (maxRunMs 10000): it would never happen",
      "jobs.0.cancelAtMs: job j1 is cancelled at 20000 ms is not before the run's end (maxRunMs 10000): it would never happen",
      "faults.0.at.afterMs: fault terminate fires at 15000 ms is not before the run's end (maxRunMs 10000): it would never happen",
      "browsers.0.atMs: browser action drop at 12000 ms is not before the run's end (maxRunMs 10000): it would never happen",
    ]);
  });

  it('refuses invariants: [] (it checked nothing and passed)', () => {
    expect(refusal({ ...base, invariants: [] })).toEqual(['invariants: an empty list checks nothing: leave `invariants` out to check them all']);
  });

  it('refuses durations, counts and texts beyond any sensible bound', () => {
    expect(refusal({ ...base, maxRunMs: 1e12 })).toEqual([`maxRunMs: at most ${scenarioLimits.maxRunMs} ms (6 h)`]);
    expect(refusal({ ...base, recoveryBoundMs: 1e9 })).toEqual(['recoveryBoundMs: at most 86400000 ms (24 h)']);
    expect(refusal({ ...base, clientHints: { healthTimeoutMs: 1e10 } })).toEqual(['clientHints.healthTimeoutMs: at most 86400000 ms (24 h)']);
    expect(refusal({ ...base, faults: [{ type: 'restart', at: { on: 'connect', occurrence: 1 }, downMs: 1e300 }] })).toEqual(['faults.0.downMs: at most 86400000 ms (24 h)']);
    expect(refusal({ ...base, faults: [{ type: 'drop', at: { on: 'message', type: 'status', occurrence: 1e9 } }] })).toEqual(['faults.0.at.occurrence: at most 100000']);
    expect(refusal({ ...base, faults: [{ type: 'drop', at: { on: 'frames', count: 0 }, frames: 1e6 }] })).toEqual(['faults.0.frames: at most 1000 frames']);
    expect(refusal({ ...base, faults: [{ type: 'garbage_prefix', at: { on: 'frames', count: 0 }, garbage: 'x'.repeat(70_000) }] })).toEqual(['faults.0.garbage: at most 65536 characters']);
    expect(refusal({ ...base, faults: [{ type: 'toxic', toxic: 'latency', at: { on: 'connect', occurrence: 1 }, attributes: { latency: 1e12 } }] })).toHaveLength(1);
  });

  it('refuses a prompt nested thousands deep, and one with too many nodes', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 2_500; i++) deep = [deep];
    const nested = { '1': { class_type: 'PreviewAny', inputs: { source: deep } } };
    expect(refusal({ ...base, jobs: [{ id: 'j1', prompt: nested }] })).toEqual(['jobs.0.prompt.1.inputs: an input value nests at most 32 levels deep']);
    const wide = Object.fromEntries(Array.from({ length: scenarioLimits.promptNodes + 1 }, (_, i) => [String(i + 1), { class_type: 'PreviewAny', inputs: { source: 'x' } }]));
    expect(refusal({ ...base, jobs: [{ id: 'j1', prompt: wide }] })).toEqual(['jobs.0.prompt: a prompt has at most 1000 nodes (this one has 1001)']);
  });
});
