import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import type { GeneratedScenarioConstraints } from '../../scenarios/arbitraries/index.ts';
import type { ClientUnderTest } from '../adapters/client-under-test.ts';
import { writeReport } from '../report/index.ts';
import type { ScenarioResult } from '../result.ts';
import type { Transport } from '../runner.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../toxiproxy/index.ts';
import { fuzzCommand, runCommand, SHRUNK_SCENARIO_FILE } from './commands.ts';
import { runCase, scenarioProperty, verdictHolds, type FuzzCase } from './property.ts';

export interface FuzzOptions {
  /** The client under test. */
  client: ClientUnderTest;
  /** How the CLI names it (`reference`, `reference:<mutant>`, a driver command) [default `client.name`] */
  clientSpec?: string;
  /** Generated scenarios to try [default 1000 on memory, 10 on network] */
  runs?: number;
  /** fast-check seed [default random]; with `path`, replays one counterexample exactly. */
  seed?: number;
  /** fast-check counterexample path (`"12:3:0"`) printed by an earlier failure. */
  path?: string;
  /** [default memory] memory: virtual time, thousands of scenarios a minute; network: real sockets and Toxiproxy. */
  transport?: Transport;
  /** Stop searching (and shrinking) after this long, in ms of real time [default no limit] */
  maxTimeMs?: number;
  /** Where a failure's shrunk scenario, trace and report go [default: nothing is written] */
  outDir?: string;
  /** What to generate [default {@link defaultFuzzConstraints} of the transport] */
  constraints?: GeneratedScenarioConstraints;
  /** For the network transport: the Toxiproxy between client and simulators (or why there is none). */
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  /** Told after every run, shrinking included. */
  onProgress?: (p: FuzzProgress) => void;
}

export interface FuzzProgress {
  /** Runs so far, shrinking included. */
  runs: number;
  /** Runs the search will make before shrinking. */
  planned: number;
  failures: number;
  phase: 'searching' | 'shrinking';
  /** The last run's result. */
  last: ScenarioResult;
}

/** What a search found: plain data (fast-check's RunDetails, with the shrunk case and its run). */
export interface FuzzReport {
  seed: number;
  transport: Transport;
  clientSpec: string;
  /** Cases tried before the first failure, or all of them. */
  numRuns: number;
  numSkips: number;
  numShrinks: number;
  /** Every scenario run, shrinking included. */
  scenariosRun: number;
  /** The time limit ended the search early. */
  interrupted: boolean;
  wallMs: number;
  schedulesPerSecond: number;
  failure?: FuzzFailure;
}

export interface FuzzFailure {
  /** fast-check's counterexample path; `{ seed, path }` replays it. */
  path: string;
  case: FuzzCase;
  result: ScenarioResult;
  /** The commands that fail again. */
  commands: { run: string; fuzz: string };
  /** Files written when `outDir` was given: the shrunk scenario and the report. */
  files?: { scenario: string; report: string[] };
  /** fast-check's own message for a failure that is not a verdict (an exception in the harness). */
  error?: string;
}

/** Network faults only where Toxiproxy can apply them. */
export function defaultFuzzConstraints(transport: Transport, toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy): GeneratedScenarioConstraints {
  const network = transport === 'network' && toxiproxy?.status === 'ready';
  return { faults: { layers: network ? ['frame', 'connection', 'http', 'network'] : ['frame', 'connection', 'http'] } };
}

/**
 * Property-based search (issue 5): runs generated scenarios (workload x fault schedule) against a
 * client until one fails the oracle, then shrinks it to the smallest scenario that still fails.
 * With `outDir`, writes it as `<outDir>/shrunk-scenario.yaml` (a scenario file) next to its
 * trace and full report. Never throws for a failing client: the failure is in the report.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const transport = options.transport ?? 'memory';
  const clientSpec = options.clientSpec ?? options.client.name;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const planned = options.runs ?? (transport === 'memory' ? 1000 : 10);
  const constraints = options.constraints ?? defaultFuzzConstraints(transport, options.toxiproxy);
  const outDir = options.outDir;
  const replay = (c: FuzzCase) => runCommand({ clientSpec, transport, runSeed: c.runSeed, scenarioFile: outDir ? join(outDir, SHRUNK_SCENARIO_FILE) : SHRUNK_SCENARIO_FILE });
  let scenariosRun = 0;
  let failures = 0;
  let lastFailing: { c: FuzzCase; result: ScenarioResult } | undefined;
  const started = performance.now();
  const property = scenarioProperty({
    client: options.client,
    transport,
    constraints,
    replay,
    ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}),
    onResult: (c, result) => {
      scenariosRun++;
      const failed = result.verdict !== 'skipped' && !verdictHolds(result);
      if (failed) {
        failures++;
        lastFailing = { c, result };
      }
      options.onProgress?.({ runs: scenariosRun, planned, failures, phase: failures > 0 ? 'shrinking' : 'searching', last: result });
    },
  });
  const details = await fc.check(property, {
    seed,
    numRuns: planned,
    ...(options.path ? { path: options.path } : {}),
    ...(options.maxTimeMs ? { interruptAfterTimeLimit: options.maxTimeMs, markInterruptAsFailure: false } : {}),
  });
  const wallMs = Math.round(performance.now() - started);
  const report: FuzzReport = {
    seed,
    transport,
    clientSpec,
    numRuns: details.numRuns,
    numSkips: details.numSkips,
    numShrinks: details.numShrinks,
    scenariosRun,
    interrupted: details.interrupted,
    wallMs,
    schedulesPerSecond: Math.round((scenariosRun / Math.max(wallMs, 1)) * 1000 * 10) / 10,
  };
  if (!details.failed || !details.counterexample) return report;

  const [c] = details.counterexample;
  // The last failing run is the shrunk counterexample; run it again only if fast-check handed a copy.
  const result = lastFailing?.c === c ? lastFailing.result : await runCase(c, { client: options.client, transport, replay, ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}) });
  const path = details.counterexamplePath ?? '';
  const failure: FuzzFailure = {
    path,
    case: c,
    result,
    commands: { run: replay(c), fuzz: fuzzCommand({ clientSpec, transport, seed, path }) },
    ...(lastFailing ? {} : { error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance) }),
  };
  if (outDir) failure.files = writeFailure(outDir, report, failure);
  report.failure = failure;
  return report;
}

/** Writes the shrunk scenario file (with how it was found as a comment) and the run's report. */
function writeFailure(outDir: string, report: FuzzReport, failure: FuzzFailure): { scenario: string; report: string[] } {
  mkdirSync(outDir, { recursive: true });
  const scenario = join(outDir, SHRUNK_SCENARIO_FILE);
  const header = [
    `# Shrunk by comfy-chaos fuzz (seed ${report.seed}, path "${failure.path}", ${report.numShrinks} shrinks):`,
    `# ${failure.result.verdict}: ${failure.result.reason ?? ''}`.replace(/\n/g, ' '),
    `# fails again with: ${failure.commands.run}`,
    `# or: ${failure.commands.fuzz}`,
  ];
  writeFileSync(scenario, `${header.join('\n')}\n${toYaml(failure.case.scenario, { lineWidth: 0 })}`);
  const written = writeReport(outDir, [failure.result], {
    run: outDir,
    seed: failure.case.runSeed,
    transport: report.transport,
    startedAt: new Date().toISOString(),
    command: failure.commands.run,
  });
  return { scenario, report: written };
}
