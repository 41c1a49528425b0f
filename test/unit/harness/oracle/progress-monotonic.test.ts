import { describe, expect, it } from 'vitest';
import { progressMonotonic } from '../../../../src/harness/oracle/progress-monotonic.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith();
const check = (b: TraceBuilder) => progressMonotonic(traceFacts(b.events, s));

describe('progress-monotonic', () => {
  it('passes rising progress, a new node starting again from 1, and a new pass with another max', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.progress('j1', 1, 10, '3');
    b.progress('j1', 5, 10, '3');
    b.progress('j1', 5, 10, '3');
    b.progress('j1', 1, 4, '8');
    b.progress('j1', 1, 2, '8');
    expect(check(b)).toEqual([]);
  });

  it('names progress that ran backwards within a node', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    const high = b.progress('j1', 7, 10, '3');
    const low = b.progress('j1', 4, 10, '3');
    expect(check(b)).toEqual([{ invariant: 'progress-monotonic', job: 'j1', message: 'progress of node 3 went from 7/10 to 4/10', evidence: [high.seq, low.seq] }]);
  });
});
