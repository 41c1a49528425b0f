import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceClient } from '../../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { loadScenarioFile } from '../../src/scenarios/scenario-file.ts';

/**
 * Bugs the property search found in the reference client, fixed: each shrunk scenario (its header
 * says what it found) must now pass. Before the fixes, the first failed no-hang and the others
 * no-lost-completion (test/property/findings.test.ts pinned them).
 */
const dir = join(import.meta.dirname, 'scenarios');

describe('regressions found by the property search', () => {
  it('has the fixed findings', () => {
    expect(readdirSync(dir).sort()).toEqual([
      'hung-submit-retries-ended-too-early.yaml',
      'lost-check-not-retried-after-queue-error.yaml',
      'lost-while-history-late-and-socket-silent.yaml',
      'resync-read-timeout-not-retried.yaml',
    ]);
  });

  for (const file of readdirSync(dir)) {
    it(`${file} passes`, async () => {
      const [s] = loadScenarioFile(join(dir, file));
      const r = await runScenario(s!, referenceClient(), { transport: 'memory', seed: 0, replay: '' });
      expect(r.findings.filter((f) => !f.informational)).toEqual([]);
      expect(['pass', 'degraded']).toContain(r.verdict);
    });
  }
});
