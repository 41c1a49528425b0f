import { VirtualClock, realClock } from '../protocol/index.ts';
import type { Clock, Fault, FetchLike, TraceEvent, WebSocketFactory } from '../protocol/index.ts';
import { isRelayScenario, needsNetwork, type Scenario } from '../scenarios/scenario.ts';
import { baselineProfile, findComfyuiProfile, Simulator, type NodeCatalogue } from '../simulator/index.ts';
import { clientBasePath, clientScheme, type ComfyuiProfile } from '../protocol/index.ts';
import { TraceRecorder } from '../simulator/trace/trace-recorder.ts';
import type { ClientSession, ClientUnderTest } from './adapters/client-under-test.ts';
import { missingCapability, requiredCapabilities } from './adapters/capabilities.ts';
import type { ReferenceStartContext } from './adapters/reference-adapter.ts';
import { NetworkFaults } from './network-faults.ts';
import { ServerProgress } from './server-progress.ts';
import { guardScenario } from './harness-guard.ts';
import type { Route } from '../simulator/http/comfy-routes.ts';
import { judge } from './oracle/index.ts';
import type { RunCounts, ScenarioResult } from './result.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from './toxiproxy/index.ts';

export type Transport = 'memory' | 'network';

/** Real time a run may take beyond its `maxRunMs` (starting clients and servers, draining) before it is stopped, in ms. */
export const WALL_SLACK_MS = 60_000;

/** Numbers Toxiproxy proxies so that no two runs of this process share a name. */
let proxyCounter = 0;

export interface RunScenarioOptions {
  transport: Transport;
  seed: number;
  /** For the network transport: the Toxiproxy to put between client and servers (or why there is none). */
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  /** The command that runs exactly this again, for reports. */
  replay: string;
  /** The ComfyUI every simulator of the run plays (src/simulator/profiles) [default the scenario's `comfyui`, else the baseline 0.3.64]. */
  comfyui?: ComfyuiProfile;
  /** Time after every job settled to wait for late duplicates, in ms of the run's clock [default 3000 memory, 500 network] */
  graceMs?: number;
  /**
   * The most real time the run may take, in ms, from its start to the end of the workload [default
   * the scenario's `maxRunMs` plus {@link WALL_SLACK_MS}]. On the memory transport `maxRunMs`
   * bounds virtual time only, so this is what stops a run whose every step is slow; reaching it
   * ends the run with an `internal_error` (the harness could not finish it), never a client verdict.
   */
  wallBoundMs?: number;
  /**
   * Routes every simulator of the run tries before its own (tests of the harness itself, e.g. a
   * route that throws, to see a run end `harness-error`). An error one throws is traced as an
   * `internal_error` (where `route`) before the simulator answers it.
   */
  simulatorRoutes?: Route[];
  /** The node classes every simulator of the run knows (`run --nodes`: the built-in ones plus a node file's) [default the built-in catalogue]. */
  catalogue?: NodeCatalogue;
  /**
   * Network runs: something the client talks to instead of each server's URL (its Toxiproxy
   * proxy, when there is one), e.g. `comfy-chaos record`'s proxy in the record/replay tests, so
   * that a Toxiproxy fault sits between it and the simulator. Closed when the run ends.
   */
  frontOfServer?: (url: string, index: number) => Promise<{ url: string; close(): Promise<void> }>;
}

/** The routes of `simulatorRoutes`, each traced as an `internal_error` when it throws. */
function watchedRoutes(routes: Route[] | undefined, trace: TraceRecorder): Route[] | undefined {
  return routes?.map((route) => ({
    ...route,
    handle: (...args: Parameters<Route['handle']>) => {
      const fail = (error: unknown): never => {
        const e = error instanceof Error ? error : new Error(String(error));
        trace.record({ kind: 'internal_error', where: 'route', message: `${route.method} ${route.path}: ${e.message}`, ...(e.stack ? { stack: e.stack } : {}) });
        throw error;
      };
      try {
        const out = route.handle(...args);
        return out instanceof Promise ? out.catch(fail) : out;
      } catch (error) {
        return fail(error);
      }
    },
  }));
}

const emptyCounts: RunCounts = { acknowledged: 0, completedOnServer: 0, reported: 0, lost: 0, duplicated: 0, phantom: 0, recovered: 0 };

