import { invariantName, type InvariantName, type Scenario } from '../../scenarios/scenario.ts';
import type { TraceEvent } from '../../protocol/index.ts';
import type { Finding, HarnessError, RunCounts, UnfiredFault, Verdict } from '../result.ts';
import { withCauses } from './cause-and-effect.ts';
import { describeRequest } from './client-requests.ts';
import { runCounts } from './counts.ts';
import { exactlyOnce } from './exactly-once.ts';
import { expectedOutcome } from './expected-outcome.ts';
import { failuresAreFailures } from './failures-are-failures.ts';
import type { Invariant } from './invariant.ts';
import { isolation } from './isolation.ts';
import { completionDueAt, noLostCompletion } from './no-lost-completion.ts';
import { noHang } from './no-hang.ts';
import { noPhantom } from './no-phantom.ts';
import { progressMonotonic } from './progress-monotonic.ts';
import { refundOnce } from './refund-once.ts';
import { rightOutputs } from './right-outputs.ts';
import { serverLock } from './server-lock.ts';
import { submissionsFlow } from './submissions-flow.ts';
import { upstreamReconnect } from './upstream-reconnect.ts';
import { driverConduct } from './driver-conduct.ts';
import { completions, traceFacts, type TraceFacts } from './trace-facts.ts';
import { unfiredFaults } from './unfired-faults.ts';

export { runCounts, recoveredBy } from './counts.ts';
export { traceFacts, type TraceFacts, type JobFacts, type ClientReport, type PromptFacts } from './trace-facts.ts';
export { healthyPoint, type HealthyPoint } from './healthy-point.ts';
export { unfiredFaults } from './unfired-faults.ts';
export { withCauses } from './cause-and-effect.ts';
export { clientRequests, type ClientRequests, type CancelRequest } from './client-requests.ts';
export type { Invariant } from './invariant.ts';
export {
  noLostCompletion,
  exactlyOnce,
  noPhantom,
  rightOutputs,
  failuresAreFailures,
  noHang,
  isolation,
  serverLock,
  progressMonotonic,
  expectedOutcome,
  refundOnce,
  upstreamReconnect,
  submissionsFlow,
  driverConduct,
};

/** Every invariant of design.md's oracle, by name; judged in this order. */
export const invariants = {
  'no-lost-completion': noLostCompletion,
  'exactly-once': exactlyOnce,
  'no-phantom': noPhantom,
  'right-outputs': rightOutputs,
  'failures-are-failures': failuresAreFailures,
  'no-hang': noHang,
  isolation,
  'server-lock': serverLock,
  'progress-monotonic': progressMonotonic,
  'expected-outcome': expectedOutcome,
  'refund-once': refundOnce,
  'upstream-reconnect': upstreamReconnect,
  'submissions-flow': submissionsFlow,
  'driver-conduct': driverConduct,
} satisfies Record<InvariantName, Invariant>;

export interface Judgement {
  verdict: Exclude<Verdict, 'skipped'>;
  findings: Finding[];
  counts: RunCounts;
  /** One line: the first failing invariant and job (fail), the slowest job (degraded), the fault that never fired (inconclusive), ... */
  reason?: string;
  harnessError?: HarnessError;
  unfired?: UnfiredFault[];
}

/** `no-lost-completion (job j1): message; trace lines 41, 57`. */
export function describeFinding(f: Finding): string {
  return `${f.invariant}${f.job === undefined ? '' : ` (job ${f.job})`}: ${f.message}; trace lines ${f.evidence.join(', ')}`;
}

/**
 * Jobs reported completed more than `latencyBoundMs` after the server finished them (scenario.ts:
 * measured from the success, not from the end of the faults), slowest first.
 */
function slowJobs(facts: TraceFacts, scenario: Scenario): { job: string; ms: number; evidence: number[] }[] {
  const slow: { job: string; ms: number; evidence: number[] }[] = [];
  for (const job of facts.jobs) {
    const success = job.prompt?.outcome;
    const first = completions(job)[0];
    if (success?.event !== 'success' || !first) continue;
    const ms = first.t - success.t;
    if (ms > scenario.latencyBoundMs) slow.push({ job: job.id, ms, evidence: [success.seq, first.seq] });
  }
  return slow.sort((a, b) => b.ms - a.ms);
}

/** The first `internal_error` of the trace: the simulator or harness failed, whatever the client did. */
function harnessErrorOf(trace: readonly TraceEvent[]): HarnessError | undefined {
  const e = trace.find((x): x is Extract<TraceEvent, { kind: 'internal_error' }> => x.kind === 'internal_error');
  return e && { where: e.where, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }), seq: e.seq };
}

