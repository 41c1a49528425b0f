import { describe, expect, it } from 'vitest';
import { exactlyOnce } from '../../../../src/harness/oracle/exactly-once.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith();
const check = (b: TraceBuilder) => exactlyOnce(traceFacts(b.events, s));

describe('exactly-once', () => {
  it('passes one completed report', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(check(b)).toEqual([]);
  });

  it('names a job reported completed twice', () => {
    const b = new TraceBuilder();
    const { success, completed } = b.happyJob('j1', 'p1');
    const again = b.completed('j1', 'p1');
    expect(check(b)).toEqual([
      { invariant: 'exactly-once', job: 'j1', message: 'reported completed 2 times', evidence: [success.seq, completed.seq, again.seq] },
    ]);
  });

  it('names a job reported completed and failed', () => {
    const b = new TraceBuilder();
    const { success, completed } = b.happyJob('j1', 'p1');
    const failed = b.failed('j1', 'disconnected');
    expect(check(b)).toEqual([
      { invariant: 'exactly-once', job: 'j1', message: 'reported completed and failed (disconnected)', evidence: [success.seq, completed.seq, failed.seq] },
    ]);
  });

  it('names a job the server queued twice (posted again without looking), even when reported once', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const first = b.queued('p1', 'client-main');
    const second = b.queued('p1', 'client-main');
    b.success('p1');
    b.completed('j1', 'p1');
    const findings = check(b);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ invariant: 'exactly-once', job: 'j1', evidence: [first.seq, second.seq] });
    expect(findings[0]!.message).toMatch(/queued prompt p1 2 times/);
  });
});
