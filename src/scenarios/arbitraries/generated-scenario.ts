import fc from 'fast-check';
import { describeFault, isNetworkFault, type Fault } from '../../protocol/index.ts';
import type { ScenarioInput } from '../scenario.ts';
import { faultSchedule, type FaultScheduleConstraints } from './fault-schedule.ts';
import { workload, type Workload, type WorkloadConstraints } from './workload.ts';

export interface GeneratedScenarioConstraints {
  /** The jobs [default {@link workload}'s defaults] */
  workload?: WorkloadConstraints;
  /** The faults; message triggers name prompts up to `workload.maxJobs` unless told [default {@link faultSchedule}'s defaults] */
  faults?: FaultScheduleConstraints;
  /** Scenario id of every generated scenario [default "9.1"; group 9 is "generated"] */
  id?: string;
}

/**
 * Client timings of generated scenarios, so that a hung request costs seconds, and, when a fault
 * can make a socket deaf (open but silent), so that noticing it does too: the hints the
 * catalogue's deaf-socket scenarios use. Only then: a short health timeout would also rescue a
 * client that forgets to resync after a reconnect, and hide that bug.
 */
export const generatedClientHints = { requestTimeoutMs: 2_000 } as const;
export const deafSocketClientHints = { healthTimeoutMs: 2_000 } as const;
const deafeningFaults = new Set<Fault['type']>(['silence', 'stalled_peer', 'deaf_reconnect', 'toxic', 'partition', 'drop', 'truncate', 'reorder']);

/**
 * Faults after which the reference client recovers only when its health timeout replaces the
 * socket: deaf sockets, frames lost at the end of a job (dropped, cut or held), and failed resync
 * reads (a `/queue` error after a restart, a timed-out `/history` read; test/property/findings/). The short timeout keeps those scenarios about the
 * other invariants; the findings' files keep the slow recovery visible.
 */
function needsHealthTimeout(f: Fault): boolean {
  if (deafeningFaults.has(f.type)) return true;
  return (f.type === 'http_status' || f.type === 'http_hang' || f.type === 'http_delay') && f.path !== '/prompt';
}

/** Bounds of every generated scenario, in ms: generous, since faults last up to 3 s each. */
export const generatedBounds = { latencyBoundMs: 5_000, recoveryBoundMs: 10_000, maxRunMs: 60_000 } as const;

/**
 * A whole scenario, workload x fault schedule, as plain `ScenarioInput` data that `scenario.parse`
 * accepts: a generated schedule is a scenario file. The oracle's expectations follow from the
 * data, so that a correct client passes every generated scenario:
 * - a failing graph is expected `failed`; a cancelled job `interrupted`;
 * - cancels are dropped when a fault can stop the cancel's own HTTP requests (a restart, a
 *   Toxiproxy fault, an HTTP fault on `/queue`): the job then rightly completes;
 * - when a fault can refuse a submit (a restart, an HTTP error or hang, a Toxiproxy fault) a job
 *   may rightly fail before the server ever sees it, after the client's submit retries: then
 *   `expected-outcome` is informational, and the invariants that compare the client with the
 *   server's ground truth (no lost completion, failures are failures, no phantom, ...) decide;
 * - after a restart that loses state, which jobs the server lost depends on timing; and a job
 *   that ended while another fault kept the client deaf, then was wiped from history by the
 *   restart, cannot be known by any client: `no-lost-completion` and `failures-are-failures`
 *   are informational too. No-phantom, exactly-once and no-hang still hold (a lost job reported
 *   completed fails).
 */
export function generatedScenario(constraints: GeneratedScenarioConstraints = {}): fc.Arbitrary<ScenarioInput> {
  const id = constraints.id ?? '9.1';
  return generatedParts(constraints).map(([w, f]) => buildScenario(id, w, f));
}

/**
 * The two parts a generated scenario is built from, before {@link buildScenario}: its workload
 * and its fault schedule. The hunt draws these (src/harness/hunt/coverage.ts) and shrinks them
 * itself; `generatedScenario` is this, built.
 */
export function generatedParts(constraints: GeneratedScenarioConstraints = {}): fc.Arbitrary<[Workload, Fault[]]> {
  const maxJobs = constraints.workload?.maxJobs ?? 3;
  const faults = faultSchedule({ ...constraints.faults, trigger: { maxPrompt: maxJobs, ...constraints.faults?.trigger } });
  return fc.tuple(workload(constraints.workload), faults);
}

/** Builds the scenario of one workload and one schedule; exported for tests and tools. */
export function buildScenario(id: string, w: Workload, faults: Fault[]): ScenarioInput {
  const jobs = w.jobs.map((j) => ({ ...j }));
  const expect = { ...w.expect };
  const cancelUnsafe = faults.some(
    (f) => f.type === 'restart' || isNetworkFault(f) || ((f.type === 'http_status' || f.type === 'http_delay' || f.type === 'http_hang') && f.path === '/queue'),
  );
  if (cancelUnsafe) {
    for (const job of jobs) {
      if (job.cancelAtMs === undefined) continue;
      delete job.cancelAtMs;
      delete expect[job.id];
    }
  }
  const losesState = faults.some((f) => f.type === 'restart' && f.loseState);
  const refusesSubmits = faults.some((f) => f.type === 'restart' || f.type === 'http_status' || f.type === 'http_hang' || isNetworkFault(f));
  const informational = [
    ...(losesState ? (['no-lost-completion', 'failures-are-failures'] as const) : []),
    ...(losesState || refusesSubmits ? (['expected-outcome'] as const) : []),
  ];
  const shapes = jobs.map((j) => `${j.id}${j.window === 'main' ? '' : `@${j.window}`}${j.cancelAtMs === undefined ? '' : ' cancelled'}${expect[j.id] === 'failed' ? ' failing' : ''}`);
  const purpose =
    `generated: ${jobs.length} job(s) [${shapes.join(', ')}] on ${w.servers} server(s); ` +
    (faults.length ? `faults: ${faults.map(describeFault).join('; ')}` : 'no faults');
  const data = {
    id,
    name: `generated-${digest(JSON.stringify({ jobs, faults, servers: w.servers }))}`,
    purpose,
    jobs,
    servers: w.servers,
    faults,
    expect,
    informational,
    clientHints: { ...generatedClientHints, ...(faults.some(needsHealthTimeout) ? deafSocketClientHints : {}) },
    ...generatedBounds,
  };
  return structuredClone(data) as ScenarioInput;
}

/** FNV-1a, 32 bits, as 8 hex digits: a stable short name for a generated scenario. */
export function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