function skipped(scenario: Scenario, client: ClientUnderTest, options: RunScenarioOptions, reason: string): ScenarioResult {
  return {
    scenario: { id: scenario.id, name: scenario.name, purpose: scenario.purpose, cites: scenario.cites },
    client: client.name,
    transport: options.transport,
    seed: options.seed,
    verdict: 'skipped',
    reason,
    findings: [],
    counts: emptyCounts,
    runMs: 0,
    wallMs: 0,
    replay: options.replay,
    trace: [],
  };
}

/** Why this scenario cannot run here, or null when it can. */
function skipReason(scenario: Scenario, client: ClientUnderTest, options: RunScenarioOptions): string | null {
  if (!scenario.transports.includes(options.transport)) {
    return `runs on the ${scenario.transports.join('/')} transport only (it would take too long in real time); use --transport ${scenario.transports[0]}`;
  }
  if (client.unavailable) return client.unavailable;
  if (isRelayScenario(scenario) && !client.relay) return 'a relay scenario (group 8): run it with --relay <profile>';
  if (!isRelayScenario(scenario) && client.relay) return `relay "${client.name}" runs the relay scenarios (group 8) only`;
  if (!client.transports.includes(options.transport)) {
    return `client "${client.name}" cannot run on the ${options.transport} transport (${client.relay ? 'a relay' : 'a driver process'} needs --transport network)`;
  }
  if (scenario.browsers.some((b) => b.action === 'slow') && options.toxiproxy?.status !== 'ready' && client.relay) {
    return `slows a browser's link through Toxiproxy: ${options.toxiproxy?.reason ?? 'none was acquired'}`;
  }
  // A client whose capabilities are known before it starts (in-process, or a driver that declared them already).
  const lacking = client.capabilities && missingCapability(requiredCapabilities(scenario), client.capabilities);
  if (lacking) return lacking;
  if (needsNetwork(scenario)) {
    if (options.transport === 'memory') return 'needs Toxiproxy network faults; run with --transport network';
    if (options.toxiproxy?.status !== 'ready') return `needs Toxiproxy: ${options.toxiproxy?.reason ?? 'none was acquired'}`;
  }
  return null;
}

/** Routes in-memory fetches and sockets to the simulator whose base URL they name. */
function multiplex(entries: { baseUrl: string; fetch: FetchLike; webSocketFactory: WebSocketFactory }[]) {
  const find = (url: string) => {
    // By host, not origin: a ws:// socket to an https:// server reaches it and fails its TLS check there (memory.ts).
    const host = new URL(url.replace(/^ws/, 'http')).host;
    const entry = entries.find((e) => new URL(e.baseUrl).host === host);
    if (!entry) throw new TypeError(`fetch failed: no simulated server at ${host}`);
    return entry;
  };
  const fetch: FetchLike = async (url, init) => find(url).fetch(url, init);
  const webSocketFactory: WebSocketFactory = (url) => find(url).webSocketFactory(url);
  return { fetch, webSocketFactory };
}

/**
 * Runs one scenario against one client and judges the trace (design.md: workload x fault
 * schedule x oracle). Memory: every simulator and an in-process client share a virtual clock.
 * Network: simulators on 127.0.0.1, each behind a Toxiproxy proxy when one is available, and
 * the client reaching them through it. Every wait is bounded by the scenario's `maxRunMs`.
 */
