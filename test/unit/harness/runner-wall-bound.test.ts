import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/protocol/index.ts';
import type { ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import type { ReferenceStartContext } from '../../../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

/**
 * An in-process client whose every step costs real time: it never submits, and keeps a timer
 * running every 10 ms of virtual time that busy-waits 2 ms of real time. Six hours of virtual
 * time would take minutes of real time; only the wall-clock bound stops it.
 */
const slowClient: ClientUnderTest = {
  name: 'slow-in-process',
  transports: ['memory'],
  async start(context: ReferenceStartContext) {
    const clock: Clock = context.inProcess!.clock;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      const until = Date.now() + 2;
      while (Date.now() < until) {
        // burn real time, as a pathological workload does
      }
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    return {
      submit() {},
      cancel() {},
      async shutdown() {
        stopped = true;
        return { code: 0, signal: null, stderrTail: [] };
      },
    };
  },
};

describe('runScenario wall-clock bound (issue 11)', () => {
  it('stops a memory run that takes too long in real time, with an internal_error saying so', async () => {
    const s = scenario.parse({
      id: '9.1',
      name: 'slow-steps',
      purpose: 'every virtual step is slow',
      jobs: [{ id: 'j1', prompt: sleepGraph(10) }],
      maxRunMs: 21_600_000,
      recoveryBoundMs: 21_000_000,
    });
    const result = await runScenario(s, slowClient, { transport: 'memory', seed: 1, replay: '', wallBoundMs: 300 });
    const errors = result.trace.filter((e) => e.kind === 'internal_error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ where: 'harness', message: expect.stringMatching(/^the run took more than 300 ms of real time .* and was stopped at \d+ ms of its own clock$/) });
    // Stopped long before its virtual bound: it did not run six hours of 2 ms steps.
    expect(result.runMs).toBeLessThan(s.maxRunMs / 10);
    expect(result.verdict).toBe('harness-error');
  });
});
