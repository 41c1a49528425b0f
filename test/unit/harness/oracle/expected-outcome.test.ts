import { describe, expect, it } from 'vitest';
import { expectedOutcome } from '../../../../src/harness/oracle/expected-outcome.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const check = (b: TraceBuilder, expect: Record<string, 'completed' | 'failed' | 'interrupted' | 'lost'> = {}) => {
  const s = scenarioWith({ expect });
  return expectedOutcome(traceFacts(b.events, s), s);
};

describe('expected-outcome', () => {
  it('passes completed by default, and lost reported as lost or disconnected', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(check(b)).toEqual([]);
    for (const reason of ['lost', 'disconnected']) {
      const l = new TraceBuilder();
      l.submit('j1');
      l.submitted('j1', 'p1');
      l.prompt('lost', 'p1');
      l.failed('j1', reason);
      expect(check(l, { j1: 'lost' })).toEqual([]);
    }
  });

  it('names a job that ended otherwise than expected', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const error = b.prompt('error', 'p1');
    const failed = b.failed('j1', 'error');
    expect(check(b, { j1: 'interrupted' })).toEqual([
      { invariant: 'expected-outcome', job: 'j1', message: 'expected interrupted, the client reported failed (error)', evidence: [error.seq, failed.seq] },
      { invariant: 'expected-outcome', job: 'j1', message: 'expected interrupted, but the server says error: the run did not go as the scenario meant', evidence: [error.seq, failed.seq] },
    ]);
  });

  it('names a scenario whose fault did not do what it meant', () => {
    const b = new TraceBuilder();
    const { success, completed } = b.happyJob('j1', 'p1');
    expect(check(b, { j1: 'lost' })).toEqual([
      { invariant: 'expected-outcome', job: 'j1', message: 'expected lost, the client reported completed', evidence: [success.seq, completed.seq] },
      { invariant: 'expected-outcome', job: 'j1', message: 'expected lost, but the server says success: the run did not go as the scenario meant', evidence: [success.seq, completed.seq] },
    ]);
  });
});
