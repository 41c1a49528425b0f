/**
 * The public run API: a plan (scenarios x clients, transport, seed) is run, reported and returned.
 * The CLI (`comfy-chaos run`, `replay`, `import`), the vitest helpers and the benches all call it.
 */
import { mkdirSync } from 'node:fs';
import type { ClientUnderTest } from './adapters/client-under-test.ts';
import { defaultFailOn, verdictNames, type ScenarioResult, type Verdict } from './result.ts';
import { guardProcess, strayHarnessErrors } from './harness-guard.ts';
import type { Route } from '../simulator/http/comfy-routes.ts';
import { runScenario, type Transport } from './runner.ts';
import { writeReport } from './report/index.ts';
import { acquireStompBroker, type AcquiredBroker } from './broker/index.ts';
import { findRelayProfile, profileDir, relayClient } from './relay/index.ts';
import { acquireToxiproxy, HOW_TO_GET_TOXIPROXY, type AcquiredToxiproxy, type SkippedToxiproxy } from './toxiproxy/index.ts';
import { catalogue, findScenarios } from '../scenarios/catalogue/index.ts';
import { isRelayScenario, needsNetwork, type Scenario } from '../scenarios/scenario.ts';
import { loadScenarioFile, looksLikeScenarioFile, scenarioSource } from '../scenarios/scenario-file.ts';
import { clientFromSpec, shellQuote } from './client-spec.ts';
import { Progress } from './report/progress.ts';
import { UsageError } from './usage-error.ts';
import type { ComfyuiProfile } from '../protocol/index.ts';
import { baselineProfile, comfyuiProfileNames, findComfyuiProfile, nodeCatalogue, resolveComfyuiProfiles, type NodeCatalogue } from '../simulator/index.ts';
import { NodeFileError } from '../protocol/index.ts';
import { loadNodeFile } from './node-file.ts';

export interface RunPlan {
  scenarios: Scenario[];
  clients: string[];
  /** Relay profiles (names of built-in ones, or files) to run the relay scenarios against. */
  relays?: string[];
  transport: Transport;
  seed: number;
  concurrency: number;
  reportDir: string;
  strict: boolean;
  /**
   * ComfyUI profiles to run every scenario on (`run --comfyui`): names, or `all`; each becomes a
   * column of the report [default: each scenario's own `comfyui`, else the baseline 0.3.64].
   */
  comfyui?: string[];
  /** Routes every simulator tries before its own: for tests of the harness itself (see RunScenarioOptions). */
  simulatorRoutes?: Route[];
  /** A node file (`run --nodes`) whose classes every simulator knows besides the built-in ones, for jobs whose graphs use them. */
  nodes?: string;
}

/**
 * `--fail-on <verdicts>`: a comma- or space-separated list of verdicts that make the run exit 1
 * [default `fail,harness-error`]. Throws a UsageError naming an unknown verdict.
 */
export function parseFailOn(values: readonly string[] | string | undefined): Verdict[] {
  if (values === undefined) return [...defaultFailOn];
  const words = (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (!words.length) throw new UsageError(`--fail-on needs at least one verdict (${verdictNames.join(', ')}); the default is ${defaultFailOn.join(',')}`);
  const unknown = words.filter((w) => !(verdictNames as readonly string[]).includes(w));
  if (unknown.length) {
    throw new UsageError(`--fail-on: unknown verdict${unknown.length > 1 ? 's' : ''} ${unknown.map((w) => `"${w}"`).join(', ')} (known: ${verdictNames.join(', ')}); e.g. --fail-on fail,harness-error,inconclusive`);
  }
  return [...new Set(words as Verdict[])];
}

/** The exit code of a run: 1 when a result's verdict is one of `failOn`, else 0. */
export function exitCodeOf(results: readonly Pick<ScenarioResult, 'verdict'>[], failOn: readonly Verdict[] = defaultFailOn): 0 | 1 {
  return results.some((r) => failOn.includes(r.verdict)) ? 1 : 0;
}

/** `--scenario` selectors: catalogue ids, groups, names and globs, or scenario files (.yaml, .json). */
export function selectScenarios(selectors: string[] | undefined): Scenario[] {
  if (!selectors) return [...catalogue];
  const files = selectors.filter(looksLikeScenarioFile);
  const names = selectors.filter((s) => !looksLikeScenarioFile(s));
  try {
    return [...(names.length ? findScenarios(names) : []), ...files.flatMap(loadScenarioFile)];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--shard i/n`: every n-th scenario by id, starting at the i-th (1-based); the same split on every machine. */
export function shardOf<T extends { id: string }>(items: readonly T[], shard: string): T[] {
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be "i/n" with 1 <= i <= n, e.g. 2/4 (got "${shard}")`);
  }
  return [...items].sort((a, b) => compareIds(a.id, b.id)).filter((_, i) => i % count === index - 1);
}

