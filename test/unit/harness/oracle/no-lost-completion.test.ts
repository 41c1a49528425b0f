import { describe, expect, it } from 'vitest';
import { noLostCompletion } from '../../../../src/harness/oracle/no-lost-completion.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({ recoveryBoundMs: 1_000 });
const check = (b: TraceBuilder, sc = s) => noLostCompletion(traceFacts(b.events, sc), sc);

describe('no-lost-completion', () => {
  it('passes a success reported completed within the recovery bound', () => {
    const b = new TraceBuilder();
    b.happyJob('j1', 'p1');
    expect(check(b)).toEqual([]);
  });

  it('names a success the client never reported, with the server line', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.queued('p1');
    const success = b.at(500).success('p1');
    expect(check(b)).toEqual([
      { invariant: 'no-lost-completion', job: 'j1', message: 'prompt p1 succeeded on the server at 500ms but the client never reported it', evidence: [success.seq] },
    ]);
  });

  it('names a success reported as a failure, with both lines', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const success = b.success('p1');
    const failed = b.failed('j1', 'timeout');
    const [finding] = check(b);
    expect(finding).toMatchObject({ invariant: 'no-lost-completion', job: 'j1', evidence: [success.seq, failed.seq] });
    expect(finding!.message).toContain('the client reported failed (timeout)');
  });

  it('names a completion reported later than the bound after the network was healthy', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const success = b.at(100).success('p1');
    const healthy = b.at(2_000).note('network healthy');
    const completed = b.at(3_500).completed('j1', 'p1');
    expect(check(b)).toEqual([
      {
        invariant: 'no-lost-completion',
        job: 'j1',
        message: 'reported completed at 3500ms, 1500ms after network healthy at 2000ms (recovery bound 1000ms)',
        evidence: [success.seq, healthy.seq, completed.seq],
      },
    ]);
  });

  it('starts the bound when the last fault stops hurting (refused upgrades for a while)', () => {
    const sc = scenarioWith({ recoveryBoundMs: 1_000, faults: [{ type: 'refuse_upgrades', durationMs: 5_000, at: { on: 'time', afterMs: 0 } }] });
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.add({ kind: 'fault', fault: 'refuse_upgrades at 0ms', faultType: 'refuse_upgrades' });
    b.at(100).success('p1');
    b.at(5_900).completed('j1', 'p1');
    expect(check(b, sc)).toEqual([]);
    const late = new TraceBuilder();
    late.submit('j1');
    late.submitted('j1', 'p1');
    late.add({ kind: 'fault', fault: 'refuse_upgrades at 0ms', faultType: 'refuse_upgrades' });
    late.at(100).success('p1');
    late.at(6_100).completed('j1', 'p1');
    expect(check(late, sc)[0]!.message).toContain('after end of fault "refuse_upgrades at 0ms" (5000ms) at 5020ms');
  });

  it('waits for a late history entry before the bound starts', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.at(100).success('p1');
    b.at(1_500).prompt('history_written', 'p1');
    b.at(2_400).completed('j1', 'p1');
    expect(check(b)).toEqual([]);
  });
});
