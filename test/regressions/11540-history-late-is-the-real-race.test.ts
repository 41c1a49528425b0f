import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';

/**
 * ComfyUI#11540 is "execution_success before history", not "a finished prompt in neither /queue
 * nor /history" (execution.py `PromptQueue.task_done`; docs/comfyui-protocol.md). Clients that are
 * right against the real server pass the #11540 scenarios; clients that are wrong still fail them;
 * and the lagging-replica behaviour the simulator used to call #11540 is scenario 3.12.
 */
const root = join(import.meta.dirname, '../..');
const driver = (label: string, file: string) => driverClient(label, { command: process.execPath, args: [join(root, file)] }, { cwd: root });
const websocketExample = driver('websocket example', 'clients/naive/no-reconnect.mjs');
const queueThenHistory = driver('queue then history', 'test/regressions/drivers/queue-then-history.mjs');
const historyOnSuccess = driver('history on execution_success', 'test/regressions/drivers/history-on-success.mjs');
const referenceDriver = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });

async function verdictOf(client: ReturnType<typeof driver>, id: string) {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, client, { transport: 'network', seed: 5, replay: `scenario ${id}` });
  return { id, verdict: result.verdict, invariants: result.findings.map((f) => f.invariant) };
}

describe('history_late is the real #11540 race', () => {
  it('passes ComfyUI\'s websocket example (executing{node:null}, then /history once), a /queue-then-/history poller, and the reference driver where the socket also dies', async () => {
    // 3.11 and 7.3 also drop the socket: a client without one is inconclusive there, not judged.
    const runs = await Promise.all([
      verdictOf(websocketExample, '3.6'),
      verdictOf(websocketExample, '3.10'),
      verdictOf(queueThenHistory, '3.6'),
      verdictOf(queueThenHistory, '3.10'),
      verdictOf(referenceDriver, '3.11'),
      verdictOf(referenceDriver, '7.3'),
    ]);
    expect(runs.map((r) => [r.id, r.verdict, r.invariants])).toEqual(runs.map((r) => [r.id, 'pass', []]));
  });

  it('still fails a client that reads /history on execution_success, and the poller behind a lagging replica', async () => {
    const [early, lagging] = await Promise.all([verdictOf(historyOnSuccess, '3.6'), verdictOf(queueThenHistory, '3.12')]);
    expect(early.verdict).toBe('fail');
    expect(early.invariants).toContain('right-outputs');
    expect(lagging.verdict).toBe('fail');
    expect(lagging.invariants).toContain('no-lost-completion');
  });
});
