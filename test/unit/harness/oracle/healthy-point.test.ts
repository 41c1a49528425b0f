import { describe, expect, it } from 'vitest';
import { healthyPoint } from '../../../../src/harness/oracle/healthy-point.ts';
import { ServerProgress } from '../../../../src/harness/server-progress.ts';
import { describeFault } from '../../../../src/protocol/index.ts';
import { scenarioWith, TraceBuilder } from './trace-builder.ts';

// Scenario 3.1's fault: the first four reads of /history answer 500. A client that polls every
// 3 s (comfyapi) meets the fourth 500 about 12 s after the fault fired; its recovery bound
// starts there, not when the fault fired (a false alarm found on comfyapi 2.0.1).
const scenario = scenarioWith({ faults: [{ type: 'http_status', path: '/history/*', status: 500, times: 4, at: { on: 'time', afterMs: 0 } }] });
const fault = scenario.faults[0]!;

function slowPollerTrace() {
  const b = new TraceBuilder();
  b.at(0).add({ kind: 'fault', fault: describeFault(fault), faultType: fault.type });
  b.at(100).add({ kind: 'prompt', event: 'queued', promptId: 'p1' });
  b.at(1_000).add({ kind: 'prompt', event: 'success', promptId: 'p1' });
  for (const t of [3_000, 6_000, 9_000, 12_000]) {
    b.at(t).add({ kind: 'http', method: 'GET', path: '/history/p1', query: '', status: 500, fault: 'http_status 500' });
  }
  return b.events;
}

describe('the healthy point after an HTTP fault with times', () => {
  it('is the last answer the fault shaped, however slowly the client polls', () => {
    const point = healthyPoint(slowPollerTrace(), scenario);
    expect(point.t).toBe(12_000);
    expect(point.why).toMatch(/last answer shaped by fault "http_status 500"/);
  });

  it('keeps the run waiting while faulted answers still come', () => {
    const progress = new ServerProgress(scenario.faults);
    for (const e of slowPollerTrace()) progress.observe(e);
    // 5 s after the server's success the slow poller is still meeting 500s: not yet hopeless.
    expect(progress.doneFor(12_500, 5_000)).toBe(false);
    expect(progress.doneFor(17_100, 5_000)).toBe(true);
  });

  it('is the fault itself when no answer was ever shaped by it', () => {
    const events = slowPollerTrace().filter((e) => e.kind !== 'http');
    expect(healthyPoint(events, scenario)).toMatchObject({ t: 0, why: `fault "${describeFault(fault)}"` });
  });
});
