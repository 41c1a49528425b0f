import { describe, expect, it } from 'vitest';
import { unfiredFaults } from '../../../../src/harness/oracle/unfired-faults.ts';
import type { TraceEvent } from '../../../../src/protocol/index.ts';
import { catalogue } from '../../../../src/scenarios/catalogue/index.ts';

// Catalogue 4.12: for 600 ms after the second progress frame, every connection is cut after 2 KB.
const scenario = catalogue.find((s) => s.id === '4.12')!;

/** The shape of comfyui-utils' 4.12 traces in the report card (times as recorded). */
function trace(closeAt: number, closeCode: number, extra: TraceEvent[] = []): TraceEvent[] {
  const e = (seq: number, t: number, rest: Record<string, unknown>) => ({ seq, t, wall: t, ...rest }) as TraceEvent;
  return [
    e(6, 2_356, { kind: 'ws_connect', conn: 1, clientId: 'c1', sid: 'c1' }),
    e(19, 2_560, { kind: 'fault', fault: 'toxic limit_data/downstream after progress #2', faultType: 'toxic', detail: 'after progress' }),
    ...extra,
    e(57, closeAt, { kind: 'ws_close', conn: 1, code: closeCode, by: 'client' }),
  ];
}

describe('a limit_data toxic that cut nothing tested nothing (report card, 4.12 on 0.3.44)', () => {
  it('no socket cut (1006) in its window or a second after, the client closing normally (1000), no request made: it acted on nothing, and says why', () => {
    const unfired = unfiredFaults(trace(3_905, 1_000), scenario);
    expect(unfired).toHaveLength(1);
    expect(unfired[0]).toMatchObject({ faultType: 'toxic', firedAt: 19 });
    expect(unfired[0]!.why).toMatch(/no WebSocket was cut \(closed 1006\) while it was in force \(600 ms, and 1000 ms after\) and no request was made: fewer than 2048 bytes/);
  });

  it('a socket cut 400 ms after it fired (1006): it acted', () => {
    expect(unfiredFaults(trace(3_026, 1_006), scenario)).toEqual([]);
  });

  it('a request in its window may have been the one cut (the server trace cannot tell): not judged unfired', () => {
    const poll = { seq: 30, t: 2_900, wall: 2_900, kind: 'http', method: 'GET', path: '/history/p1', query: '', status: 200 } as TraceEvent;
    expect(unfiredFaults(trace(3_905, 1_000, [poll]), scenario)).toEqual([]);
  });
});
