import { describe, expect, it } from 'vitest';
import { submissionsFlow } from '../../../../src/harness/oracle/submissions-flow.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { RelayTraceBuilder, relayScenario } from './relay-trace-builder.ts';

const s = relayScenario();
const check = (b: RelayTraceBuilder) => submissionsFlow(traceFacts(b.events, s));

describe('submissions-flow', () => {
  it('passes when every submitted job reached the server queue', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    b.happyJob('a1', 'pa', 'alice');
    b.failedJob('b1', 'pb', 'bob');
    expect(check(b)).toEqual([]);
  });

  it('passes a job the harness cancelled before it was sent on', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    b.submit('a1', { window: 'alice' });
    b.client({ type: 'harness_cancel', id: 'a1' });
    expect(check(b)).toEqual([]);
  });

  it('says nothing in a run that is no relay run', () => {
    const b = new RelayTraceBuilder();
    b.submit('a1', { window: 'alice' });
    expect(check(b)).toEqual([]);
  });

  it('names a job the relay refused, with what it answered and both lines', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    b.happyJob('a1', 'pa', 'alice');
    const submit = b.at(500).submit('b1', { window: 'bob' });
    const refused = b.submitFailed('b1', 'bob', 'HTTP 503 from POST /api/jobs: busy');
    b.submitFailed('b1', 'bob', 'a later answer');
    expect(check(b)).toEqual([
      {
        invariant: 'submissions-flow',
        job: 'b1',
        message: 'user "bob" submitted job b1 at 500ms and its prompt never reached the server: HTTP 503 from POST /api/jobs: busy',
        evidence: [submit.seq, refused.seq],
      },
    ]);
  });

  it('says "refused" for a refusal without a message', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    b.at(0).submit('b1', { window: 'bob' });
    b.submitFailed('b1', 'bob');
    expect(check(b)[0]?.message).toBe('user "bob" submitted job b1 at 0ms and its prompt never reached the server: refused');
  });

  it('names a job the relay accepted, even with a prompt id, and never sent on', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    const submit = b.at(200).submit('a1', { window: 'alice' });
    b.submitted('a1', 'p-made-up', { window: 'alice' });
    expect(check(b)).toEqual([
      {
        invariant: 'submissions-flow',
        job: 'a1',
        message: 'user "alice" submitted job a1 at 200ms and its prompt never reached the server (the relay accepted it and never sent it on)',
        evidence: [submit.seq],
      },
    ]);
  });
});
