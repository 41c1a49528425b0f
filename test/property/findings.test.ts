import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceClient } from '../../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { loadScenarioFile } from '../../src/scenarios/scenario-file.ts';

/**
 * What the search found in the reference client (shrunk scenario files in findings/), pinned as
 * they fail today, with the invariant they break. The generators avoid them (see the
 * constraints of src/scenarios/arbitraries/fault.ts and generated-scenario.ts) so that the
 * search keeps looking elsewhere. When the client is fixed, a test here fails: move the file to
 * test/regressions/scenarios/ as a scenario that must pass (three already are), and lift the generator's constraint.
 */
const known: Record<string, string> = {
  'end-of-job-frames-dropped.yaml': 'no-lost-completion',
};
const dir = join(import.meta.dirname, 'findings');

describe('findings of the search in the reference client', () => {
  it('every finding file is listed here', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(known).sort());
  });

  for (const [file, invariant] of Object.entries(known)) {
    it(`${file} still fails ${invariant}`, async () => {
      const [s] = loadScenarioFile(join(dir, file));
      const r = await runScenario(s!, referenceClient(), { transport: 'memory', seed: 0, replay: '' });
      expect(r.verdict).toBe('fail');
      expect(r.findings.filter((f) => !f.informational).map((f) => f.invariant)).toContain(invariant);
    });
  }
});
