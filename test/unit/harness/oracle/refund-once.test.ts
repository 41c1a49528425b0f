import { describe, expect, it } from 'vitest';
import { refundOnce } from '../../../../src/harness/oracle/refund-once.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { RelayTraceBuilder, relayScenario } from './relay-trace-builder.ts';

const s = relayScenario();
const check = (b: RelayTraceBuilder) => refundOnce(traceFacts(b.events, s));

describe('refund-once', () => {
  it('passes a failed job refunded once to its owner and a successful job never refunded', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    b.failedJob('a1', 'pa', 'alice');
    b.refund('alice', 'pa');
    b.happyJob('b1', 'pb', 'bob');
    expect(check(b)).toEqual([]);
  });

  it('passes an interrupted job refunded once, and one not refunded at all', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    b.submit('a1', { window: 'alice' });
    b.submitted('a1', 'pa', { window: 'alice' });
    b.queued('pa');
    b.prompt('interrupted', 'pa');
    b.refund('alice', 'pa');
    b.submit('b1', { window: 'bob' });
    b.submitted('b1', 'pb', { window: 'bob' });
    b.queued('pb');
    b.prompt('lost', 'pb');
    expect(check(b)).toEqual([]);
  });

  it('says nothing for a relay whose profile does not refund, or a run that is no relay run', () => {
    const noRefunds = new RelayTraceBuilder();
    noRefunds.relayStart(false);
    noRefunds.failedJob('a1', 'pa', 'alice');
    expect(check(noRefunds)).toEqual([]);
    const plain = new RelayTraceBuilder();
    plain.failedJob('a1', 'pa', 'alice');
    expect(check(plain)).toEqual([]);
  });

  it('names a job that failed on the server and whose owner was never refunded', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    const job = b.failedJob('a1', 'pa', 'alice');
    expect(check(b)).toEqual([
      { invariant: 'refund-once', job: 'a1', message: 'prompt pa failed on the server but user "alice" was never refunded', evidence: [job.error.seq] },
    ]);
  });

  it('names a successful job the relay refunded, with the success and the refund', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    const job = b.happyJob('b1', 'pb', 'bob');
    const refund = b.refund('bob', 'pb');
    expect(check(b)).toEqual([
      { invariant: 'refund-once', job: 'b1', message: 'prompt pb succeeded but the relay refunded it 1 time(s)', evidence: [job.success.seq, refund.seq] },
    ]);
  });

  it('names a job refunded twice, with both refunds', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    const job = b.failedJob('a1', 'pa', 'alice');
    const r1 = b.refund('alice', 'pa');
    const r2 = b.refund('alice', 'pa');
    expect(check(b)).toEqual([{ invariant: 'refund-once', job: 'a1', message: 'prompt pa was refunded 2 times', evidence: [job.error.seq, r1.seq, r2.seq] }]);
  });

  it('names a refund paid to a user other than the one who paid', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    const job = b.failedJob('a1', 'pa', 'alice');
    const refund = b.refund('bob', 'pa');
    expect(check(b)).toEqual([
      { invariant: 'refund-once', job: 'a1', message: 'the refund for prompt pa went to user "bob", but user "alice" paid for it', evidence: [job.error.seq, refund.seq] },
    ]);
  });

  it('names refunds for prompts no job of the run has, without a job', () => {
    const b = new RelayTraceBuilder();
    b.relayStart(true);
    b.happyJob('b1', 'pb', 'bob');
    const unknown = b.refund('bob', 'p-other');
    const bare = b.refund(undefined, undefined);
    expect(check(b)).toEqual([
      { invariant: 'refund-once', message: 'a refund for prompt p-other, which no job of this run has', evidence: [unknown.seq] },
      { invariant: 'refund-once', message: 'a refund for no prompt id, which no job of this run has', evidence: [bare.seq] },
    ]);
  });
});