/**
 * Jobs the client gave up on honestly (issue 12, point 3): POST /prompt was refused (5xx or 429)
 * after the job was submitted and before the client reported it failed, nothing was queued for
 * it, and it was never reported completed. Nothing was lost, duplicated or invented; only a retry
 * would have done better. Each refusal explains one job.
 */
function honestGiveUps(facts: TraceFacts): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  for (const job of facts.jobs) {
    const first = job.reports[0];
    if (!job.submit || first?.type !== 'failed' || completions(job).length || job.prompt?.queued || job.prompt?.acknowledged) continue;
    const refusal = facts.requests.refusedSubmissions.find((r) => !used.has(r.seq) && r.seq > job.submit!.seq && r.seq < first.seq);
    if (!refusal) continue;
    used.add(refusal.seq);
    out.set(job.id, `job ${job.id}: ${describeRequest(refusal, false)}, nothing was queued, and the client reported failed (trace line ${first.seq}): nothing lost, duplicated or invented, but a retry would have succeeded`);
  }
  return out;
}

/**
 * Judges one run's trace against its scenario (design.md, "Oracle"). Checks the scenario's
 * `invariants` (all when not given); findings of its `informational` ones are kept, marked, and
 * do not fail it. Then, in this order:
 * - `harness-error` when the trace holds an `internal_error` (the findings are kept, informational);
 * - `fail` if any finding stands; an expected-outcome finding does not stand when a fault of the
 *   scenario never fired (what the scenario expected rested on it), nor when the job's only
 *   fault was a refused submission the client reported as failed;
 * - `inconclusive` when a fault never fired;
 * - `non-strict` when the client gave up honestly after a refused submission;
 * - `degraded` if a job was reported completed more than `latencyBoundMs` after the server finished it;
 * - else `pass`.
 * Every finding carries its cause: the faults before it and the connection events after them.
 */
export function judge(trace: readonly TraceEvent[], scenario: Scenario): Judgement {
  const facts = traceFacts(trace, scenario);
  // Driver conduct is always judged (informational): it is about the client process, not about what the scenario tests.
  const checked = new Set<InvariantName>([...(scenario.invariants ?? invariantName.options), 'driver-conduct']);
  const informational = new Set<InvariantName>(scenario.informational);
  let findings: Finding[] = [];
  for (const name of invariantName.options) {
    if (!checked.has(name)) continue;
    for (const f of invariants[name](facts, scenario)) findings.push(informational.has(name) ? { ...f, informational: true } : f);
  }
  findings = withCauses(findings, trace);
  const counts = runCounts(facts);
  const harnessError = harnessErrorOf(trace);
  if (harnessError) {
    const reason = `comfy-chaos itself failed (${harnessError.where}), not the client: ${harnessError.message}; trace line ${harnessError.seq}`;
    return { verdict: 'harness-error', findings: findings.map((f) => ({ ...f, informational: true })), counts, reason, harnessError };
  }
  const unfired = unfiredFaults(trace, scenario);
  const giveUps = honestGiveUps(facts);
  const nonStrict = new Map<string, string>();
  findings = findings.map((f) => {
    if (f.informational || f.invariant !== 'expected-outcome') return f;
    if (unfired.length) return { ...f, informational: true, message: `${f.message} (not judged: a fault this expectation rests on never fired)` };
    const gaveUp = f.job === undefined ? undefined : giveUps.get(f.job);
    if (!gaveUp) return f;
    nonStrict.set(f.job!, gaveUp);
    return { ...f, informational: true, message: `${f.message} (non-strict: the client gave up after a refused submission, see the verdict)` };
  });
  const withUnfired = unfired.length ? { unfired } : {};
  const failing = findings.find((f) => !f.informational);
  if (failing) return { verdict: 'fail', findings, counts, reason: describeFinding(failing), ...withUnfired };
  if (unfired.length) {
    const more = unfired.length > 1 ? ` (and ${unfired.length - 1} more fault${unfired.length > 2 ? 's' : ''})` : '';
    const what = unfired[0]!.firedAt === undefined ? 'never fired' : 'acted on nothing';
    return { verdict: 'inconclusive', findings, counts, reason: `fault "${unfired[0]!.fault}" ${what}: ${unfired[0]!.why}${more}; nothing was tested`, unfired };
  }
  if (nonStrict.size) return { verdict: 'non-strict', findings, counts, reason: [...nonStrict.values()].join('; ') };
  const slowest = slowJobs(facts, scenario)[0];
  if (slowest) {
    const reason = `job ${slowest.job} was reported completed ${slowest.ms}ms after the server finished it (latency bound ${scenario.latencyBoundMs}ms); trace lines ${slowest.evidence.join(', ')}`;
    return { verdict: 'degraded', findings, counts, reason };
  }
  return { verdict: 'pass', findings, counts };
}

/** For callers that want the due time of a job (reports, timelines). */
export { completionDueAt };
