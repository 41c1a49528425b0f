import type { ComfyuiProfile } from '../../protocol/index.ts';
import type { Route } from '../../simulator/http/comfy-routes.ts';
import { scenario as scenarioSchema, type ScenarioInput } from '../../scenarios/scenario.ts';
import type { ClientUnderTest } from '../adapters/client-under-test.ts';
import type { ScenarioResult } from '../result.ts';
import { runScenario, type Transport } from '../runner.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../toxiproxy/index.ts';

/** A case as it runs: a scenario (scenario-file data) and the seed its simulators and client run with. */
export interface ScenarioCase {
  scenario: ScenarioInput;
  /** Seed of the run (simulators, client jitter and ids): `comfy-chaos run --seed`. */
  runSeed: number;
}

export interface RunCaseOptions {
  client: ClientUnderTest;
  transport: Transport;
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  comfyui?: ComfyuiProfile;
  /** Routes every simulator tries first: for tests of the harness itself (RunScenarioOptions). */
  simulatorRoutes?: Route[];
  /** The replay command to record in the result [default none] */
  replay?: string;
}

/**
 * Runs one case exactly as `comfy-chaos run --scenario <file> --seed <runSeed>` would: the one
 * runner of the search's cases (the hunt, `fuzz`, and the benches that time them).
 */
export function runCase(c: ScenarioCase, options: RunCaseOptions): Promise<ScenarioResult> {
  return runScenario(scenarioSchema.parse(c.scenario), options.client, {
    transport: options.transport,
    seed: c.runSeed,
    replay: options.replay ?? '',
    ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}),
    ...(options.comfyui ? { comfyui: options.comfyui } : {}),
    ...(options.simulatorRoutes ? { simulatorRoutes: options.simulatorRoutes } : {}),
  });
}
