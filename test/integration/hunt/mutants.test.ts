import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import type { ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { hunt, writeHuntOutput, type HuntReport } from '../../../src/harness/hunt/index.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { scenario as scenarioSchema } from '../../../src/scenarios/scenario.ts';
import type { MutantName } from '../../../src/reference-client/mutants.ts';
import { main } from '../../../src/cli/main.ts';

/**
 * The hunt against named mutants of the reference client (issue 15), memory transport, fixed
 * seed, one scenario at a time (the order of cases is then the same on every machine). Bounded by
 * a scenario budget and a generous time limit, never asserted on time.
 */
const seed = 1;
const out = mkdtempSync(join(tmpdir(), 'cc-hunt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const mutant = (m: MutantName) => referenceClient(`reference:${m}`, { mutation: m });
const huntOf = (client: ClientUnderTest, extra: Partial<Parameters<typeof hunt>[0]> = {}) =>
  hunt({ client, clientSpec: client.name, seed, concurrency: 1, maxTimeMs: 240_000, maxScenarios: 120, ...extra });

/** The invariant each planted bug breaks. */
const planted: [MutantName, string][] = [
  ['bom-not-stripped', 'no-lost-completion'],
  ['no-dedupe-polling-websocket', 'exactly-once'],
  ['deaf-socket-detection-off', 'no-hang'],
  ['lost-reported-as-completed', 'no-phantom'],
];

/**
 * The whole search (not `first`), within the budget: the planted bug is a bucket, and every bucket
 * found is the planted bug's doing (it breaks the planted invariant; the clean client passes its
 * shrunk scenario). One planted bug may have two buckets when two fault families reach it
 * (no-dedupe-polling-websocket: after a lost socket, and after a duplicated success frame).
 */
describe('hunt finds the planted bug of each mutant as its own bucket, shrunk to at most 2 faults', () => {
  const reports = new Map<MutantName, HuntReport>();
  for (const [name, invariant] of planted) {
    it(name, { timeout: 300_000 }, async () => {
      const report = await huntOf(mutant(name), { outDir: join(out, name) });
      reports.set(name, report);
      expect(report.harnessErrors).toEqual([]);
      expect(report.bugs.length).toBeGreaterThan(0);
      for (const bug of report.bugs) {
        expect(bug.signature.invariants, bug.summary).toContain(invariant);
        expect(bug.shrunk.case.faults.length).toBeLessThanOrEqual(2);
        expect(bug.shrunk.result.verdict).toBe('fail');
        // The planted bug's doing: the unmutated client passes the very same shrunk scenario.
        const clean = await runScenario(scenarioSchema.parse(bug.shrunk.scenario), referenceClient(), { transport: 'memory', seed: bug.shrunk.case.runSeed, replay: '' });
        expect(['pass', 'degraded', 'non-strict']).toContain(clean.verdict);
      }
    });
  }

  it('every bugs.json replay command fails again when run', { timeout: 300_000 }, async () => {
    expect(reports.size).toBe(planted.length);
    for (const [name, report] of reports) {
      const dir = join(out, name);
      writeHuntOutput(dir, report, 'comfy-chaos hunt (test)');
      const json = JSON.parse(readFileSync(join(dir, 'bugs.json'), 'utf8')) as { bugs: { replay: string; scenarioFile: string }[] };
      expect(json.bugs.length).toBeGreaterThan(0);
      for (const bug of json.bugs) {
        const argv = bug.replay.split(' ');
        expect(argv.slice(0, 2)).toEqual(['comfy-chaos', 'run']);
        const code = await main([...argv.slice(1), '--report', join(dir, 'replay')]);
        expect(code, bug.replay).toBe(1);
      }
    }
  });
});
