import type { Finding } from '../result.ts';
import { lines, submittedJobs } from './invariant.ts';
import type { TraceFacts } from './trace-facts.ts';

/**
 * Refund once (relays whose profile says they refund): a job that failed on the server with an
 * error gets its owner's credits back exactly once; a job that succeeded is never refunded; a
 * refund names the user who paid. Interrupted and lost jobs may be refunded, at most once.
 */
export function refundOnce(facts: TraceFacts): Finding[] {
  const relay = facts.relay;
  if (!relay?.refunds) return [];
  const findings: Finding[] = [];
  const claimed = new Set<number>();
  for (const job of submittedJobs(facts)) {
    if (job.promptId === undefined) continue;
    const calls = relay.refundCalls.filter((c) => c.promptId === job.promptId);
    for (const c of calls) claimed.add(c.seq);
    const outcome = job.prompt?.outcome;
    const evidence = lines(outcome?.seq, calls.map((c) => c.seq));
    const say = (message: string) => findings.push({ invariant: 'refund-once', job: job.id, message, evidence });
    if (outcome?.event === 'success' && calls.length > 0) say(`prompt ${job.promptId} succeeded but the relay refunded it ${calls.length} time(s)`);
    else if (outcome?.event === 'error' && calls.length === 0) say(`prompt ${job.promptId} failed on the server but user "${job.window}" was never refunded`);
    else if (calls.length > 1) say(`prompt ${job.promptId} was refunded ${calls.length} times`);
    const wrong = calls.find((c) => c.user !== undefined && c.user !== job.window);
    if (wrong) say(`the refund for prompt ${job.promptId} went to user "${wrong.user}", but user "${job.window}" paid for it`);
  }
  for (const c of relay.refundCalls) {
    if (claimed.has(c.seq)) continue;
    findings.push({ invariant: 'refund-once', message: `a refund for ${c.promptId === undefined ? 'no prompt id' : `prompt ${c.promptId}`}, which no job of this run has`, evidence: [c.seq] });
  }
  return findings;
}
