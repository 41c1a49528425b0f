import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { checkTrace } from '../../../src/harness/oracle/check-trace.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const oneJob = scenario.parse({ id: '9.1', name: 'one-job', purpose: 'test', jobs: [{ id: 'j1', prompt: sleepGraph(10, 1) }] });

let seq = 0;
const at = (e: Record<string, unknown>) => ({ seq: seq++, t: seq, wall: 0, ...e }) as TraceEvent;
const submitted = at({ kind: 'client', client: 'c', event: { type: 'submitted', job: 'j1', promptId: 'p1' } });
const success = at({ kind: 'prompt', event: 'success', promptId: 'p1', outputs: { '2': { text: ['x'] } } });
const completed = (outputs: unknown = { '2': { text: ['x'] } }) =>
  at({ kind: 'client', client: 'c', event: { type: 'completed', job: 'j1', promptId: 'p1', outputs } });

describe('checkTrace', () => {
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
    expect(checkTrace([submitted, success, completed(), completed()], oneJob).findings.map((f) => f.invariant)).toContain('exactly-once');
    expect(checkTrace([submitted, completed()], oneJob).findings.map((f) => f.invariant)).toContain('no-phantom');
    expect(checkTrace([submitted, success, completed({})], oneJob).findings.map((f) => f.invariant)).toEqual(['right-outputs']);
  });

  it('names a silent failure, a hang and progress running backwards', () => {
    const error = at({ kind: 'prompt', event: 'error', promptId: 'p1' });
    expect(checkTrace([submitted, error], oneJob).findings.map((f) => f.invariant)).toEqual(['failures-are-failures']);
    expect(checkTrace([submitted], oneJob).findings.map((f) => f.invariant)).toEqual(['no-hang']);
    const p = (value: number) => at({ kind: 'client', client: 'c', event: { type: 'progress', job: 'j1', value, node: '1' } });
    expect(checkTrace([submitted, p(3), p(2), success, completed()], oneJob).findings.map((f) => f.invariant)).toEqual(['progress-monotonic']);
  });
});
