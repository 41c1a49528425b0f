import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientUnderTest } from '../harness/adapters/client-under-test.ts';
import { referenceClient as harnessReferenceClient } from '../harness/adapters/reference-adapter.ts';
import type { ScenarioResult } from '../harness/result.ts';
import { runScenario, type Transport } from '../harness/runner.ts';
import { replayCommand } from '../harness/run-plan.ts';
import { traceFileName, writeReport } from '../harness/report/index.ts';
import { acquireToxiproxy, type AcquiredToxiproxy, type SkippedToxiproxy } from '../harness/toxiproxy/index.ts';
import type { FaultInput } from '../protocol/index.ts';
import { isMutantName, type MutantName } from '../reference-client/mutants.ts';
import { findScenarios } from '../scenarios/catalogue/index.ts';
import { needsNetwork, scenario as scenarioSchema, type Scenario } from '../scenarios/scenario.ts';
import { loadScenarioFile, looksLikeScenarioFile } from '../scenarios/scenario-file.ts';
import { commandOf, registerCommand } from './bundled-drivers.ts';

export interface RunNamedScenarioOptions {
  /**
   * [default `memory` when the client and the scenario allow it (virtual time, milliseconds per
   * run), otherwise `network`]
   */
  transport?: Transport;
  /** [default 1] */
  seed?: number;
  /** Faults added to the scenario's own. */
  faults?: FaultInput[];
  /** For network-fault scenarios; acquired (and released) per run when not given. */
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  /**
   * Where a failed expectation writes the result's trace and report (`trace-<id>-<client>.jsonl`,
   * results.json, index.html) [default `COMFY_CHAOS_REPORT_DIR`, else a new folder under
   * `<os tmpdir>/comfy-chaos/`]. The assertion message names the trace file.
   */
  reportDir?: string;
}

/** A scenario by catalogue id (`2.3`), name, scenario file (`.yaml`/`.json`), or as data. */
export type ScenarioRef = string | Scenario;

export function resolveScenario(ref: ScenarioRef, faults: FaultInput[] = []): Scenario {
  let found: Scenario;
  if (typeof ref !== 'string') found = ref;
  else if (looksLikeScenarioFile(ref)) {
    const all = loadScenarioFile(ref);
    if (all.length !== 1) throw new TypeError(`comfy-chaos: ${ref} holds ${all.length} scenarios; pass one of them as data`);
    found = all[0]!;
  } else {
    const all = findScenarios([ref]);
    if (all.length !== 1) throw new TypeError(`comfy-chaos: "${ref}" names ${all.length} scenarios (${all.map((s) => s.id).join(', ')}); name one`);
    found = all[0]!;
  }
  return faults.length ? scenarioSchema.parse({ ...found, faults: [...found.faults, ...faults] }) : found;
}

/**
 * The in-process reference client (`--client reference`), or with a planted bug
 * (`{ mutation: 'bom-not-stripped' }`, `--client reference:bom-not-stripped`).
 */
export function referenceClient(name = 'reference', overrides: Parameters<typeof harnessReferenceClient>[1] & { mutation?: MutantName } = {}): ClientUnderTest {
  const client = harnessReferenceClient(name, overrides);
  const mutation = overrides.mutation;
  if (Object.keys(overrides).length === 0) registerCommand(client, 'reference');
  else if (Object.keys(overrides).length === 1 && mutation && isMutantName(mutation)) registerCommand(client, `reference:${mutation}`);
  return client;
}

/** The transport a run uses when none is asked for: memory when both the client and the scenario can. */
export function defaultTransport(scenario: Scenario, client: ClientUnderTest): Transport {
  return client.transports.includes('memory') && scenario.transports.includes('memory') && !needsNetwork(scenario) ? 'memory' : 'network';
}

/**
 * How long a test running this scenario should be allowed, in ms: the scenario's own bound
 * (`maxRunMs`, 120 s unless it says otherwise) plus 30 s for starting the driver, the simulator
 * and Toxiproxy on the network transport; 30 s on the memory transport (virtual time). Pass it as
 * the test's timeout: `it('...', async () => { ... }, scenarioTimeoutMs('2.3', client))`, since
 * vitest's default of 5 s is too short for a client that really waits on a socket.
 */
export function scenarioTimeoutMs(ref: ScenarioRef, client?: ClientUnderTest, options: Pick<RunNamedScenarioOptions, 'transport'> = {}): number {
  const scenario = resolveScenario(ref);
  const transport = options.transport ?? (client ? defaultTransport(scenario, client) : needsNetwork(scenario) ? 'network' : 'memory');
  return transport === 'memory' ? 30_000 : scenario.maxRunMs + 30_000;
}

/**
 * The command that runs this result again from a shell: the client's command line (not its
 * label), or, for a client built in code, a note saying so.
 */
export function replayLine(result: Pick<ScenarioResult, 'scenario' | 'transport' | 'seed'>, client: ClientUnderTest, source?: string): string {
  const command = commandOf(client);
  if (command === undefined) return `rerun this test (client "${client.name}" was built in code, so no command line replays it)`;
  return replayCommand({ client: command, scenario: result.scenario, transport: result.transport, seed: result.seed, ...(source ? { source } : {}) });
}

/** Runs one scenario against one client and returns the judged result (verdict, findings, trace). */
export async function runNamedScenario(ref: ScenarioRef, client: ClientUnderTest, options: RunNamedScenarioOptions = {}): Promise<ScenarioResult> {
  const scenario = resolveScenario(ref, options.faults);
  const seed = options.seed ?? 1;
  const transport = options.transport ?? defaultTransport(scenario, client);
  let toxiproxy = options.toxiproxy;
  const own = !toxiproxy && transport === 'network' && needsNetwork(scenario);
  if (own) toxiproxy = await acquireToxiproxy({});
  const source = typeof ref === 'string' && looksLikeScenarioFile(ref) && !options.faults?.length ? ref : undefined;
  const replay = replayLine({ scenario, transport, seed }, client, source);
  try {
    return await runScenario(scenario, client, { transport, seed, toxiproxy, replay });
  } finally {
    if (own && toxiproxy?.status === 'ready') await toxiproxy.dispose();
  }
}

let reportCount = 0;

/** Writes the result's trace and report into `dir` (see `reportDir`); returns the trace file's path. */
export function writeResultReport(result: ScenarioResult, dir?: string): string {
  const stamp = `${result.scenario.id}-seed${result.seed}-${process.pid}-${Date.now()}-${++reportCount}`;
  const target = dir ?? (process.env.COMFY_CHAOS_REPORT_DIR ? join(process.env.COMFY_CHAOS_REPORT_DIR, stamp) : join(tmpdir(), 'comfy-chaos', stamp));
  writeReport(target, [result], { run: stamp, seed: result.seed, transport: result.transport, startedAt: new Date().toISOString(), command: result.replay }, ['traces', 'json', 'html']);
  return join(target, traceFileName(result));
}
