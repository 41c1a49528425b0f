import type { Finding } from '../result.ts';
import { describeReport, jobEvidence, submittedJobs } from './invariant.ts';
import type { TraceFacts } from './trace-facts.ts';

/**
 * Exactly once: one terminal report per job; never completed twice, never completed and failed;
 * and the job run once on the server (a client that posts again after a lost reply without
 * looking first makes the GPU do the work twice).
 */
export function exactlyOnce(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const queued = job.prompt?.queuedSeqs ?? [];
    if (queued.length > 1) {
      findings.push({
        invariant: 'exactly-once',
        job: job.id,
        message: `the server queued prompt ${job.prompt!.promptId} ${queued.length} times: the client posted it again (after a lost reply?) without looking first`,
        evidence: queued,
      });
    }
    if (job.reports.length < 2) continue;
    const said = job.reports.map(describeReport);
    const same = said.every((s) => s === said[0]);
    findings.push({
      invariant: 'exactly-once',
      job: job.id,
      message: same ? `reported ${said[0]} ${said.length} times` : `reported ${said.join(' and ')}`,
      evidence: jobEvidence(job),
    });
  }
  return findings;
}
