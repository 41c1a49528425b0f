import { z } from 'zod';
import { apiPrompt, driverCapabilities, faultSchedule, isNetworkFault } from '../protocol/index.ts';
import { boundedMs, boundedText, positiveMs, scenarioLimits } from '../protocol/scenario-limits.ts';
import { strictObject } from '../protocol/strict-object.ts';

/** One job of a workload: which graph, from which window, to which server, submitted when. */
const shortName = z.string().min(1).max(scenarioLimits.name);

/** How deep a value nests (arrays and objects), counting no further than `limit + 1`, without recursion. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
  return deepest;
}

/** A job's graph, bounded: a prompt the size of a file system or nested thousands deep is a mistake (issue 11). */
const boundedPrompt = apiPrompt.superRefine((prompt, ctx) => {
  const nodes = Object.keys(prompt).length;
  if (nodes > scenarioLimits.promptNodes) ctx.addIssue({ code: 'custom', message: `a prompt has at most ${scenarioLimits.promptNodes} nodes (this one has ${nodes})` });
  for (const [id, node] of Object.entries(prompt)) {
    // inputs (depth 1), an input's value (2), ...
    if (nestingDepth(node.inputs, scenarioLimits.promptDepth + 1) > scenarioLimits.promptDepth + 1) {
      ctx.addIssue({ code: 'custom', path: [id, 'inputs'], message: `an input value nests at most ${scenarioLimits.promptDepth} levels deep` });
    }
  }
});

export const workloadJob = strictObject({
  id: shortName,
  prompt: boundedPrompt,
  /** The window (session) that submits it; windows are isolated from each other. */
  window: shortName.default('main'),
  /** Ms after the run starts; before the scenario's `maxRunMs`. */
  submitAtMs: boundedMs().default(0),
  /** Cancel the job this many ms after the run starts (queue delete or interrupt); before `maxRunMs`. */
  cancelAtMs: boundedMs().optional(),
});
export type WorkloadJob = z.infer<typeof workloadJob>;

/**
 * One recorded server frame: a JSON message, its exact text as recorded (number forms such as
 * `1.0`, a BOM, a frame that is not JSON), or a binary frame (a preview) as base64; `atMs` from the
 * prompt's first frame.
 */
export const scriptedFrame = z.union([
  strictObject({ atMs: boundedMs(), message: z.object({ type: z.string().max(scenarioLimits.name), data: z.unknown().optional() }) }),
  strictObject({ atMs: boundedMs(), text: z.string().max(scenarioLimits.oversizedBytes) }),
  strictObject({ atMs: boundedMs(), base64: z.string().max(scenarioLimits.oversizedBytes) }),
]);

/**
 * What a real server sent for one prompt (from `comfy-chaos import`). The simulator plays it for
 * the prompt accepted in the same position instead of running its engine, with the recorded
 * prompt id replaced by the new one (src/simulator/engine/scripted-prompt.ts).
 */
export const scriptedPrompt = strictObject({
  /** The prompt id in the recording. */
  promptId: shortName,
  outcome: z.enum(['success', 'error', 'interrupted']),
  /** From `execution_start` to the terminal `execution_*` message, in order. */
  frames: z.array(scriptedFrame).max(scenarioLimits.scriptFrames),
  /** The recorded `/history` entry of the prompt, written as its history when it ends. */
  history: z.record(z.string(), z.unknown()).optional(),
  /** How long the prompt ran when the recording has none of its frames, in ms. */
  durationMs: boundedMs().optional(),
  /** The recorded server's clock (ms) at the first frame: frames' and history's `timestamp`s shift from it to the replay's clock. */
  startedAt: z.number().finite().optional(),
});
export type ScriptedPromptInput = z.input<typeof scriptedPrompt>;

/** The invariants of design.md's oracle, by name. */
export const invariantName = z.enum([
  'no-lost-completion',
  'exactly-once',
  'no-phantom',
  'right-outputs',
  'failures-are-failures',
  'no-hang',
  'isolation',
  'server-lock',
  'progress-monotonic',
  'expected-outcome',
  // Relay invariants (group 8): judged only in relay runs, where the trace says a relay started.
  'refund-once',
  'upstream-reconnect',
  'submissions-flow',
  // How a driver process behaved towards the harness (ignored shutdown, junk on stdout, a flood); always judged, informational only.
  'driver-conduct',
]);
export type InvariantName = z.infer<typeof invariantName>;

