import type { Finding } from '../result.ts';
import { lines, submittedJobs } from './invariant.ts';
import type { TraceFacts } from './trace-facts.ts';

/**
 * Submissions flow (relays): every job a user submits through the relay reaches the server's
 * queue. A relay that stalls (a concurrency limit released by a `status` frame that never came)
 * or refuses work while ComfyUI is up breaks it; the message says what the relay answered.
 */
export function submissionsFlow(facts: TraceFacts): Finding[] {
  if (!facts.relay) return [];
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    if (job.cancel || job.prompt?.queued) continue;
    const refused = facts.relay.submitFailures.get(job.id);
    findings.push({
      invariant: 'submissions-flow',
      job: job.id,
      message: `user "${job.window}" submitted job ${job.id} at ${job.submit!.t}ms and its prompt never reached the server${refused ? `: ${refused.message}` : ' (the relay accepted it and never sent it on)'}`,
      evidence: lines(job.submit!.seq, refused?.seq),
    });
  }
  return findings;
}
