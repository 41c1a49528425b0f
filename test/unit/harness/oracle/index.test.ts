import { describe, expect, it } from 'vitest';
import { describeFinding, invariants, judge } from '../../../../src/harness/oracle/index.ts';
import { invariantName } from '../../../../src/scenarios/scenario.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

describe('judge', () => {
  it('has one invariant per name', () => {
    expect(Object.keys(invariants)).toEqual(invariantName.options);
  });

  it('passes a clean run, with counts and no reason', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(judge(b.events, scenarioWith())).toEqual({
      verdict: 'pass',
      findings: [],
      counts: { acknowledged: 1, completedOnServer: 1, reported: 1, lost: 0, duplicated: 0, phantom: 0, recovered: 0 },
    });
  });

  it('fails with a reason naming the first failing invariant, its job and its trace lines', () => {
    const b = new TraceBuilder();
    const { success, completed } = b.happyJob('j1', 'p1');
    const again = b.completed('j1', 'p1');
    const result = judge(b.events, scenarioWith());
    expect(result.verdict).toBe('fail');
    expect(result.reason).toBe(`exactly-once (job j1): reported completed 2 times; trace lines ${success.seq}, ${completed.seq}, ${again.seq}`);
    expect(result.counts.duplicated).toBe(1);
  });

  it('checks only the invariants the scenario names', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    b.completed('j1', 'p1');
    expect(judge(b.events, scenarioWith({ invariants: ['no-phantom', 'right-outputs'] })).verdict).toBe('pass');
  });

  it('keeps informational findings, marked, without failing the run', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    b.progress('j1', 5);
    b.progress('j1', 2);
    const result = judge(b.events, scenarioWith({ informational: ['progress-monotonic'] }));
    expect(result.verdict).toBe('pass');
    expect(result.findings).toMatchObject([{ invariant: 'progress-monotonic', informational: true }]);
  });

  it('is degraded when a job was reported later than the latency bound after the server finished it', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const success = b.at(1_000).success('p1');
    const completed = b.at(7_000).completed('j1', 'p1');
    const result = judge(b.events, scenarioWith({ latencyBoundMs: 5_000 }));
    expect(result).toMatchObject({
      verdict: 'degraded',
      findings: [],
      reason: `job j1 was reported completed 6000ms after the server finished it (latency bound 5000ms); trace lines ${success.seq}, ${completed.seq}`,
    });
  });

  it('describes a finding on one line', () => {
    expect(describeFinding({ invariant: 'no-hang', job: 'j2', message: 'still pending', evidence: [4, 9] })).toBe('no-hang (job j2): still pending; trace lines 4, 9');
  });
});
