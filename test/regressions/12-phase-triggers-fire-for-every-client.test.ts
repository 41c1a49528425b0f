import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';

/**
 * Issue 12, point 2: a scenario that means a phase of the job fires for every client. A client
 * that submits without client_id gets no execution_start or executed (ComfyUI sends them to the
 * prompt's client only); "restart before execution_start" (5.8) and "socket dies before executed"
 * (2.3) used to never fire for it, and 5.8 failed it with "expected lost, the client reported
 * completed". Their triggers are now server phases (prompt started, output node finished).
 */
const root = join(import.meta.dirname, '../..');
const pollerWithoutClientId = (...more: string[]) =>
  driverClient(
    `poller without client_id ${more.join(' ')}`,
    { command: process.execPath, args: [join(root, 'test/regressions/drivers/queue-then-history.mjs'), '--no-client-id', ...more] },
    { cwd: root },
  );

async function run(id: string, ...more: string[]) {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, pollerWithoutClientId(...more), { transport: 'network', seed: 2, replay: `scenario ${id}` });
  const submittedWithoutClientId = result.trace.some((e) => e.kind === 'prompt' && e.event === 'queued' && e.clientId === null);
  return { verdict: result.verdict, invariants: result.findings.map((f) => f.invariant), fired: result.trace.filter((e) => e.kind === 'fault').length, submittedWithoutClientId };
}

describe('phase triggers fire for a client without client_id', () => {
  it('restart as prompt 1 starts (5.8) and the drop before executed (2.3) both happen, and the poller gets the right verdicts', async () => {
    // 2.3 drops sockets: the client keeps one open (without a clientId), or the drop reaches nobody.
    const [restart, drop] = await Promise.all([run('5.8'), run('2.3', '--socket')]);
    expect(restart).toEqual({ verdict: 'pass', invariants: [], fired: 1, submittedWithoutClientId: true });
    expect(drop).toEqual({ verdict: 'pass', invariants: [], fired: 1, submittedWithoutClientId: true });
  });
});