/**
 * Something that happens to a user's browser in a relay run (group 8): the downstream side of the
 * fault schedule. The harness plays every browser, so it applies these itself.
 */
export const browserAction = strictObject({
  /** Ms after the run starts. */
  atMs: boundedMs(),
  /** The user (the job's `window`) whose browser it is. */
  user: shortName,
  /**
   * - `drop`: the socket dies with no close frame; the browser's protocol client reconnects by itself;
   * - `reload`: the page closes and opens again `forMs` later, a new connection for the same user;
   * - `offline`: the socket dies and the browser stays away for `forMs`, then comes back as a new connection;
   * - `slow`: every byte to and from the browser is delayed `latencyMs` for `forMs` (Toxiproxy).
   */
  action: z.enum(['drop', 'reload', 'offline', 'slow']),
  forMs: boundedMs().default(0),
  latencyMs: boundedMs().default(0),
});
export type BrowserAction = z.infer<typeof browserAction>;

/**
 * Settings a scenario asks of the client so it can finish in its time budget (a deaf-socket
 * scenario needs a health timeout shorter than the run). The reference adapter passes them as
 * options; driver processes get them as JSON in `COMFY_CHAOS_HINTS` and may ignore them.
 */
export const clientHints = strictObject({
  healthTimeoutMs: positiveMs().optional(),
  pollIntervalMs: positiveMs().optional(),
  reconnectCapMs: positiveMs().optional(),
  jobTimeoutMs: positiveMs().optional(),
  /** Bound on each HTTP request, so a hung `/prompt` or `/history` (`http_hang`) costs seconds, not the default 10. */
  requestTimeoutMs: positiveMs().optional(),
  lockReleaseDelayMs: boundedMs().optional(),
}).default({});
export type ClientHints = z.infer<typeof clientHints>;

/**
 * A scenario: workload x fault schedule x oracle (design.md). Data, validated here, so a scenario
 * can live in a YAML or JSON file as well as in the built-in catalogue.
 */
