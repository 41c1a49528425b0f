import fc from 'fast-check';
import { fuzzCase, runCase, type RunCaseOptions, type ScenarioCase } from '../../src/harness/fuzz/index.ts';
import { defaultFailOn, type ScenarioResult } from '../../src/harness/result.ts';
import type { GeneratedScenarioConstraints } from '../../src/scenarios/arbitraries/index.ts';

/**
 * The oracle as a fast-check property, for property tests that drive fast-check themselves (the
 * product's search is the hunt's engine; `fuzz` is its single-property form). Every generated
 * case (`fuzzCase`, run by the engine's `runCase`) holds unless its verdict is one CI fails on
 * by default: `fail`, or `harness-error` (a bug of ours a test must not hide). `inconclusive` (a
 * generated fault that never fired, common in random schedules), `non-strict` and `degraded`
 * hold. A skipped run (a Toxiproxy fault without Toxiproxy) is not a case (`fc.pre`).
 */
export function verdictHolds(result: Pick<ScenarioResult, 'verdict'>): boolean {
  return !defaultFailOn.includes(result.verdict);
}

/** A property failure that carries the run's result, so the failure message names the invariant. */
export class ScenarioFailed extends Error {
  override name = 'ScenarioFailed';
  constructor(readonly result: ScenarioResult) {
    super(`${result.scenario.name}: ${result.verdict}: ${result.reason ?? 'no reason given'}`);
  }
}

export function scenarioProperty(options: RunCaseOptions & { constraints?: GeneratedScenarioConstraints }): fc.IAsyncPropertyWithHooks<[ScenarioCase]> {
  return fc.asyncProperty(fuzzCase(options.constraints), async (c) => {
    const result = await runCase(c, options);
    fc.pre(result.verdict !== 'skipped');
    if (!verdictHolds(result)) throw new ScenarioFailed(result);
  });
}