export async function runScenario(scenario: Scenario, client: ClientUnderTest, options: RunScenarioOptions): Promise<ScenarioResult> {
  const profile = options.comfyui ?? (scenario.comfyui ? findComfyuiProfile(scenario.comfyui) : baselineProfile);
  // Behind a front the base URL has a path (`http://host/comfyui/api`): most libraries take host:port
  // only, so a client must declare `base_path` or it is skipped, never failed for our URL.
  if (clientBasePath(profile)) scenario = { ...scenario, requires: { ...scenario.requires, base_path: true } };
  const reason = skipReason(scenario, client, options);
  if (reason) return { ...skipped(scenario, client, options, reason), comfyui: profile.name };
  // A front (a proxy under a prefix, /api only, TLS) is where clients are pointed: scheme, origin + base path.
  const basePath = clientBasePath(profile);
  const scheme = clientScheme(profile);
  const wallStart = Date.now();
  const wallBoundMs = options.wallBoundMs ?? scenario.maxRunMs + WALL_SLACK_MS;
  // Counted from when the client is up (as quiet time is): a client's start has its own bound, and
  // the official frontend takes over a minute to load in a browser on a loaded machine (issue 17).
  let wallFrom = wallStart;
  const overWallBound = () => Date.now() - wallFrom > wallBoundMs;
  const memory = options.transport === 'memory';
  const clock: Clock = memory ? new VirtualClock() : realClock;
  const trace = new TraceRecorder(clock);
  // Whatever goes wrong inside the run (a rejection nobody awaited in the simulator) is traced, not fatal.
  const releaseGuard = guardScenario(trace);
  let failedInside = false;
  trace.onEvent((e) => {
    if (e.kind === 'internal_error') failedInside = true;
  });
  const routes = watchedRoutes(options.simulatorRoutes, trace);
  const proxy = options.toxiproxy?.status === 'ready' && !memory ? options.toxiproxy : undefined;
  const network = new NetworkFaults(trace, clock);
  const fronts: Array<{ close(): Promise<void> }> = [];
  const sims = Array.from({ length: scenario.servers }, (_, i) =>
    new Simulator({
      clock,
      seed: options.seed + i,
      profile,
      faults: i === 0 ? scenario.faults : [],
      script: i === 0 ? scenario.script : undefined,
      holdTimeFaults: true,
      sharedTrace: trace,
      ...(routes ? { routes } : {}),
      ...(options.catalogue ? { catalogue: options.catalogue } : {}),
      serverIndex: scenario.servers > 1 ? i + 1 : undefined,
      onNetworkFault: i === 0 ? (fault: Extract<Fault, { type: 'toxic' | 'partition' }>) => network.apply(fault) : undefined,
    }),
  );
  const progress = new ServerProgress(scenario.faults);
  trace.onEvent((e) => progress.observe(e));
  let session: ClientSession | undefined;
  let recording = true;
  /** While the client is asked to stop: how it behaves then (ignores shutdown, floods, prints junk) is still recorded, its reports are not. */
  let stopping = false;
  let startFailure: { message: string; seq: number } | undefined;
  let skipBecause: string | undefined;
  /** Jobs not yet reported completed or failed; a count, not a scan of every job after every timer (quadratic with thousands of jobs). */
  const unsettled = new Set(scenario.jobs.map((j) => j.id));
  const ownerOf = new Map(scenario.jobs.map((j) => [j.id, j.window]));
  let clientGone = false;
  /** The workload's timers: cleared when the run ends, so a run that ends early submits nothing to a closed client. */
  const workloadTimers: ReturnType<Clock['setTimeout']>[] = [];
  /** Submits and cancels jobs on schedule, then waits (bounded) until every job settled or never will. */
  const driveWorkload = async (session: ClientSession): Promise<void> => {
    const later = (work: () => void, ms: number) => workloadTimers.push(clock.setTimeout(work, ms));
    for (const job of scenario.jobs) {
      later(() => {
        trace.record({ kind: 'client', client: client.name, event: { type: 'harness_submit', id: job.id, window: job.window } });
        session.submit({ id: job.id, prompt: job.prompt, window: job.window });
      }, job.submitAtMs);
      if (job.cancelAtMs !== undefined) {
        later(() => {
          trace.record({ kind: 'client', client: client.name, event: { type: 'harness_cancel', id: job.id } });
          session.cancel(job.id);
        }, job.cancelAtMs);
      }
    }
    for (const action of scenario.browsers) {
      later(() => {
        trace.record({ kind: 'client', client: client.name, event: { type: 'harness_browser', ...action } });
        session.browser?.(action);
      }, action.atMs);
    }
    const lastSubmitMs = scenario.jobs.reduce((max, j) => Math.max(max, j.submitAtMs), 0);
    const runStart = clock.now();
    // Quiet time counts from when the client is up, as the workload does: a relay that took 20 s
    // to start on a loaded machine had "been quiet" for 20 s and its run ended 4 s after it got
    // its first job (Spring, 8.1 and 8.14 in CI).
    progress.quietFrom = Math.max(progress.quietFrom, trace.elapsed());
    const allSettled = () => unsettled.size === 0;
    const hopeless = () => clock.now() - runStart > lastSubmitMs && progress.doneFor(trace.elapsed(), scenario.recoveryBoundMs);
    // A harness-side error decides the verdict (harness-error): nothing more to wait for.
    const done = () => failedInside || clientGone || allSettled() || hopeless() || overWallBound();
    // Then the server's side (issue 12, point 4): every accepted prompt reaches an end on the
    // server before the oracle judges, so a client that gave up early is judged against what
    // the server really did. Bounded by the recovery bound and by what is left of maxRunMs.
    const serverDone = () => failedInside || progress.openPrompts <= 0 || overWallBound();
    const graceMs = options.graceMs ?? (memory ? 3_000 : 500);
    const drainFrom = { t: 0 };
    if (clock instanceof VirtualClock) {
      await clock.runUntil(done, scenario.maxRunMs);
      drainFrom.t = clock.now();
      await clock.runUntil(serverDone, Math.max(0, Math.min(scenario.recoveryBoundMs, scenario.maxRunMs - (clock.now() - runStart))));
      if (!overWallBound()) await clock.advanceBy(graceMs);
    } else {
      const deadline = Date.now() + scenario.maxRunMs;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      drainFrom.t = Date.now();
      const drainDeadline = Math.min(deadline, Date.now() + scenario.recoveryBoundMs);
      while (!serverDone() && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, graceMs));
    }
    if (overWallBound()) {
      // The harness's own failure to finish in time (issue 11: 10,000 jobs ran for ever in virtual time), not the client's.
      trace.record({
        kind: 'internal_error',
        where: 'harness',
        message: `the run took more than ${wallBoundMs} ms of real time after the client was up (maxRunMs ${scenario.maxRunMs} + ${WALL_SLACK_MS} ms) and was stopped at ${Math.round(clock.now() - runStart)} ms of its own clock`,
      });
    }
    if (!serverDone()) trace.record({ kind: 'note', message: `run ended with ${progress.openPrompts} prompt(s) still open on the server (waited ${Math.round((memory ? clock.now() : Date.now()) - drainFrom.t)} ms for them)` });
    if (!allSettled()) {
      const why = clientGone ? 'the client is gone' : hopeless() ? `the server has been done for ${scenario.recoveryBoundMs} ms (the recovery bound)` : `the run reached its ${scenario.maxRunMs} ms bound`;
      trace.record({ kind: 'note', message: `run ended with jobs still pending: ${why}` });
    }
  };
  try {
    const context: ReferenceStartContext = {
      comfyUrl: '',
      seed: options.seed,
      hints: scenario.clientHints,
      windows: [...new Set(scenario.jobs.map((j) => j.window))],
      comfyui: profile,
      ...(proxy ? { toxiproxy: proxy } : {}),
      events: {
        onEvent: (event) => {
          if (!recording) return;
          trace.record({ kind: 'client', client: client.name, event: { ...event } });
          // A report in another user's window is a leak, not the end of the owner's job.
          const owner = 'id' in event ? ownerOf.get(event.id) : undefined;
          const own = event.window === undefined || owner === undefined || event.window === owner;
          if ((event.type === 'completed' || event.type === 'failed') && 'id' in event && own) unsettled.delete(event.id);
        },
        onRecord: (event) => {
          if (recording) trace.record({ kind: 'client', client: client.name, event: { ...event } });
        },
        onProblem: (problem) => {
          if (!recording && !stopping) return;
          trace.record({ kind: 'client', client: client.name, event: { type: 'client_error', problem: problem.kind, message: problem.message, detail: problem.detail ?? null } });
          if (problem.kind === 'crash' || problem.kind === 'exit') clientGone = true;
        },
      },
    };
    if (memory) {
      const transports = sims.map((sim, i) => sim.memoryTransport(`${scheme}://127.0.0.1:${8188 + i}`));
      context.comfyUrl = transports.map((t) => t.baseUrl + basePath).join(',');
      context.inProcess = { ...multiplex(transports), clock };
    } else {
      const urls: string[] = [];
      for (const [i, sim] of sims.entries()) {
        // A TLS profile serves the process's loopback test certificate; clients are told to trust its CA.
        const server = await sim.listen({ host: '127.0.0.1', port: 0 });
        if (server.caFile) context.caFile = server.caFile;
        if (proxy) {
          // Unique per process and run: several clients may start the same scenario in the same millisecond.
          const name = `cc-${process.pid}-${++proxyCounter}-${scenario.id}-${i}`;
          const control = await proxy.client.createProxy({ name, upstream: `127.0.0.1:${server.port}` });
          network.addProxy(control);
          urls.push(`${scheme}://${control.address}${basePath}`);
        } else urls.push(server.url + basePath);
        if (options.frontOfServer) {
          const front = await options.frontOfServer(urls[i]!, i);
          fronts.push(front);
          urls[i] = front.url;
        }
      }
      context.comfyUrl = urls.join(',');
    }
    context.comfyUrls = context.comfyUrl.split(',');
    trace.record({ kind: 'note', message: `run: scenario ${scenario.id} ${scenario.name}, client ${client.spec ?? client.name}, transport ${options.transport}, seed ${options.seed}, servers ${context.comfyUrl}, comfyui ${profile.name}` });
    try {
      session = await client.start(context);
      wallFrom = Date.now();
    } catch (error) {
      const event = trace.record({ kind: 'client', client: client.name, event: { type: 'client_error', problem: 'start', message: (error as Error).message } });
      startFailure = { message: (error as Error).message, seq: event.seq };
    }
    // A driver says what it can do in its ready event: a scenario that needs more is skipped, saying so (issue 12, point 8).
    skipBecause = session?.capabilities && missingCapability(requiredCapabilities(scenario), session.capabilities);
    if (!skipBecause) {
      // Time faults count from when the client is up, as the jobs' submitAtMs does.
      for (const sim of sims) sim.startTimeFaults();
      if (session) await driveWorkload(session);
    }
  } catch (error) {
    // Not the client's doing: the client's own failures are caught where they happen.
    recordInternalError(trace, 'harness', error);
  } finally {
    for (const timer of workloadTimers) clock.clearTimeout(timer);
    if (session) trace.record({ kind: 'client', client: client.name, event: { type: 'harness_shutdown' } });
    recording = false;
    stopping = true;
    const exit = await session?.shutdown().catch((error: Error) => ({ code: null, signal: null, stderrTail: [error.message] }));
    stopping = false;
    if (exit && (exit.code !== 0 || exit.signal)) {
      trace.record({ kind: 'client', client: client.name, event: { type: 'client_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail } });
    }
    for (const front of fronts) await front.close().catch((error: unknown) => recordInternalError(trace, 'front', error));
    await network.dispose().catch((error: unknown) => recordInternalError(trace, 'harness', error));
    for (const sim of sims) await sim.close().catch((error: unknown) => recordInternalError(trace, 'simulator close', error));
    releaseGuard();
  }
  if (skipBecause) return { ...skipped(scenario, client, options, skipBecause), comfyui: profile.name };
  const result = { ...buildResult(trace.events, scenario, client, options, wallStart, startFailure), comfyui: profile.name };
  // Behind a front, a client that never came up and never said it takes a base URL with a path
  // most likely dropped the path (host:port only): that is not a finding about it (issue 13).
  if (basePath && startFailure && client.capabilities?.base_path !== true && result.verdict === 'fail') {
    return { ...result, verdict: 'skipped', findings: [], reason: `did not start behind the ${profile.name} front (its base URL has the path ${basePath}); a client that takes one declares base_path in its ready event: ${startFailure.message}` };
  }
  return result;
}

/** An error of the harness or simulator, as the trace's `internal_error` (the verdict becomes `harness-error`). */
function recordInternalError(trace: TraceRecorder, where: string, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  trace.record({ kind: 'internal_error', where, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
}

/** The oracle failed on this trace (a bug of ours): the result says so, with the stack. */
function judgeOrHarnessError(events: readonly TraceEvent[], scenario: Scenario): ReturnType<typeof judge> {
  try {
    return judge(events, scenario);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return {
      verdict: 'harness-error',
      findings: [],
      counts: { ...emptyCounts },
      reason: `comfy-chaos itself failed (oracle), not the client: ${e.message}`,
      harnessError: { where: 'oracle', message: e.message, ...(e.stack ? { stack: e.stack } : {}) },
    };
  }
}

/** Judges the trace; a client that never started fails with that reason, whatever the invariants say. */
function buildResult(
  events: readonly TraceEvent[],
  scenario: Scenario,
  client: ClientUnderTest,
  options: RunScenarioOptions,
  wallStart: number,
  startFailure: { message: string; seq: number } | undefined,
): ScenarioResult {
  const judged = judgeOrHarnessError(events, scenario);
  if (startFailure && judged.verdict !== 'harness-error') {
    judged.verdict = 'fail';
    judged.reason = `the client did not start: ${startFailure.message}`;
    judged.findings.unshift({ invariant: 'no-hang', message: judged.reason, evidence: [startFailure.seq] });
  }
  return {
    scenario: { id: scenario.id, name: scenario.name, purpose: scenario.purpose, cites: scenario.cites },
    client: client.name,
    transport: options.transport,
    seed: options.seed,
    verdict: judged.verdict,
    reason: judged.reason,
    findings: judged.findings,
    counts: judged.counts,
    ...(judged.harnessError ? { harnessError: judged.harnessError } : {}),
    ...(judged.unfired ? { unfired: judged.unfired } : {}),
    runMs: events.length ? events[events.length - 1]!.t : 0,
    wallMs: Date.now() - wallStart,
    replay: options.replay,
    trace: events,
  };
}
