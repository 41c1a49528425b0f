import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/harness/run-plan.ts';
import { scenario as scenarioSchema } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../helpers/graphs.ts';

/**
 * The time a client takes to start is not time the server has been quiet: a relay that took
 * 20 s to start under load had its run ended 4 s after its first job was posted (Spring relay,
 * 8.1 and 8.14, in CI), with no-lost-completion and submissions-flow charged to it.
 */
const root = join(import.meta.dirname, '../../..');
const slowDriver = `${process.execPath} ${join(root, 'test/helpers/drivers/slow-start.mjs')}`;

describe('a client that is slow to start', () => {
  it('gets its whole recovery bound from when it is up, not from when the run began', async () => {
    // Start-up (7 s) is longer than the recovery bound (1 s) plus the 5 s allowed before anything is queued.
    const scenario = scenarioSchema.parse({
      id: '9.50',
      name: 'slow-start',
      purpose: 'a correct client that takes 7 s to start completes a job posted after it is up',
      jobs: [{ id: 'j1', prompt: sleepGraph(1_500, 3), submitAtMs: 300 }],
      recoveryBoundMs: 1_000,
      latencyBoundMs: 5_000,
      maxRunMs: 30_000,
    });
    const reportDir = join(mkdtempSync(join(tmpdir(), 'cc-slow-start-')), 'report');
    const out = { write: () => true } as unknown as NodeJS.WritableStream;
    const [result] = await executePlan({ scenarios: [scenario], clients: [slowDriver], transport: 'network', seed: 1, concurrency: 1, reportDir, strict: false }, out);
    expect(result!.findings.filter((f) => !f.informational), JSON.stringify(result!.findings)).toEqual([]);
    expect(result!.verdict).toBe('pass');
    expect(result!.counts).toMatchObject({ acknowledged: 1, completedOnServer: 1, reported: 1 });
  }, 60_000);
});
