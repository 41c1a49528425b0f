import { describe, expect, it } from 'vitest';
import { rightOutputs } from '../../../../src/harness/oracle/right-outputs.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith();
const check = (b: TraceBuilder) => rightOutputs(traceFacts(b.events, s));

describe('right-outputs', () => {
  it('passes equal outputs whatever the order of their keys', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] }, '2': { text: ['x'] } });
    b.completed('j1', 'p1', { '2': { text: ['x'] }, '9': { images: [{ type: 'output', subfolder: '', filename: 'a.png' }] } });
    expect(check(b)).toEqual([]);
  });

  it('names outputs that differ, with the server line and the report', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const success = b.success('p1');
    const completed = b.completed('j1', 'p1', {});
    expect(check(b)).toEqual([
      {
        invariant: 'right-outputs',
        job: 'j1',
        message: `the outputs reported differ from the server's for prompt p1: reported {}, server {"2":{"text":["x"]}}`,
        evidence: [success.seq, completed.seq],
      },
    ]);
  });

  it("prefers the history entry's outputs when the trace has them", () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', {});
    const history = b.prompt('history_written', 'p1', { outputs: { '2': { text: ['y'] } } });
    const completed = b.completed('j1', 'p1', {});
    expect(check(b)[0]).toMatchObject({ evidence: [history.seq, completed.seq] });
  });
});
