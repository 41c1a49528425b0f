import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { clientFromSpec } from '../../../src/harness/client-spec.ts';
import { fuzz } from '../../../src/harness/fuzz/index.ts';
import { hunt } from '../../../src/harness/hunt/index.ts';
import { loadScenarioFile } from '../../../src/scenarios/scenario-file.ts';

/**
 * One search engine (issue 15): `fuzz` and `hunt --first` are one engine, not two. Run through the
 * CLI as a user runs them, from the same seed against the same mutant of the reference client,
 * they find the same planted bug at the same search path and shrink it to the same scenario; each
 * printed replay command, run as printed, fails again. Memory transport, one scenario at a time,
 * bounded by a scenario budget, never asserted on time.
 */
const mutant = 'reference:lost-reported-as-completed';
const seed = '4';
const out = mkdtempSync(join(tmpdir(), 'cc-one-engine-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the CLI in-process and returns its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; text: string }> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    const code = await main(args);
    return { code, text: written.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  }
}

/** The argv of a printed `comfy-chaos ...` command (their arguments here need no shell quoting). */
const argvOf = (command: string) => command.split(' ').slice(1);

describe('fuzz and hunt --first are one engine', () => {
  const fuzzOut = join(out, 'fuzz');
  const huntOut = join(out, 'hunt');
  let fuzzText = '';
  let huntText = '';

  it('find the same bug from the same seed, at the same search path, shrunk to the same scenario', { timeout: 300_000 }, async () => {
    const fuzz = await cli(['fuzz', '--client', mutant, '--seed', seed, '--runs', '300', '--concurrency', '1', '--out', fuzzOut]);
    const hunt = await cli(['hunt', '--client', mutant, '--first', '--seed', seed, '--concurrency', '1', '--max-time', '240', '--out', huntOut]);
    fuzzText = fuzz.text;
    huntText = hunt.text;
    expect(fuzz.code, fuzz.text).toBe(1);
    expect(hunt.code, hunt.text).toBe(1);
    const fuzzPath = /\{ seed: 4, path: "([^"]+)" \}/.exec(fuzz.text)?.[1];
    const bugs = JSON.parse(readFileSync(join(huntOut, 'bugs.json'), 'utf8')) as { bugs: { searchPath: string; invariants: string[]; summary: string; scenarioFile: string }[] };
    expect(bugs.bugs).toHaveLength(1);
    expect(fuzzPath).toBe(bugs.bugs[0]!.searchPath);
    expect(bugs.bugs[0]!.invariants).toContain('no-phantom');
    expect(fuzz.text).toContain(`bug: ${bugs.bugs[0]!.summary}`);
    expect(loadScenarioFile(join(fuzzOut, 'shrunk-scenario.yaml'))).toEqual(loadScenarioFile(bugs.bugs[0]!.scenarioFile));
  });

  it('every replay command each printed fails again when run as printed', { timeout: 120_000 }, async () => {
    const commands = [
      /fails again: (comfy-chaos run .*)/.exec(fuzzText)?.[1],
      /replay the search: (comfy-chaos fuzz .*)/.exec(fuzzText)?.[1],
      /replay: (comfy-chaos run .*)/.exec(huntText)?.[1],
    ];
    for (const [i, command] of commands.entries()) {
      expect(command, `command ${i} not printed`).toBeDefined();
      const extra = command!.includes(' run ') ? ['--report', join(out, `replay-${i}`)] : [];
      const again = await cli([...argvOf(command!), ...extra]);
      expect(again.code, `${command}\n${again.text}`).toBe(1);
    }
    // The search's replay runs the one case the path names: the shrunk case, and nothing else.
    const replayed = await cli(argvOf(commands[1]!));
    expect(replayed.text).toMatch(/counterexample after 1 runs, shrunk 0 times; 1 scenarios/);
  });

  it('the invariant filter is the property: a failure of another invariant is not a counterexample', { timeout: 120_000 }, async () => {
    const other = await cli(['fuzz', '--client', mutant, '--seed', seed, '--runs', '20', '--concurrency', '1', '--invariant', 'progress-monotonic']);
    expect(other.code, other.text).toBe(0);
    expect(other.text).toMatch(/ok: no counterexample in 20 runs/);
    const same = await cli(['fuzz', '--client', mutant, '--seed', seed, '--runs', '20', '--concurrency', '1', '--invariant', 'no-phantom']);
    expect(same.code, same.text).toBe(1);
  });

  it("a generated case's search path, shrinking steps and all, is found again by fuzz --path", { timeout: 120_000 }, async () => {
    const deaf = 'reference:deaf-socket-detection-off';
    // Random cases only: a bug of several faults, shrunk in several steps.
    const report = await hunt({ client: clientFromSpec(deaf), clientSpec: deaf, seed: 1, first: true, systematic: false, concurrency: 1, maxScenarios: 300, maxTimeMs: 100_000 });
    const bug = report.bugs[0]!;
    expect(bug.first.case.faults.length).toBeGreaterThan(1);
    expect(bug.shrunk.case.path).toMatch(/^random-\d+(:\d+)+$/);
    // The random part does not depend on the systematic one: fuzz's default search finds the case again.
    const replayed = await fuzz({ client: clientFromSpec(deaf), clientSpec: deaf, seed: 1, path: bug.shrunk.case.path! });
    expect(replayed.scenariosRun).toBe(1);
    expect(replayed.failure?.case.scenario).toEqual(bug.shrunk.scenario);
    expect(replayed.failure?.result.verdict).toBe('fail');
  });

  it('runs exactly --runs scenarios at any concurrency (a clean client: no counterexample)', { timeout: 120_000 }, async () => {
    for (const concurrency of [1, 4]) {
      const report = await fuzz({ client: clientFromSpec('reference'), clientSpec: 'reference', seed: 2, runs: 7, concurrency });
      expect(report.failure).toBeUndefined();
      expect([report.scenariosRun, report.numRuns, report.interrupted]).toEqual([7, 7, false]);
      expect(report.hunt.interrupted).toBe(true);
    }
  });

  it('an old fast-check path and a bad invariant are usage errors with the fix', async () => {
    const old = await cli(['fuzz', '--client', mutant, '--seed', seed, '--path', '12:3:0']);
    expect(old.code).toBe(2);
    expect(old.text).toMatch(/old fuzz .*shrunk-scenario\.yaml/);
    const bad = await cli(['fuzz', '--client', mutant, '--invariant', 'no-hangs']);
    expect(bad.code).toBe(2);
    expect(bad.text).toMatch(/unknown invariant "no-hangs"; the invariants are .*no-hang/);
  });
});