export function compareIds(a: string, b: string): number {
  const [ga, na] = a.split('.').map(Number);
  const [gb, nb] = b.split('.').map(Number);
  return ga! - gb! || na! - nb!;
}

export function replayCommand(r: { client: string; scenario: { id: string }; transport: string; seed: number; source?: string; relay?: string; comfyui?: string; nodes?: string }): string {
  const scenario = r.source ? shellQuote(r.source) : r.scenario.id;
  const who = r.relay === undefined ? `--client ${shellQuote(r.client)}` : `--relay ${shellQuote(r.relay)}`;
  const comfyui = r.comfyui === undefined ? '' : ` --comfyui ${shellQuote(r.comfyui)}`;
  const nodes = r.nodes === undefined ? '' : ` --nodes ${shellQuote(r.nodes)}`;
  return `comfy-chaos run ${who} --scenario ${scenario} --transport ${r.transport} --seed ${r.seed}${comfyui}${nodes}`;
}

/** The repository root (where clients/relays lives): two folders up from this file. */
const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** A relay client per `--relay` selector, and the broker the relays that need one share (acquired here, disposed by the caller). */
async function relayClients(selectors: readonly string[], strict: boolean, out: NodeJS.WritableStream): Promise<{ clients: Array<ClientUnderTest & { replayAs: string }>; broker?: AcquiredBroker }> {
  const loaded = selectors.map((selector) => {
    try {
      return { selector, ...findRelayProfile(selector, ROOT) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  let broker: AcquiredBroker | undefined;
  let noBroker: string | undefined;
  if (loaded.some((l) => l.profile.broker === 'stomp')) {
    try {
      const got = await acquireStompBroker({ strict });
      if (got.status === 'ready') {
        broker = got;
        out.write(`STOMP broker (${got.kind}) at ${got.url}\n`);
      } else {
        noBroker = got.reason;
        out.write(`note: no STOMP broker, so relays that publish through one are skipped: ${got.reason}\n`);
      }
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n(--strict: relays that publish through a broker need one)`);
    }
  }
  const clients = loaded.map((l) => {
    const client = relayClient(l.profile, { rootDir: ROOT, profileDir: profileDir(l), ...(broker ? { broker } : {}) });
    const replayAs = /\.(ya?ml|json)$/i.test(l.selector) ? l.file : l.profile.name;
    return { ...client, replayAs, ...(l.profile.broker === 'stomp' && noBroker ? { unavailable: `needs a STOMP broker: ${noBroker}` } : {}) };
  });
  return { clients, ...(broker ? { broker } : {}) };
}

/**
 * Which client runs which scenario: relays run the relay scenarios (group 8), other clients the
 * rest. A selected scenario no client can run still gets one (skipped, saying why).
 */
export function pairScenarios<C extends { relay?: boolean }>(scenarios: readonly Scenario[], clients: readonly C[]): { scenario: Scenario; client: C }[] {
  return scenarios.flatMap((scenario) => {
    const fit = clients.filter((c) => Boolean(c.relay) === isRelayScenario(scenario));
    return (fit.length ? fit : clients.slice(0, 1)).map((client) => ({ scenario, client }));
  });
}

/**
 * Every task once per `--comfyui` profile (a column each in the report); without the option, once,
 * on the scenario's own profile. Unknown names, in the option or a scenario, are a UsageError.
 */
export function withProfiles<T extends { scenario: Scenario }>(tasks: readonly T[], selectors: readonly string[] | undefined): Array<T & { comfyui?: ComfyuiProfile }> {
  try {
    for (const { scenario } of tasks) {
      if (!scenario.comfyui) continue;
      try {
        findComfyuiProfile(scenario.comfyui);
      } catch (error) {
        throw new Error(`scenario ${scenario.id}: ${(error as Error).message} in its comfyui: field`);
      }
    }
    if (!selectors?.length) return [...tasks];
    const profiles = resolveComfyuiProfiles(selectors);
    if (!profiles.length) throw new Error(`--comfyui needs a profile name (${comfyuiProfileNames.join(', ')}) or all`);
    return tasks.flatMap((task) => profiles.map((comfyui) => ({ ...task, comfyui })));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function poolRun<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** The result of a run that could not even be set up or judged: harness-error, with the stack. */
export function harnessErrorResult(scenario: Scenario, client: string, options: { transport: Transport; seed: number; replay: string }, error: unknown): ScenarioResult {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    scenario: { id: scenario.id, name: scenario.name, purpose: scenario.purpose, ...(scenario.cites ? { cites: scenario.cites } : {}) },
    client,
    transport: options.transport,
    seed: options.seed,
    verdict: 'harness-error',
    reason: `comfy-chaos itself failed (harness), not the client: ${e.message}`,
    findings: [],
    counts: { acknowledged: 0, completedOnServer: 0, reported: 0, lost: 0, duplicated: 0, phantom: 0, recovered: 0 },
    harnessError: { where: 'harness', message: e.message, ...(e.stack ? { stack: e.stack } : {}) },
    runMs: 0,
    wallMs: 0,
    replay: options.replay,
    trace: [],
  };
}

/**
 * A job expected to complete whose graph names a class the simulators do not know can never
 * complete (the simulator answers 400, as ComfyUI does): that is the scenario's mistake, and a
 * verdict on the client would be a false alarm. A UsageError says which class and how to declare
 * it. Jobs expected to fail, and scripted scenarios (whose recorded server accepted the graph),
 * are left alone.
 */
function refuseUnknownClasses(scenarios: readonly Scenario[], known: NodeCatalogue, nodesFile: string | undefined): void {
  for (const scenario of scenarios) {
    if (scenario.script?.length) continue;
    for (const job of scenario.jobs) {
      if ((scenario.expect[job.id] ?? 'completed') !== 'completed') continue;
      const unknown = [...new Set(Object.values(job.prompt).map((node) => node.class_type))].filter((name) => !Object.hasOwn(known, name));
      if (unknown.length) {
        throw new UsageError(
          `scenario ${scenario.id} (${scenario.name}), job ${job.id}: its graph uses ${unknown.map((name) => `"${name}"`).join(', ')}, which the simulator does not know${nodesFile ? ` (nor ${nodesFile})` : ''}, so it cannot complete: declare ${unknown.length > 1 ? 'them' : 'it'} in a node file and pass --nodes <file> (examples/custom-nodes.yaml shows how)`,
        );
      }
    }
  }
}

/** Runs the plan, writes the report, and returns the results (the caller decides the exit code). */
export async function executePlan(plan: RunPlan, out: NodeJS.WritableStream = process.stdout): Promise<ScenarioResult[]> {
  let catalogue: NodeCatalogue | undefined;
  try {
    catalogue = plan.nodes === undefined ? undefined : loadNodeFile(plan.nodes).catalogue;
  } catch (error) {
    if (error instanceof NodeFileError) throw new UsageError(`--nodes: ${error.message}`);
    throw error;
  }
  refuseUnknownClasses(plan.scenarios, catalogue ?? nodeCatalogue, plan.nodes);
  const clients: Array<ClientUnderTest & { replayAs?: string }> = plan.clients.map(clientFromSpec);
  const names = clients.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`two clients are named "${twice}": give each --client its own label, e.g. --client 'a=${twice}' --client 'b=${twice}'`);
  // A client that cannot run on a profile of the plan (the frontend a profile pins is not installed) says so before anything starts.
  for (const client of clients) {
    if (!client.checkProfiles) continue;
    const mine = withProfiles(pairScenarios(plan.scenarios, [client]), plan.comfyui);
    client.checkProfiles([...new Set(mine.map(({ scenario, comfyui }) => comfyui ?? (scenario.comfyui ? findComfyuiProfile(scenario.comfyui) : baselineProfile)))]);
  }
  const relays = plan.relays?.length ? await relayClients(plan.relays, plan.strict, out) : undefined;
  clients.push(...(relays?.clients ?? []));
  let toxiproxy: AcquiredToxiproxy | SkippedToxiproxy | undefined;
  if (plan.transport === 'network') {
    try {
      toxiproxy = await acquireToxiproxy({ strict: plan.strict });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n(--strict: network scenarios need Toxiproxy; ${HOW_TO_GET_TOXIPROXY})`);
    }
    if (toxiproxy.status === 'skipped' && plan.scenarios.some(needsNetwork)) {
      out.write(`note: no Toxiproxy, so network-fault scenarios are skipped: ${toxiproxy.reason}\n`);
    } else if (toxiproxy.status === 'ready') out.write(`toxiproxy ${toxiproxy.version} (${toxiproxy.kind}) at ${toxiproxy.url}\n`);
  }
  const tasks = withProfiles(pairScenarios(plan.scenarios, clients), plan.comfyui);
  const progress = new Progress(out, tasks.length);
  const startedAt = new Date().toISOString();
  let results: ScenarioResult[];
  // Nothing a client does, and no bug of the simulator, ends the run: uncaught errors are traced
  // against the running scenarios (harness-error) or, between scenarios, printed below.
  const releaseGuard = guardProcess();
  try {
    // Memory runs are CPU-bound and share nothing: one at a time keeps virtual time honest.
    const limit = plan.transport === 'memory' ? 1 : plan.concurrency;
    results = await poolRun(tasks, limit, async ({ scenario, client, comfyui }) => {
      progress.started(scenario, client.name);
      const replay = replayCommand({ client: client.spec ?? client.name, scenario, transport: plan.transport, seed: plan.seed, source: scenarioSource(scenario), ...(client.relay && client.replayAs ? { relay: client.replayAs } : {}), ...(comfyui ? { comfyui: comfyui.name } : {}), ...(plan.nodes !== undefined ? { nodes: plan.nodes } : {}) });
      const options = { transport: plan.transport, seed: plan.seed, toxiproxy, replay, ...(comfyui ? { comfyui } : {}), ...(plan.simulatorRoutes ? { simulatorRoutes: plan.simulatorRoutes } : {}), ...(catalogue ? { catalogue } : {}) };
      // runScenario turns what fails inside a run into harness-error; this catches what fails around it.
      const result = await runScenario(scenario, client, options).catch((error: unknown) => harnessErrorResult(scenario, client.name, options, error));
      progress.finished(result);
      return result;
    });
  } finally {
    if (toxiproxy?.status === 'ready') await toxiproxy.dispose();
    await relays?.broker?.dispose();
    for (const client of clients) await client.dispose?.().catch((error: unknown) => out.write(`warning: client ${client.name} did not release what it holds: ${(error as Error).message}\n`));
    for (const stray of strayHarnessErrors(true)) out.write(`warning: comfy-chaos caught an error of its own while no scenario was running (not counted against any client): ${stray.message}\n${stray.stack ?? ''}\n`);
    releaseGuard();
  }
  mkdirSync(plan.reportDir, { recursive: true });
  writeReport(plan.reportDir, results, {
    run: plan.reportDir,
    seed: plan.seed,
    transport: plan.transport,
    startedAt,
    command: `comfy-chaos ${process.argv.slice(2).map(shellQuote).join(' ')}`,
  });
  progress.summary(results, plan.reportDir);
  return results;
}
