import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clientFromSpec } from '../../src/harness/client-spec.ts';
import { fuzz, runCase, type FuzzReport } from '../../src/harness/fuzz/index.ts';
import { scenario } from '../../src/scenarios/scenario.ts';
import { loadScenarioFile } from '../../src/scenarios/scenario-file.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/**
 * Issue 5, "must show": the search finds a planted bug from a random seed within a bounded number
 * of runs, shrinks it to at most 3 faults, and the shrunk scenario fails again with the same
 * invariant: run in-process with the same seed, run by the CLI from the scenario file, and
 * replayed by the search from `{ seed, path }`.
 *
 * The mutant: no deaf-socket detection (a socket that is open but silent, ComfyUI#16010 and
 * #15240, is trusted for ever). The seed is random and printed; FUZZ_SEED=<n> replays it.
 */
const mutant = 'reference:deaf-socket-detection-off';
const seed = fuzzSeed(Math.floor(Math.random() * 2 ** 31));
const runs = fuzzRuns(400);
const exec = promisify(execFile);
const failing = (r: { findings: { invariant: string; informational?: boolean }[] }) => [...new Set(r.findings.filter((f) => !f.informational).map((f) => f.invariant))].sort();

describe(`the search against ${mutant} (seed ${seed}; FUZZ_SEED=${seed} replays it)`, () => {
  const out = mkdtempSync(join(tmpdir(), 'cc-planted-'));
  let report: FuzzReport;

  it(`finds it within ${runs} runs and shrinks it to at most 3 faults`, async () => {
    report = await fuzz({ client: clientFromSpec(mutant), clientSpec: mutant, runs, seed, outDir: out, maxTimeMs: 45_000 });
    expect(report.failure, `no counterexample in ${report.numRuns} runs (seed ${seed})`).toBeDefined();
    const f = report.failure!;
    expect(f.case.scenario.faults!.length).toBeLessThanOrEqual(3);
    expect(f.result.verdict).toBe('fail');
    expect(f.commands.run).toBe(`comfy-chaos run --client ${mutant} --scenario ${join(out, 'shrunk-scenario.yaml')} --transport memory --seed ${f.case.runSeed}`);
    expect(f.commands.fuzz).toBe(`comfy-chaos fuzz --client ${mutant} --transport memory --seed ${seed} --path ${f.path}`);
  }, 120_000);

  it('writes the shrunk scenario as a scenario file next to its trace and report', () => {
    const f = report.failure!;
    expect(f.files!.scenario).toBe(join(out, 'shrunk-scenario.yaml'));
    expect(loadScenarioFile(f.files!.scenario)).toEqual([scenario.parse(f.case.scenario)]);
    expect(readdirSync(out).filter((n) => n.startsWith('trace-') && n.endsWith('.jsonl'))).toHaveLength(1);
    for (const name of ['index.html', 'results.json', 'junit.xml', 'summary.md']) expect(existsSync(join(out, name))).toBe(true);
  });

  it('fails again with the same invariant when the shrunk scenario runs with the same seed', async () => {
    const f = report.failure!;
    const again = await runCase(f.case, { client: clientFromSpec(mutant), transport: 'memory' });
    expect(again.verdict).toBe('fail');
    expect(failing(again)).toEqual(failing(f.result));
    // ... and the same client without the planted bug passes it.
    const fixed = await runCase(f.case, { client: clientFromSpec('reference'), transport: 'memory' });
    expect(['pass', 'degraded']).toContain(fixed.verdict);
  });

  it('fails again with the same invariant through the CLI: run --scenario shrunk-scenario.yaml', async () => {
    const f = report.failure!;
    const reportDir = join(out, 'cli-run');
    const args = ['bin/comfy-chaos.js', 'run', '--client', mutant, '--scenario', f.files!.scenario, '--transport', 'memory', '--seed', String(f.case.runSeed), '--report', reportDir];
    const code = await exec(process.execPath, args, { cwd: join(import.meta.dirname, '../..') }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    expect(code).toBe(1);
    const results = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8')) as { results: { verdict: string; findings: { invariant: string }[] }[] };
    expect(results.results[0]!.verdict).toBe('fail');
    expect(failing(results.results[0]!)).toEqual(failing(f.result));
  }, 120_000);

  it('replays exactly from { seed, path }', async () => {
    const f = report.failure!;
    const replayed = await fuzz({ client: clientFromSpec(mutant), clientSpec: mutant, seed, path: f.path, runs });
    expect(replayed.failure?.case).toEqual(f.case);
    expect(replayed.failure?.path).toBe(f.path);
  }, 120_000);
});
