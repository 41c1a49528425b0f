import type { InvariantName } from '../../scenarios/scenario.ts';
import type { ClientUnderTest } from '../adapters/client-under-test.ts';
import { hunt, type HuntBug, type HuntProgress, type HuntReport } from '../hunt/engine.ts';
import { writeHuntOutput } from '../hunt/output.ts';
import { searchReplayCommand } from '../hunt/replay.ts';
import type { ScenarioCase } from '../hunt/run-case.ts';
import type { ScenarioResult } from '../result.ts';
import type { Transport } from '../runner.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../toxiproxy/index.ts';

/** The name of the shrunk scenario file in a fuzz run's output directory. */
export const SHRUNK_SCENARIO_FILE = 'shrunk-scenario.yaml';

export interface FuzzOptions {
  /** The client under test. */
  client: ClientUnderTest;
  /** How the CLI names it (`reference`, `reference:<mutant>`, a driver command) [default `client.name`] */
  clientSpec?: string;
  /** Scenarios to try, the plain job's runs included [default 1000 on memory, 10 on network] */
  runs?: number;
  /** Seed of the search [default random]; with `path`, replays one counterexample exactly. */
  seed?: number;
  /** Search path printed by an earlier failure (`"random-12:3:0"`): runs that one case, found again from `seed`. */
  path?: string;
  /** [default memory] memory: virtual time, thousands of scenarios a minute; network: real sockets and Toxiproxy. */
  transport?: Transport;
  /** Stop searching (and shrinking) after this long, in ms of real time [default 300 s] */
  maxTimeMs?: number;
  /** Where a failure's shrunk scenario, bugs.json, trace and report go [default: nothing is written] */
  outDir?: string;
  /** The property: only a failure that breaks one of these counts [default every invariant] */
  invariants?: readonly InvariantName[];
  /** Scenarios at once [default the hunt's: 2 on memory, 8 on network] */
  concurrency?: number;
  /** For the network transport: the Toxiproxy between client and simulators (or why there is none). */
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  /** Told after every run, shrinking included. */
  onProgress?: (p: HuntProgress) => void;
}

/** What a search found: plain data, as fast-check's RunDetails was, with the shrunk case and its run. */
export interface FuzzReport {
  seed: number;
  transport: Transport;
  clientSpec: string;
  /** Scenarios run before the first failure, or all of them. */
  numRuns: number;
  numSkips: number;
  /** Smaller failing cases kept while shrinking (the steps of the path after its first part). */
  numShrinks: number;
  /** Every scenario run, shrinking included. */
  scenariosRun: number;
  /** The time limit ended the search, or the shrinking, early (not `runs`: trying them all is the search's end). */
  interrupted: boolean;
  wallMs: number;
  schedulesPerSecond: number;
  failure?: FuzzFailure;
  /** The engine's report: coverage, harness errors (a bug of comfy-chaos, never the client's). */
  hunt: HuntReport;
}

export interface FuzzFailure {
  /** The shrunk case's search path; `{ seed, path }` replays it. */
  path: string;
  case: ScenarioCase;
  result: ScenarioResult;
  /** The commands that fail again: the shrunk scenario file, and the search's own replay. */
  commands: { run: string; fuzz: string };
  /** Files written when `outDir` was given: the shrunk scenario and the report. */
  files?: { scenario: string; report: string[] };
  /** What the engine made of it (summary, signature, shrinking). */
  bug: HuntBug;
}

/**
 * The single-property search (issues 5 and 15): the hunt's engine (src/harness/hunt/engine.ts)
 * stopped at its first bug, `hunt --first` with an optional invariant filter. The same cases in
 * the same order as the hunt of that seed (the plain job, every fault kind at every phase, pairs,
 * then the generated scenarios of src/scenarios/arbitraries), the same runner, shrinker and
 * replay. With `outDir`, writes the shrunk case as `<outDir>/shrunk-scenario.yaml` with its trace,
 * report and bugs.json. Never throws for a failing client: the failure is in the report.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const transport = options.transport ?? 'memory';
  const clientSpec = options.clientSpec ?? options.client.name;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runs = options.runs ?? (transport === 'memory' ? 1000 : 10);
  const maxTimeMs = options.maxTimeMs ?? 300_000;
  const report = await hunt({
    client: options.client,
    clientSpec,
    transport,
    seed,
    first: true,
    maxScenarios: runs,
    maxTimeMs,
    scenarioFileName: () => SHRUNK_SCENARIO_FILE,
    ...(options.outDir === undefined ? {} : { outDir: options.outDir }),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.invariants ? { invariants: options.invariants } : {}),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const bug = report.bugs[0];
  const fuzzReport: FuzzReport = {
    seed,
    transport,
    clientSpec,
    numRuns: bug ? bug.foundAfter : report.scenarios,
    numSkips: report.coverage.verdicts.skipped ?? 0,
    numShrinks: bug ? (bug.shrunk.case.path ?? '').split(':').length - (bug.first.case.path ?? '').split(':').length : 0,
    scenariosRun: report.scenarios,
    interrupted: (report.interrupted && report.wallMs >= maxTimeMs) || (bug !== undefined && !bug.shrinkDone),
    wallMs: report.wallMs,
    schedulesPerSecond: report.perSecond,
    hunt: report,
  };
  if (!bug) return fuzzReport;
  const path = bug.shrunk.case.path ?? '';
  const failure: FuzzFailure = {
    path,
    case: { scenario: bug.shrunk.scenario, runSeed: bug.shrunk.case.runSeed },
    result: bug.shrunk.result,
    commands: { run: bug.replay, fuzz: searchReplayCommand({ clientSpec, transport, seed, path }) },
    bug,
  };
  if (options.outDir !== undefined) {
    const written = writeHuntOutput(options.outDir, report, failure.commands.fuzz);
    failure.files = { scenario: bug.scenarioFile, report: written.filter((f) => f !== bug.scenarioFile) };
  }
  fuzzReport.failure = failure;
  return fuzzReport;
}