export const scenario = strictObject({
  /** `group.number`, e.g. `2.3`. Groups: 1 frames, 2 connection loss, 3 HTTP, 4 network, 5 restart and deaf sockets, 6 jobs/windows/servers, 7 field bugs, 8 relays. */
  id: z.string().regex(/^\d+\.\d+$/, 'a scenario id is "<group>.<number>", e.g. "2.3"'),
  name: z.string().regex(/^[a-z0-9-]+$/, 'a scenario name is kebab-case'),
  purpose: boundedText().min(1),
  /** The field report it reproduces (group 7), e.g. `Comfy-Org/ComfyUI#16010`. */
  cites: boundedText().optional(),
  jobs: z.array(workloadJob).min(1).max(scenarioLimits.jobs, `at most ${scenarioLimits.jobs} jobs in one scenario`),
  /** How many simulated ComfyUI servers (a pool; group 6) [default 1]. */
  servers: z.number().int().min(1).max(4).default(1),
  /** Faults apply to server 1 (simulator faults) and its proxy (network faults). */
  faults: faultSchedule.default([]),
  /** The invariants checked; all by default. */
  invariants: z.array(invariantName).min(1, 'an empty list checks nothing: leave `invariants` out to check them all').optional(),
  /** Invariants whose findings are reported but do not fail the scenario (e.g. "recovered only by polling"). */
  informational: z.array(invariantName).default([]),
  /** A job reported later than this after the server finished it makes the verdict `degraded`, in ms [default 5000]. */
  latencyBoundMs: positiveMs().default(5_000),
  /** Once the network is healthy again, every finished job must be reported within this, in ms [default 30000]. */
  recoveryBoundMs: positiveMs().default(30_000),
  /**
   * The longest a run may take, in ms, in the run's time (virtual on memory) and in real time
   * alike: the runner also stops a run that has taken this much real time plus a minute
   * (src/harness/runner.ts) [default 120000, at most 6 h].
   */
  maxRunMs: z.number().positive().max(scenarioLimits.maxRunMs, `at most ${scenarioLimits.maxRunMs} ms (6 h)`).default(120_000),
  /** Expected terminal outcome per job id when it is not `completed`. */
  expect: z.record(z.string(), z.enum(['completed', 'failed', 'interrupted', 'lost'])).default({}),
  clientHints,
  /**
   * Where the scenario may run [default both]. Scenarios that last minutes of virtual time (a
   * ten-minute outage) say `['memory']` so the network run stays short; Toxiproxy faults need the
   * network transport whatever this says (see {@link scenarioTransports}).
   */
  transports: z.array(z.enum(['memory', 'network'])).min(1).default(['memory', 'network']),
  /**
   * Capabilities the client must declare beyond those the workload implies (its servers, windows
   * and cancels), e.g. `{ uploads: true }`; a client that does not is skipped (docs/write-a-driver.md).
   */
  requires: driverCapabilities.optional(),
  /** Relay runs only: what happens to the users' browsers (downstream faults). */
  browsers: z.array(browserAction).max(scenarioLimits.browserActions).default([]),
  /** Recorded traffic (a scenario made by `comfy-chaos import`): the n-th accepted prompt plays `script[n-1]`. */
  script: z.array(scriptedPrompt).max(scenarioLimits.scriptPrompts).optional(),
  /**
   * The ComfyUI release (or front) the simulators play, by profile name (src/simulator/profiles:
   * `0.3.44`, `0.3.64`, `current`, `gateway-api-prefix`) [default the baseline 0.3.64]. The harness
   * checks the name; `run --comfyui` overrides it.
   */
  comfyui: z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'a ComfyUI profile name, e.g. "0.3.44"').optional(),
}).superRefine((s, ctx) => {
  const ids = new Set<string>();
  for (const [i, job] of s.jobs.entries()) {
    if (ids.has(job.id)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'id'], message: `duplicate job id "${job.id}"` });
    ids.add(job.id);
  }
  const users = new Set(s.jobs.map((j) => j.window));
  for (const [i, b] of s.browsers.entries()) {
    if (!users.has(b.user)) ctx.addIssue({ code: 'custom', path: ['browsers', i, 'user'], message: `no job of user "${b.user}" in this scenario (users: ${[...users].join(', ')})` });
  }
  for (const id of Object.keys(s.expect)) {
    if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['expect', id], message: `no job "${id}" in this scenario` });
  }
  // Anything scheduled after the run's end would silently never happen (issue 11: `submitAtMs: 1e300` passed).
  const late = (path: PropertyKey[], what: string, ms: number) => {
    if (ms >= s.maxRunMs) ctx.addIssue({ code: 'custom', path, message: `${what} at ${ms} ms is not before the run's end (maxRunMs ${s.maxRunMs}): it would never happen` });
  };
  for (const [i, job] of s.jobs.entries()) {
    late(['jobs', i, 'submitAtMs'], `job ${job.id} is submitted`, job.submitAtMs);
    if (job.cancelAtMs !== undefined) late(['jobs', i, 'cancelAtMs'], `job ${job.id} is cancelled`, job.cancelAtMs);
  }
  for (const [i, f] of s.faults.entries()) if (f.at.on === 'time') late(['faults', i, 'at', 'afterMs'], `fault ${f.type} fires`, f.at.afterMs);
  for (const [i, b] of s.browsers.entries()) late(['browsers', i, 'atMs'], `browser action ${b.action}`, b.atMs);
});
export type Scenario = z.infer<typeof scenario>;
export type ScenarioInput = z.input<typeof scenario>;

/** Scenarios with Toxiproxy faults need the network transport. */
export function needsNetwork(s: Scenario): boolean {
  return s.faults.some(isNetworkFault);
}

/** The transports a scenario runs on: its `transports`, less `memory` when it has Toxiproxy faults. */
export function scenarioTransports(s: Scenario): Array<'memory' | 'network'> {
  return needsNetwork(s) ? s.transports.filter((t) => t === 'network') : [...s.transports];
}

export function scenarioGroup(s: Pick<Scenario, 'id'>): number {
  return Number(s.id.split('.')[0]);
}

/** Group 8 is for relays: its scenarios run only against a relay (`run --relay`), and a relay runs only them. */
export const RELAY_GROUP = 8;

export function isRelayScenario(s: Pick<Scenario, 'id'>): boolean {
  return scenarioGroup(s) === RELAY_GROUP;
}
