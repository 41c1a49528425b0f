import { describe, expect, it } from 'vitest';
import { isolation } from '../../../../src/harness/oracle/isolation.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({
  jobs: [
    { id: 'a1', window: 'A', prompt: { '1': { class_type: 'SimSleep', inputs: {} } } },
    { id: 'b1', window: 'B', prompt: { '1': { class_type: 'SimSleep', inputs: {} } } },
  ],
});
const check = (b: TraceBuilder) => isolation(traceFacts(b.events, s));

describe('isolation', () => {
  it('passes two windows that each report only their own jobs', () => {
    const b = new TraceBuilder();
    b.happyJob('a1', 'pa', 'A');
    b.happyJob('b1', 'pb', 'B');
    b.progress('a1', 1, 10, '1', { window: 'A' });
    expect(check(b)).toEqual([]);
  });

  it("names a window that reports another window's job, once with every line", () => {
    const b = new TraceBuilder();
    const a = b.happyJob('a1', 'pa', 'A');
    const p1 = b.progress('a1', 1, 10, '1', { window: 'B' });
    const p2 = b.progress('a1', 2, 10, '1', { window: 'B' });
    expect(check(b)).toEqual([
      { invariant: 'isolation', job: 'a1', message: 'window "B" reported progress of job a1, which window "A" submitted', evidence: [a.submit.seq, p1.seq, p2.seq] },
    ]);
  });

  it("names a report under its own job id that carries another window's prompt id", () => {
    const b = new TraceBuilder();
    const a = b.happyJob('a1', 'pa', 'A');
    b.submit('b1', { window: 'B' });
    b.submitted('b1', 'pb', { window: 'B' });
    const leak = b.completed('b1', 'pa', {}, { window: 'B' });
    expect(check(b)).toEqual([
      {
        invariant: 'isolation',
        job: 'a1',
        message: 'window "B" reported completed for prompt pa, which window "A" submitted (job a1)',
        evidence: [a.submit.seq, leak.seq],
      },
    ]);
  });
});
