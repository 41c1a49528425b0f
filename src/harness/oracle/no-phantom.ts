import type { Finding } from '../result.ts';
import { lines, submittedJobs } from './invariant.ts';
import { completions, type TraceFacts } from './trace-facts.ts';

/**
 * No phantom: nothing is reported completed that did not complete on the server: not a prompt
 * that failed or never ran, not before the server finished it, not under another job's prompt
 * id, not for a job the harness never submitted.
 */
export function noPhantom(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const first = completions(job)[0];
    if (!first) continue;
    if (first.promptId !== undefined && job.promptId !== undefined && first.promptId !== job.promptId) {
      findings.push({
        invariant: 'no-phantom',
        job: job.id,
        message: `reported completed naming prompt ${first.promptId}, but the job's prompt is ${job.promptId}`,
        evidence: lines(job.submitted[0]?.seq, first.seq),
      });
    }
    const promptId = first.promptId ?? job.promptId;
    const outcome = promptId === undefined ? undefined : facts.prompts.get(promptId)?.outcome;
    if (outcome?.event !== 'success') {
      const truth = promptId === undefined ? 'no prompt of this job was ever queued' : outcome ? `the server says ${outcome.event}` : `the server never finished prompt ${promptId}`;
      findings.push({ invariant: 'no-phantom', job: job.id, message: `reported completed but ${truth}`, evidence: lines(outcome?.seq, first.seq) });
    } else if (first.seq < outcome.seq) {
      findings.push({
        invariant: 'no-phantom',
        job: job.id,
        message: `reported completed at ${first.t}ms, before the server finished prompt ${promptId} at ${outcome.t}ms`,
        evidence: lines(first.seq, outcome.seq),
      });
    }
  }
  const strays = new Map<string, number[]>();
  for (const r of facts.strays) if (r.type === 'completed') strays.set(r.job, [...(strays.get(r.job) ?? []), r.seq]);
  for (const [id, seqs] of strays) {
    findings.push({ invariant: 'no-phantom', job: id, message: `reported completed for job "${id}", which the harness never submitted`, evidence: seqs });
  }
  return findings;
}
