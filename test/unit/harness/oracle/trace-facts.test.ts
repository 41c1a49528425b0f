import { describe, expect, it } from 'vitest';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

describe('traceFacts', () => {
  it('gathers a job: submit, prompt id, server outcome, reports, progress and acknowledgement', () => {
    const b = new TraceBuilder();
    const submit = b.submit('j1', { server: 0 });
    b.submitted('j1', 'p1');
    const post = b.http('POST', '/api/prompt', 200, { prompt_id: 'p1', number: 0, node_errors: {} });
    const queued = b.queued('p1');
    const progress = b.progress('j1', 1);
    const success = b.success('p1');
    const completed = b.completed('j1', 'p1');
    const facts = traceFacts(b.events, scenarioWith());
    const job = facts.job.get('j1')!;
    expect(job).toMatchObject({
      window: 'main',
      submit: { seq: submit.seq, byHarness: true, server: '0' },
      promptId: 'p1',
      promptIdFrom: 'client',
      prompt: { acknowledged: { seq: post.seq }, queued: { seq: queued.seq, clientId: 'c1' }, outcome: { seq: success.seq, event: 'success' } },
    });
    expect(job.progress.map((p) => p.seq)).toEqual([progress.seq]);
    expect(job.reports.map((r) => r.seq)).toEqual([completed.seq]);
    expect(facts.runEnd).toEqual({ seq: completed.seq, t: completed.t });
  });

  it("finds the prompt id of a client that never said it, by its window's client id and order", () => {
    const s = scenarioWith({}, ['j1', 'j2', 'j3']);
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.queued('p1', 'cA');
    b.queued('p-other', 'cB'); // another client's prompt
    b.submit('j2');
    b.queued('p2', 'cA');
    b.submit('j3');
    b.queued('p3', 'cA');
    const facts = traceFacts(b.events, s);
    expect(facts.jobs.map((j) => [j.id, j.promptId, j.promptIdFrom])).toEqual([
      ['j1', 'p1', 'client'],
      ['j2', 'p2', 'server-queue'],
      ['j3', 'p3', 'server-queue'],
    ]);
  });

  it('reads the first runner\'s events (job, promptId, interrupted/lost as types)', () => {
    const b = new TraceBuilder();
    const submitted = b.client({ type: 'submitted', job: 'j1', promptId: 'p1' });
    b.prompt('lost', 'p1');
    b.client({ type: 'lost', job: 'j1', promptId: 'p1', reason: 'lost', error: 'gone' });
    const job = traceFacts(b.events, scenarioWith()).job.get('j1')!;
    expect(job.submit).toEqual({ seq: submitted.seq, t: submitted.t, byHarness: false });
    expect(job.promptId).toBe('p1');
    expect(job.reports).toMatchObject([{ type: 'failed', reason: 'lost', error: 'gone' }]);
  });

  it('keeps reports about jobs never submitted apart, and history polls with what they found', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const stray = b.completed('ghost', 'p9');
    const poll = b.http('GET', '/history/p1', 200, { p1: { outputs: {} } });
    b.http('GET', '/history/p2', 200, {});
    const facts = traceFacts(b.events, scenarioWith());
    expect(facts.strays.map((r) => r.seq)).toEqual([stray.seq]);
    expect(facts.historyPolls).toEqual([
      { seq: poll.seq, t: poll.t, status: 200, promptId: 'p1', found: ['p1'] },
      { seq: poll.seq + 1, t: poll.t + 10, status: 200, promptId: 'p2', found: [] },
    ]);
  });
});
