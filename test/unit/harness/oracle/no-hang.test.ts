import { describe, expect, it } from 'vitest';
import { noHang, stderrTail } from '../../../../src/harness/oracle/no-hang.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({}, ['j1', 'j2']);
const check = (b: TraceBuilder) => noHang(traceFacts(b.events, s));

describe('no-hang', () => {
  it('passes jobs that all ended in a report, a failure included', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    b.submit('j2');
    b.failed('j2', 'disconnected');
    expect(check(b)).toEqual([]);
  });

  it('does not judge a job the harness never submitted', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(check(b)).toEqual([]);
  });

  it('names a pending job, what the server did, and the exit code and stderr tail of the driver', () => {
    const b = new TraceBuilder();
    const submit = b.submit('j1');
    b.submitted('j1', 'p1');
    b.queued('p1');
    const exit = b.at(700).client({ type: 'client_exit', code: 1, signal: null, stderr: 'starting\nTraceback (most recent call last)\nKeyError: prompt_id\n' });
    b.at(900).note('end');
    expect(check(b)).toEqual([
      {
        invariant: 'no-hang',
        job: 'j1',
        message:
          'still pending when the run ended at 900ms (the server never finished prompt p1); the client exited at 700ms with code 1, stderr: "starting | Traceback (most recent call last) | KeyError: prompt_id"',
        evidence: [submit.seq, exit.seq],
      },
    ]);
  });

  it('names junk the client printed', () => {
    const b = new TraceBuilder();
    const submit = b.submit('j1');
    const junk = b.client({ type: 'client_error', message: 'not JSON: "hello"' });
    const [finding] = check(b);
    expect(finding!.message).toContain(`client error at ${junk.t}ms: not JSON: "hello"`);
    expect(finding!.message).toContain('the prompt was never seen queued on the server');
    expect(finding!.evidence).toEqual([submit.seq, junk.seq]);
  });

  it('keeps only the end of a long stderr', () => {
    expect(stderrTail('a'.repeat(500), 10)).toBe(`…${'a'.repeat(10)}`);
    expect(stderrTail(undefined)).toBe('');
  });
});
