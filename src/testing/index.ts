/**
 * comfy-chaos inside another project's test suite (`comfy-chaos/vitest`). A plain library: the
 * matchers throw an {@link ScenarioAssertionError} that any test runner reports, so it works in
 * vitest, jest, node:test or mocha alike.
 *
 * ```ts
 * import { expectScenario, driverClient, referenceClient, startSimulator } from 'comfy-chaos/vitest';
 *
 * await expectScenario('2.3', referenceClient()).toPass();
 * await expectScenario('2.3', driverClient('my-client', 'node my-driver.mjs')).toFailWith('no-lost-completion');
 * const sim = await startSimulator();   // { url, simulator, close }
 * ```
 */
import type { ClientUnderTest } from '../harness/adapters/client-under-test.ts';
import type { ScenarioResult, Verdict } from '../harness/result.ts';
import { runScenario, type Transport } from '../harness/runner.ts';
import { acquireToxiproxy, type AcquiredToxiproxy, type SkippedToxiproxy } from '../harness/toxiproxy/index.ts';
import type { FaultInput } from '../protocol/index.ts';
import { findScenarios } from '../scenarios/catalogue/index.ts';
import { invariantName, needsNetwork, scenario as scenarioSchema, type InvariantName, type Scenario } from '../scenarios/scenario.ts';
import { loadScenarioFile, looksLikeScenarioFile } from '../scenarios/scenario-file.ts';
import { Simulator, type ListenOptions, type SimulatorOptions } from '../simulator/index.ts';

export { driverClient, type ClientUnderTest } from '../harness/adapters/client-under-test.ts';
export { referenceClient } from '../harness/adapters/reference-adapter.ts';
export { acquireToxiproxy } from '../harness/toxiproxy/index.ts';
export { catalogue, findScenarios } from '../scenarios/catalogue/index.ts';
export { Simulator, route, jsonResponse, textResponse } from '../simulator/index.ts';
export { RecordingProxy } from '../harness/record/recording-proxy.ts';
export { importRecording, scenarioFromRecording } from '../harness/record/import-recording.ts';
export type { ScenarioResult, Verdict, Finding } from '../harness/result.ts';
export type { Scenario, InvariantName } from '../scenarios/scenario.ts';

export interface StartedSimulator {
  /** `http://127.0.0.1:<port>`: the ComfyUI base URL to give the client. */
  url: string;
  /** `ws://127.0.0.1:<port>/ws`. */
  wsUrl: string;
  simulator: Simulator;
  /** Stops the server and drops every socket. */
  close(): Promise<void>;
}

/**
 * Starts a simulated ComfyUI on 127.0.0.1 (an ephemeral port unless `port` says otherwise), with
 * the simulator's options: `faults`, `seed`, `routes`, `previews`, `traceFile`, ...
 */
export async function startSimulator(options: SimulatorOptions & ListenOptions = {}): Promise<StartedSimulator> {
  const { host, port, maxBodyBytes, ...simulatorOptions } = options;
  const simulator = new Simulator(simulatorOptions);
  const server = await simulator.listen({ host: host ?? '127.0.0.1', port: port ?? 0, maxBodyBytes });
  return { url: server.url, wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`, simulator, close: () => simulator.close() };
}

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
}

/** A scenario by catalogue id (`2.3`), name, scenario file (`.yaml`/`.json`), or as data. */
export type ScenarioRef = string | Scenario;

function resolveScenario(ref: ScenarioRef, faults: FaultInput[] = []): Scenario {
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

/** Quotes an argument for a POSIX shell when it needs it. */
const quote = (arg: string) => (/^[A-Za-z0-9_./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** Runs one scenario against one client and returns the judged result (verdict, findings, trace). */
export async function runNamedScenario(ref: ScenarioRef, client: ClientUnderTest, options: RunNamedScenarioOptions = {}): Promise<ScenarioResult> {
  const scenario = resolveScenario(ref, options.faults);
  const seed = options.seed ?? 1;
  const transport: Transport =
    options.transport ?? (client.transports.includes('memory') && scenario.transports.includes('memory') && !needsNetwork(scenario) ? 'memory' : 'network');
  let toxiproxy = options.toxiproxy;
  const own = !toxiproxy && transport === 'network' && needsNetwork(scenario);
  if (own) toxiproxy = await acquireToxiproxy({});
  const source = typeof ref === 'string' ? ref : scenario.id;
  const replay = `comfy-chaos run --client ${quote(client.name)} --scenario ${quote(source)} --transport ${transport} --seed ${seed}`;
  try {
    return await runScenario(scenario, client, { transport, seed, toxiproxy, replay });
  } finally {
    if (own && toxiproxy?.status === 'ready') await toxiproxy.dispose();
  }
}

/** A verdict that was not the one a test asked for; `result` holds everything, trace included. */
export class ScenarioAssertionError extends Error {
  override name = 'ScenarioAssertionError';
  readonly code = 'CC_ERR_SCENARIO_ASSERTION';
  constructor(
    message: string,
    readonly result: ScenarioResult,
  ) {
    super(message);
  }
}

/** The findings and the replay command, one per line, as `comfy-chaos run` prints them. */
export function describeResult(result: ScenarioResult): string {
  const lines = [`${result.verdict}  ${result.scenario.id} ${result.scenario.name} [${result.client}] (${result.transport}, seed ${result.seed})`];
  if (result.reason) lines.push(`  ${result.reason}`);
  for (const f of result.findings) {
    lines.push(`  ${f.informational ? '(informational) ' : ''}${f.invariant}${f.job ? ` (job ${f.job})` : ''}: ${f.message}${f.evidence.length ? `; trace lines ${f.evidence.join(', ')}` : ''}`);
  }
  lines.push(`replay: ${result.replay}`);
  return lines.join('\n');
}

export interface ScenarioExpectation {
  /** Resolves with the result when the verdict is `pass` or `degraded` (correct, only slower than the latency bound). */
  toPass(): Promise<ScenarioResult>;
  /** Resolves when the verdict is `fail` and `invariant` is among the failing findings. */
  toFailWith(invariant: InvariantName): Promise<ScenarioResult>;
  /** Resolves when the verdict is exactly this one. */
  toHaveVerdict(verdict: Verdict): Promise<ScenarioResult>;
}

/**
 * Runs the scenario against the client when a matcher is called, and throws a
 * {@link ScenarioAssertionError} listing the findings and the replay command when the verdict is
 * not the expected one.
 */
export function expectScenario(ref: ScenarioRef, client: ClientUnderTest, options: RunNamedScenarioOptions = {}): ScenarioExpectation {
  const run = () => runNamedScenario(ref, client, options);
  const label = () => `scenario ${typeof ref === 'string' ? ref : ref.id} against ${client.name}`;
  const check = async (ok: (r: ScenarioResult) => boolean, wanted: string) => {
    const result = await run();
    if (!ok(result)) throw new ScenarioAssertionError(`expected ${label()} to ${wanted}, got:\n${describeResult(result)}`, result);
    return result;
  };
  return {
    toPass: () => check((r) => r.verdict === 'pass' || r.verdict === 'degraded', 'pass'),
    toFailWith: async (invariant) => {
      if (!invariantName.options.includes(invariant)) {
        throw new TypeError(`comfy-chaos: unknown invariant "${invariant}" (known: ${invariantName.options.join(', ')})`);
      }
      return check((r) => r.verdict === 'fail' && r.findings.some((f) => f.invariant === invariant && !f.informational), `fail with ${invariant}`);
    },
    toHaveVerdict: (verdict) => check((r) => r.verdict === verdict, `be ${verdict}`),
  };
}
