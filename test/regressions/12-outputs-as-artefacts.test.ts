import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../src/harness/runner.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';

/**
 * Issue 12, point 7: catalogue jobs save real PNGs, and right-outputs compares artefacts. An SDK
 * that hands back the image bytes (from /view, no file names) used to fail right-outputs on shape
 * alone; now it passes, and one that hands back a preview frame instead still fails.
 */
const root = join(import.meta.dirname, '../..');
const viewBytes = (...args: string[]) =>
  driverClient(`view bytes ${args.join(' ')}`, { command: process.execPath, args: [join(root, 'test/regressions/drivers/view-bytes.mjs'), ...args] }, { cwd: root });

async function run(client: ReturnType<typeof viewBytes>, id: string) {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, client, { transport: 'network', seed: 4, replay: `scenario ${id}` });
  return { verdict: result.verdict, findings: result.findings };
}

describe('outputs are compared as artefacts', () => {
  it('passes a client that delivers the saved PNG as bytes, and fails one that delivers a preview frame', async () => {
    const [fresh, cached, preview] = await Promise.all([run(viewBytes(), '6.1'), run(viewBytes(), '7.6'), run(viewBytes('--preview'), '1.8')]);
    expect(fresh).toEqual({ verdict: 'pass', findings: [] });
    expect(cached).toEqual({ verdict: 'pass', findings: [] });
    expect(preview.verdict).toBe('fail');
    expect(preview.findings.find((f) => f.invariant === 'right-outputs')?.message).toMatch(/JPEG was delivered \(a preview frame\?\)/);
  });
});
