import type { Finding } from '../result.ts';
import { describeReport, jobEvidence, submittedJobs } from './invariant.ts';
import type { ServerOutcomeName, TraceFacts } from './trace-facts.ts';

/**
 * The failure reasons a client may give for each way a prompt can fail on the server. A prompt
 * lost in a restart may be reported `lost` or `disconnected` (both tell the user the server lost
 * it); `timeout` is not enough there, since the server says plainly (new sid, empty history)
 * what happened. A prompt deleted from the queue (a cancel) is `interrupted`.
 */
export const acceptedReasons: Record<Exclude<ServerOutcomeName, 'success'>, readonly string[]> = {
  error: ['error'],
  interrupted: ['interrupted'],
  deleted: ['interrupted'],
  lost: ['lost', 'disconnected'],
};

/**
 * Failures are failures: a prompt that ended in `execution_error`, `execution_interrupted` or a
 * restart is reported failed with a matching reason: not as success, not as silence.
 */
export function failuresAreFailures(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const outcome = job.prompt?.outcome;
    if (!outcome || outcome.event === 'success') continue;
    const allowed = acceptedReasons[outcome.event];
    const first = job.reports[0];
    const wanted = `failed (${allowed.join(' or ')})`;
    let message: string | undefined;
    if (!first) message = `ended with ${outcome.event} on the server at ${outcome.t}ms; the client said nothing (expected ${wanted})`;
    else if (first.type === 'completed') message = `ended with ${outcome.event} on the server but the client reported completed`;
    else if (!allowed.includes(first.reason ?? '')) message = `ended with ${outcome.event} on the server; the client reported ${describeReport(first)}, expected ${wanted}`;
    if (message) findings.push({ invariant: 'failures-are-failures', job: job.id, message, evidence: jobEvidence(job) });
  }
  return findings;
}
