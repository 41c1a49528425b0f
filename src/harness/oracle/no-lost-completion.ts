import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import { describeReport, jobEvidence, lines, submittedJobs } from './invariant.ts';
import { completions, type JobFacts, type TraceFacts } from './trace-facts.ts';

/**
 * When a job's completion becomes due: the later of the server's success, its history entry
 * (a late history is a fault's effect too: ComfyUI#11540) and the moment the network and the
 * server were whole again. Exported for the latency check of the verdict.
 */
export function completionDueAt(job: JobFacts, facts: TraceFacts): { t: number; why: string; seq?: number } {
  const success = job.prompt!.outcome!;
  let due: { t: number; why: string; seq?: number } = { t: success.t, why: 'the server finished it', seq: success.seq };
  const history = job.prompt?.history;
  if (history && history.t > due.t) due = { t: history.t, why: 'its history entry was written', seq: history.seq };
  if (facts.healthy.t > due.t) due = { t: facts.healthy.t, why: facts.healthy.why, ...(facts.healthy.seq === undefined ? {} : { seq: facts.healthy.seq }) };
  return due;
}

/**
 * No lost completion: a job that succeeded on the server is reported completed, within
 * `recoveryBoundMs` of the later of its success and the network being healthy again.
 */
export function noLostCompletion(facts: TraceFacts, scenario: Scenario): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const success = job.prompt?.outcome;
    if (success?.event !== 'success') continue;
    const first = completions(job)[0];
    if (!first) {
      const said = job.reports.length ? `reported ${job.reports.map(describeReport).join(' then ')}` : 'never reported it';
      findings.push({
        invariant: 'no-lost-completion',
        job: job.id,
        message: `prompt ${job.promptId} succeeded on the server at ${success.t}ms but the client ${said}`,
        evidence: jobEvidence(job),
      });
      continue;
    }
    const due = completionDueAt(job, facts);
    const late = first.t - due.t;
    if (late > scenario.recoveryBoundMs) {
      findings.push({
        invariant: 'no-lost-completion',
        job: job.id,
        message: `reported completed at ${first.t}ms, ${late}ms after ${due.why} at ${due.t}ms (recovery bound ${scenario.recoveryBoundMs}ms)`,
        evidence: lines(success.seq, due.seq, first.seq),
      });
    }
  }
  return findings;
}
