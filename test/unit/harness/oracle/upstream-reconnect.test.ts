import { describe, expect, it } from 'vitest';
import { describeFault, faultSchedule } from '../../../../src/protocol/index.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { upstreamReconnect } from '../../../../src/harness/oracle/upstream-reconnect.ts';
import type { Scenario } from '../../../../src/scenarios/scenario.ts';
import { RelayTraceBuilder, relayScenario } from './relay-trace-builder.ts';

const plain = relayScenario();
const check = (b: RelayTraceBuilder, s: Scenario = plain) => upstreamReconnect(traceFacts(b.events, s), s);

/** The relay up at 0 with its upstream socket 1 open. */
function started(): RelayTraceBuilder {
  const b = new RelayTraceBuilder();
  b.at(0).relayStart();
  b.connect(1, 'relay-upstream');
  return b;
}

describe('upstream-reconnect', () => {
  it('passes a relay that opened a new upstream socket after the old one closed', () => {
    const b = started();
    b.at(100).close(1);
    b.at(300).connect(2, 'relay-upstream');
    b.at(40_000).note('end');
    expect(check(b)).toEqual([]);
  });

  it('counts a socket opened at the same millisecond, after the close line, as a reconnect', () => {
    const b = started();
    b.at(100).close(1);
    b.at(100).connect(2, 'relay-upstream');
    b.at(40_000).note('end');
    expect(check(b)).toEqual([]);
  });

  it('names a close after which the relay never connected again, once the recovery bound had passed', () => {
    const b = started();
    const close = b.at(100).close(1);
    b.at(100).close(1); // the same socket closed twice is one break
    b.at(40_000).note('end');
    expect(check(b)).toEqual([
      {
        invariant: 'upstream-reconnect',
        message: 'upstream socket 1 closed (code 1006, by the server) at 100ms and the relay never opened another (the run went on until 40000ms; recovery bound 30000ms after 0ms)',
        evidence: [close.seq],
      },
    ]);
  });

  it('says only the first of several breaks', () => {
    const b = started();
    b.connect(2, 'relay-upstream');
    const first = b.at(100).close(1);
    b.at(200).close(2);
    b.at(40_000).note('end');
    expect(check(b).map((f) => f.evidence)).toEqual([[first.seq]]);
  });

  it('does not judge a run that ended before the recovery bound expired', () => {
    const b = started();
    b.at(100).close(1);
    b.at(30_099).note('end');
    expect(check(b)).toEqual([]);
    b.at(30_100).note('later');
    expect(check(b)).toHaveLength(1);
  });

  it('ignores closes during the harness shutdown and judges only until it began', () => {
    const b = started();
    b.at(20_000).shutdown();
    b.at(20_010).close(1);
    b.at(60_000).note('end');
    expect(check(b)).toEqual([]);

    const early = started();
    early.at(100).close(1);
    early.at(20_000).shutdown();
    early.at(60_000).note('end');
    expect(check(early)).toEqual([]);
  });

  it('says nothing when the run is no relay run, or the relay never connected upstream', () => {
    const noRelay = new RelayTraceBuilder();
    noRelay.connect(1);
    noRelay.at(100).close(1);
    noRelay.at(40_000).note('end');
    expect(check(noRelay)).toEqual([]);

    const neverConnected = new RelayTraceBuilder();
    neverConnected.relayStart();
    neverConnected.at(40_000).note('end');
    expect(check(neverConnected)).toEqual([]);
  });

  it('names a socket that went silent for good and was never replaced, but not a silence that ends', () => {
    const forEver = faultSchedule.parse([{ type: 'silence', durationMs: 0, at: { on: 'time', afterMs: 500 } }]);
    const s = relayScenario(undefined, { faults: forEver });
    const b = started();
    const fault = b.at(500).fault('silence', describeFault(forEver[0]!));
    b.at(40_000).note('end');
    expect(check(b, s)).toEqual([
      {
        invariant: 'upstream-reconnect',
        message:
          'the upstream socket went silent for good ("silence at 500ms") at 500ms and the relay never opened another (the run went on until 40000ms; recovery bound 30000ms after 500ms)',
        evidence: [fault.seq],
      },
    ]);

    const brief = faultSchedule.parse([{ type: 'silence', durationMs: 2000, at: { on: 'time', afterMs: 500 } }]);
    const b2 = started();
    b2.at(500).fault('silence', describeFault(brief[0]!));
    b2.at(40_000).note('end');
    expect(check(b2, relayScenario(undefined, { faults: brief }))).toEqual([]);
  });

  it('names the deaf socket opened after a deaf_reconnect fault when no other followed it', () => {
    const faults = faultSchedule.parse([{ type: 'deaf_reconnect', at: { on: 'time', afterMs: 100 } }]);
    const s = relayScenario(undefined, { faults });
    const b = started();
    b.at(100).fault('deaf_reconnect', describeFault(faults[0]!));
    const close = b.at(150).close(1);
    const deaf = b.at(200).connect(2, 'relay-upstream');
    b.at(40_000).note('end');
    // The close at 150 was followed by socket 2, so only the deaf socket is a break.
    expect(check(b, s)).toEqual([
      {
        invariant: 'upstream-reconnect',
        message:
          'upstream socket 2 was deaf ("deaf_reconnect at 100ms") at 200ms and the relay never opened another (the run went on until 40000ms; recovery bound 30000ms after 100ms)',
        evidence: [deaf.seq],
      },
    ]);
    expect(close.seq).toBeLessThan(deaf.seq);

    b.at(40_010).connect(3, 'relay-upstream');
    expect(check(b, s)).toEqual([]);
  });
});
