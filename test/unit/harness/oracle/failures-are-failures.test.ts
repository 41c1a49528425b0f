import { describe, expect, it } from 'vitest';
import { failuresAreFailures } from '../../../../src/harness/oracle/failures-are-failures.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith();
const check = (b: TraceBuilder) => failuresAreFailures(traceFacts(b.events, s));
function failingJob(serverEvent: string) {
  const b = new TraceBuilder();
  b.submit('j1');
  b.submitted('j1', 'p1');
  const outcome = b.prompt(serverEvent, 'p1');
  return { b, outcome };
}

describe('failures-are-failures', () => {
  it.each([
    ['error', 'error'],
    ['interrupted', 'interrupted'],
    ['deleted', 'interrupted'],
    ['lost', 'lost'],
    ['lost', 'disconnected'],
  ])('passes %s on the server reported failed (%s)', (serverEvent, reason) => {
    const { b } = failingJob(serverEvent);
    b.failed('j1', reason);
    expect(check(b)).toEqual([]);
  });

  it('names an execution error the client was silent about', () => {
    const { b, outcome } = failingJob('error');
    expect(check(b)).toEqual([
      { invariant: 'failures-are-failures', job: 'j1', message: `ended with error on the server at ${outcome.t}ms; the client said nothing (expected failed (error))`, evidence: [outcome.seq] },
    ]);
  });

  it('names an interrupt reported as success', () => {
    const { b, outcome } = failingJob('interrupted');
    const completed = b.completed('j1', 'p1');
    expect(check(b)).toEqual([
      { invariant: 'failures-are-failures', job: 'j1', message: 'ended with interrupted on the server but the client reported completed', evidence: [outcome.seq, completed.seq] },
    ]);
  });

  it('names a lost prompt reported only as a timeout', () => {
    const { b, outcome } = failingJob('lost');
    const failed = b.failed('j1', 'timeout');
    expect(check(b)).toEqual([
      {
        invariant: 'failures-are-failures',
        job: 'j1',
        message: 'ended with lost on the server; the client reported failed (timeout), expected failed (lost or disconnected)',
        evidence: [outcome.seq, failed.seq],
      },
    ]);
  });
});
