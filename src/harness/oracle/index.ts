import { invariantName, type InvariantName, type Scenario } from '../../scenarios/scenario.ts';
import type { TraceEvent } from '../../protocol/index.ts';
import type { Finding, RunCounts } from '../result.ts';
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
import { completions, traceFacts, type TraceFacts } from './trace-facts.ts';

export { runCounts, recoveredBy } from './counts.ts';
export { traceFacts, type TraceFacts, type JobFacts, type ClientReport, type PromptFacts } from './trace-facts.ts';
export { healthyPoint, type HealthyPoint } from './healthy-point.ts';
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
} satisfies Record<InvariantName, Invariant>;

export interface Judgement {
  verdict: 'pass' | 'degraded' | 'fail';
  findings: Finding[];
  counts: RunCounts;
  /** One line: the first failing invariant and job (fail), or the slowest job (degraded). */
  reason?: string;
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

/**
 * Judges one run's trace against its scenario (design.md, "Oracle"). Checks the scenario's
 * `invariants` (all when not given); findings of its `informational` ones are kept, marked, and
 * do not fail it. `fail` if any other finding; else `degraded` if a job was reported completed
 * more than `latencyBoundMs` after the server finished it; else `pass`.
 */
export function judge(trace: readonly TraceEvent[], scenario: Scenario): Judgement {
  const facts = traceFacts(trace, scenario);
  const checked = new Set<InvariantName>(scenario.invariants ?? invariantName.options);
  const informational = new Set<InvariantName>(scenario.informational);
  const findings: Finding[] = [];
  for (const name of invariantName.options) {
    if (!checked.has(name)) continue;
    for (const f of invariants[name](facts, scenario)) findings.push(informational.has(name) ? { ...f, informational: true } : f);
  }
  const counts = runCounts(facts);
  const failing = findings.find((f) => !f.informational);
  if (failing) return { verdict: 'fail', findings, counts, reason: describeFinding(failing) };
  const slowest = slowJobs(facts, scenario)[0];
  if (slowest) {
    const reason = `job ${slowest.job} was reported completed ${slowest.ms}ms after the server finished it (latency bound ${scenario.latencyBoundMs}ms); trace lines ${slowest.evidence.join(', ')}`;
    return { verdict: 'degraded', findings, counts, reason };
  }
  return { verdict: 'pass', findings, counts };
}

/** For callers that want the due time of a job (reports, timelines). */
export { completionDueAt };
