import { describe, expect, it } from 'vitest';
import { noPhantom } from '../../../../src/harness/oracle/no-phantom.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({}, ['j1', 'j2']);
const check = (b: TraceBuilder) => noPhantom(traceFacts(b.events, s));

describe('no-phantom', () => {
  it('passes a completion after the server succeeded', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(check(b)).toEqual([]);
  });

  it('names a completion of a prompt that failed on the server', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const error = b.prompt('error', 'p1');
    const completed = b.completed('j1', 'p1');
    expect(check(b)).toEqual([{ invariant: 'no-phantom', job: 'j1', message: 'reported completed but the server says error', evidence: [error.seq, completed.seq] }]);
  });

  it('names a completion of a prompt that never finished', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const completed = b.completed('j1', 'p1');
    expect(check(b)[0]).toMatchObject({ message: 'reported completed but the server never finished prompt p1', evidence: [completed.seq] });
  });

  it('names a completion reported before the server finished', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const completed = b.at(100).completed('j1', 'p1');
    const success = b.at(200).success('p1');
    expect(check(b)).toEqual([
      { invariant: 'no-phantom', job: 'j1', message: 'reported completed at 100ms, before the server finished prompt p1 at 200ms', evidence: [completed.seq, success.seq] },
    ]);
  });

  it("names a completion under another job's prompt id, and one for a job never submitted", () => {
    const b = new TraceBuilder();
    b.happyJob('j2', 'p2');
    b.submit('j1');
    const submitted = b.submitted('j1', 'p1');
    b.success('p1');
    const wrong = b.completed('j1', 'p2');
    const stray = b.completed('nobody', 'p9');
    expect(check(b)).toEqual([
      { invariant: 'no-phantom', job: 'j1', message: "reported completed naming prompt p2, but the job's prompt is p1", evidence: [submitted.seq, wrong.seq] },
      { invariant: 'no-phantom', job: 'nobody', message: 'reported completed for job "nobody", which the harness never submitted', evidence: [stray.seq] },
    ]);
  });
});
