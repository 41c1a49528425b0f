import fc from 'fast-check';
import { generatedScenario, type GeneratedScenarioConstraints } from '../../scenarios/arbitraries/index.ts';
import { scenario as scenarioSchema, type ScenarioInput } from '../../scenarios/scenario.ts';
import type { ClientUnderTest } from '../adapters/client-under-test.ts';
import { defaultFailOn, type ScenarioResult } from '../result.ts';
import { runScenario, type Transport } from '../runner.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../toxiproxy/index.ts';

/** One case of the search: a generated scenario and the seed its simulators and client run with. */
export interface FuzzCase {
  scenario: ScenarioInput;
  /** Seed of the run (simulators, client jitter and ids): `comfy-chaos run --seed`. */
  runSeed: number;
}

/** The cases the search draws: generated scenarios, each with its own run seed. */
export function fuzzCase(constraints: GeneratedScenarioConstraints = {}): fc.Arbitrary<FuzzCase> {
  return fc.record({ scenario: generatedScenario(constraints), runSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });
}

/**
 * The property's judgement of one result: it holds unless the verdict is one CI fails on by
 * default (`fail`, or `harness-error`: a bug of ours the search must not hide). `inconclusive` (a
 * generated fault that never fired, common in random schedules), `non-strict` and `degraded` hold.
 */
export function verdictHolds(result: Pick<ScenarioResult, 'verdict'>): boolean {
  return !defaultFailOn.includes(result.verdict);
}

export interface RunCaseOptions {
  client: ClientUnderTest;
  transport: Transport;
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  /** The replay command to record in the result. */
  replay?: (c: FuzzCase) => string;
}

/** Runs one case exactly as `comfy-chaos run --scenario <file> --seed <runSeed>` would. */
export function runCase(c: FuzzCase, options: RunCaseOptions): Promise<ScenarioResult> {
  return runScenario(scenarioSchema.parse(c.scenario), options.client, {
    transport: options.transport,
    seed: c.runSeed,
    replay: options.replay?.(c) ?? '',
    ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}),
  });
}

/** A property failure that carries the run's result, so the failure message names the invariant. */
export class ScenarioFailed extends Error {
  override name = 'ScenarioFailed';
  readonly code = 'CC_ERR_SCENARIO_FAILED';
  constructor(readonly result: ScenarioResult) {
    super(`${result.scenario.name}: ${result.verdict}: ${result.reason ?? 'no reason given'}`);
  }
}

/**
 * The search's property (issue 5): every generated scenario, run against `client`, is judged
 * `pass` or `degraded` by the oracle (no lost completion, exactly once, no phantom, failures
 * visible, no hang, isolation, locking, progress, expected outcome). A skipped run (say, a
 * Toxiproxy fault without Toxiproxy) is not a case (`fc.pre`). `onResult` sees every run.
 */
export function scenarioProperty(
  options: RunCaseOptions & { constraints?: GeneratedScenarioConstraints; onResult?: (c: FuzzCase, r: ScenarioResult) => void },
): fc.IAsyncPropertyWithHooks<[FuzzCase]> {
  return fc.asyncProperty(fuzzCase(options.constraints), async (c) => {
    const result = await runCase(c, options);
    options.onResult?.(c, result);
    fc.pre(result.verdict !== 'skipped');
    if (!verdictHolds(result)) throw new ScenarioFailed(result);
  });
}
