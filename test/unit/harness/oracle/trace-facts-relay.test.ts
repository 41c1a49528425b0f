import { describe, expect, it } from 'vitest';
import { exactlyOnce } from '../../../../src/harness/oracle/exactly-once.ts';
import { isolation } from '../../../../src/harness/oracle/isolation.ts';
import { progressMonotonic } from '../../../../src/harness/oracle/progress-monotonic.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { RelayTraceBuilder, relayScenario } from './relay-trace-builder.ts';

const s = relayScenario();

describe('trace facts of relay runs', () => {
  it('has no relay facts and no shutdown for a run without relay_start', () => {
    const b = new RelayTraceBuilder();
    b.happyJob('a1', 'pa', 'alice');
    b.refund('alice', 'pa');
    b.submitFailed('a1', 'alice', 'busy');
    const facts = traceFacts(b.events, s);
    expect(facts.relay).toBeUndefined();
    expect(facts.shutdown).toBeUndefined();
    expect('relay' in facts).toBe(false);
  });

  it('reads the relay, its refund calls and its refused submissions', () => {
    const b = new RelayTraceBuilder();
    const start = b.at(5).relayStart(true, 'reference-stomp');
    const r1 = b.at(700).refund('alice', 'pa');
    const r2 = b.at(800).refund(undefined, undefined);
    const f1 = b.at(900).submitFailed('b1', 'bob', 'HTTP 429');
    b.submitFailed('b1', 'bob', 'HTTP 500');
    const f2 = b.at(1000).submitFailed('a1', 'alice');
    const facts = traceFacts(b.events, s);
    expect(facts.relay).toEqual({
      name: 'reference-stomp',
      start: { seq: start.seq, t: 5 },
      refunds: true,
      refundCalls: [
        { seq: r1.seq, t: 700, user: 'alice', promptId: 'pa' },
        { seq: r2.seq, t: 800 },
      ],
      submitFailures: new Map([
        ['b1', { seq: f1.seq, t: 900, message: 'HTTP 429' }],
        ['a1', { seq: f2.seq, t: 1000, message: 'refused' }],
      ]),
    });
  });

  it('reads refunds only as a boolean true, and names an unnamed relay "relay"', () => {
    const b = new RelayTraceBuilder();
    b.client({ type: 'relay_start', refunds: 'yes' });
    expect(traceFacts(b.events, s).relay).toMatchObject({ name: 'relay', refunds: false });
  });

  it('keeps relay, refund, submit_failed and harness_shutdown events out of the client reports', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    b.refund('alice', 'pa');
    b.submitFailed('a1', 'alice', 'x');
    b.shutdown();
    const facts = traceFacts(b.events, s);
    expect(facts.clientReports).toEqual([]);
    expect(facts.strays).toEqual([]);
  });

  it('reads the first harness_shutdown as the start of the shutdown', () => {
    const b = new RelayTraceBuilder();
    b.relayStart();
    const first = b.at(3000).shutdown();
    b.at(3500).shutdown();
    const last = b.at(4000).note('end');
    const facts = traceFacts(b.events, s);
    expect(facts.shutdown).toEqual({ seq: first.seq, t: 3000 });
    expect(facts.runEnd).toEqual({ seq: last.seq, t: 4000 });
  });

  it('lists the faults the simulator applied, in trace order', () => {
    const b = new RelayTraceBuilder();
    const f1 = b.at(100).fault('terminate', 'terminate at 100ms');
    const f2 = b.at(250).fault('silence', 'silence at 250ms');
    expect(traceFacts(b.events, s).faults).toEqual([
      { seq: f1.seq, t: 100, faultType: 'terminate', fault: 'terminate at 100ms' },
      { seq: f2.seq, t: 250, faultType: 'silence', fault: 'silence at 250ms' },
    ]);
  });
});

describe("reports from a window other than the job's owner", () => {
  /** alice's job a1 done right; then bob's browser is told about it too (a relay broadcasting to everyone). */
  function leakyBroadcast() {
    const b = new RelayTraceBuilder();
    b.relayStart();
    const a = b.happyJob('a1', 'pa', 'alice');
    b.happyJob('b1', 'pb', 'bob');
    const leakProgress = b.progress('a1', 5, 10, '1', { window: 'bob' });
    const leakCompleted = b.completed('a1', 'pa', {}, { window: 'bob', images: [] });
    return { b, a, leakProgress, leakCompleted };
  }

  it("are not counted among the owner's reports or progress", () => {
    const { b, a } = leakyBroadcast();
    const facts = traceFacts(b.events, s);
    const a1 = facts.job.get('a1')!;
    expect(a1.reports.map((r) => r.seq)).toEqual([a.completed.seq]);
    expect(a1.progress).toEqual([]);
    expect(facts.clientReports).toHaveLength(6);
  });

  it('so exactly-once and progress-monotonic stay quiet while isolation names the leak', () => {
    const { b, a, leakProgress, leakCompleted } = leakyBroadcast();
    const facts = traceFacts(b.events, s);
    expect(exactlyOnce(facts)).toEqual([]);
    expect(progressMonotonic(facts)).toEqual([]);
    expect(isolation(facts)).toEqual([
      {
        invariant: 'isolation',
        job: 'a1',
        message: 'window "bob" reported progress of job a1, which window "alice" submitted',
        evidence: [a.submit.seq, leakProgress.seq, leakCompleted.seq],
      },
    ]);
  });

  it("still count the owner's own second completion", () => {
    const { b, a } = leakyBroadcast();
    const again = b.completed('a1', 'pa', {}, { window: 'alice' });
    const facts = traceFacts(b.events, s);
    expect(facts.job.get('a1')!.reports.map((r) => r.seq)).toEqual([a.completed.seq, again.seq]);
    expect(exactlyOnce(facts)).toMatchObject([{ invariant: 'exactly-once', job: 'a1', message: 'reported completed 2 times' }]);
  });

  it('are counted when the job is known only from the client events (older traces have no harness_submit)', () => {
    const b = new RelayTraceBuilder();
    b.submitted('a1', 'pa', { window: 'alice' });
    const other = b.completed('a1', 'pa', {}, { window: 'bob' });
    const facts = traceFacts(b.events, s);
    expect(facts.job.get('a1')!.reports.map((r) => r.seq)).toEqual([other.seq]);
  });
});
