import { describe, expect, it } from 'vitest';
import { driverClient, expectScenario, referenceClient, runNamedScenario, ScenarioAssertionError, startSimulator } from 'comfy-chaos/vitest';

// This file uses the helpers exactly as the README shows a client project doing it.
describe('comfy-chaos/vitest helpers', () => {
  it('the reference client passes 2.3 (socket dies just before executed), in virtual time', async () => {
    await expectScenario('2.3', referenceClient()).toPass();
  });

  it('the naive driver (no reconnect) fails 2.3 with no-lost-completion, on the network', async () => {
    await expectScenario('2.3', driverClient('naive', 'node clients/naive/no-reconnect.mjs')).toFailWith('no-lost-completion');
  });

  it('a verdict that is not the expected one throws an assertion error with the findings and the replay command', async () => {
    const naive = driverClient('naive', 'node clients/naive/no-reconnect.mjs');
    const error = await expectScenario('2.3', naive).toPass().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioAssertionError);
    const assertion = error as ScenarioAssertionError;
    expect(assertion.code).toBe('CC_ERR_SCENARIO_ASSERTION');
    expect(assertion.message).toMatch(/^expected scenario 2\.3 against naive to pass, got:\nfail {2}2\.3 terminate-between-executing-and-executed \[naive\]/);
    expect(assertion.message).toMatch(/no-lost-completion \(job j1\): .*trace lines \d+/);
    expect(assertion.message).toMatch(/\nreplay: comfy-chaos run --client naive --scenario 2\.3 --transport network --seed 1$/);
    expect(assertion.result.verdict).toBe('fail');
  });

  it('runNamedScenario returns the judged result, and an unknown invariant is refused by name', async () => {
    const result = await runNamedScenario('terminate-mid-progress', referenceClient(), { seed: 7 });
    expect(result).toMatchObject({ verdict: 'pass', transport: 'memory', seed: 7, scenario: { id: '2.2' } });
    expect(result.trace.length).toBeGreaterThan(10);
    await expect(expectScenario('2.2', referenceClient()).toFailWith('no-such-thing' as never)).rejects.toThrow(/unknown invariant "no-such-thing" \(known: no-lost-completion, /);
  });

  it('startSimulator serves a ComfyUI on 127.0.0.1 until closed', async () => {
    const sim = await startSimulator({ seed: 3 });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.wsUrl).toBe(`${sim.url.replace('http', 'ws')}/ws`);
      const queue = await (await fetch(`${sim.url}/queue`)).json();
      expect(queue).toEqual({ queue_running: [], queue_pending: [] });
    } finally {
      await sim.close();
    }
    await expect(fetch(`${sim.url}/queue`)).rejects.toThrow();
  });
});
