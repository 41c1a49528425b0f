/**
 * The first-cut oracle's cases, kept through its compatibility entry point (`checkTrace`, which
 * now calls `judge`). Written in the first memory runner's format (`job`, `promptId`), which the
 * oracle still reads.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { checkTrace } from '../../../src/harness/oracle/check-trace.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const oneJob = scenario.parse({ id: '9.1', name: 'one-job', purpose: 'test', jobs: [{ id: 'j1', prompt: sleepGraph(10, 1) }] });
const expectFailed = scenario.parse({ ...oneJob, expect: { j1: 'failed' } });

let seq = 0;
const at = (e: Record<string, unknown>) => ({ seq: seq++, t: seq, wall: 0, ...e }) as TraceEvent;
const submitted = at({ kind: 'client', client: 'c', event: { type: 'submitted', job: 'j1', promptId: 'p1' } });
const success = at({ kind: 'prompt', event: 'success', promptId: 'p1', outputs: { '2': { text: ['x'] } } });
const completed = (outputs: unknown = { '2': { text: ['x'] } }) =>
  at({ kind: 'client', client: 'c', event: { type: 'completed', job: 'j1', promptId: 'p1', outputs } });

const invariants = (trace: TraceEvent[], s = oneJob) => checkTrace(trace, s).findings.map((f) => f.invariant);

describe('checkTrace (compatibility entry point)', () => {
  it('passes a job that succeeded and was reported completed once with its outputs', () => {
    expect(checkTrace([submitted, success, completed()], oneJob)).toEqual({ verdict: 'pass', findings: [] });
  });

  it('names a lost completion with the trace lines', () => {
    const failed = at({ kind: 'client', client: 'c', event: { type: 'failed', job: 'j1', promptId: 'p1', reason: 'timeout' } });
    const result = checkTrace([submitted, success, failed], oneJob);
    expect(result.verdict).toBe('fail');
    expect(result.findings[0]).toMatchObject({ invariant: 'no-lost-completion', job: 'j1', evidence: [success.seq, failed.seq] });
  });

  it('names a duplicate report, a phantom and wrong outputs', () => {
    expect(invariants([submitted, success, completed(), completed()])).toContain('exactly-once');
    expect(invariants([submitted, completed()])).toContain('no-phantom');
    expect(invariants([submitted, success, completed({})])).toEqual(['right-outputs']);
  });

  it('names a silent failure (also a hang: the job never ended for the user), a hang and progress running backwards', () => {
    const error = at({ kind: 'prompt', event: 'error', promptId: 'p1' });
    expect(invariants([submitted, error], expectFailed)).toEqual(['failures-are-failures', 'no-hang']);
    expect(invariants([submitted])).toEqual(['no-hang']);
    const p = (value: number) => at({ kind: 'client', client: 'c', event: { type: 'progress', job: 'j1', value, node: '1' } });
    expect(invariants([submitted, p(3), p(2), success, completed()])).toEqual(['progress-monotonic']);
  });
});
