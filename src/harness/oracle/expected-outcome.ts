import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import { describeRequest } from './client-requests.ts';
import { describeReport, jobEvidence, lines, submittedJobs } from './invariant.ts';
import type { ClientReport, JobFacts, ServerOutcomeName, TraceFacts } from './trace-facts.ts';

type Expected = Scenario['expect'][string];

/** What the client may report for each expected outcome (`failed`: any reason). */
function clientMatches(expected: Expected, r: ClientReport): boolean {
  if (expected === 'completed') return r.type === 'completed';
  if (r.type !== 'failed') return false;
  if (expected === 'interrupted') return r.reason === 'interrupted';
  if (expected === 'lost') return r.reason === 'lost' || r.reason === 'disconnected';
  return true;
}

/** The client told its user what the server really did (completed for a success, interrupted for an interrupt). */
function reportMatchesServer(r: ClientReport, server: ServerOutcomeName): boolean {
  if (server === 'success') return r.type === 'completed';
  if (server === 'interrupted') return r.type === 'failed' && r.reason === 'interrupted';
  return r.type === 'failed';
}

/** What the server must have done for the expectation to make sense. */
const serverMatches: Record<Expected, readonly ServerOutcomeName[]> = {
  completed: ['success'],
  failed: ['error', 'interrupted', 'lost', 'deleted'],
  interrupted: ['interrupted', 'deleted'],
  lost: ['lost'],
};

/**
 * When the server's outcome is not what the scenario meant, was it the client's own doing?
 * (issue 12, point 5). Its cancel request was refused (a form-encoded POST /queue gets 400); it
 * sent none; or its global POST /interrupt, sent to cancel one job, killed another window's job.
 * Returns the message and the trace lines of the requests, or undefined when the trace does not
 * show the client's hand in it.
 */
function clientCaused(job: JobFacts, expected: Expected, outcome: ServerOutcomeName, facts: TraceFacts): { message: string; evidence: number[] } | undefined {
  const cancels = facts.requests.cancels;
  // A cancel that came after the job had ended on the server is the schedule's doing, not the client's.
  const cancelInTime = job.cancel !== undefined && (job.prompt?.outcome === undefined || job.cancel.seq < job.prompt.outcome.seq);
  if (job.cancel && cancelInTime && (expected === 'interrupted' || expected === 'failed') && outcome === 'success') {
    const after = cancels.filter((c) => c.seq > job.cancel!.seq && (!job.prompt?.outcome || c.seq < job.prompt.outcome.seq));
    const head = `expected ${expected}, the server says success: the harness asked the client to cancel (trace line ${job.cancel.seq}), and`;
    if (!after.length) return { message: `${head} the client sent no cancel request (no POST /queue, POST /interrupt or jobs API cancel) before the job ended: the client cannot cancel, or did not`, evidence: [job.cancel.seq] };
    const refused = after.filter((c) => c.status >= 400);
    if (refused.length) {
      return { message: `${head} the client's cancel request was refused: ${refused.map((c) => describeRequest(c)).join('; ')}`, evidence: lines(job.cancel.seq, after.map((c) => c.seq)) };
    }
    return { message: `${head} the client's cancel requests did not stop it: ${after.map((c) => describeRequest(c)).join('; ')}`, evidence: lines(job.cancel.seq, after.map((c) => c.seq)) };
  }
  if (!job.cancel && outcome === 'interrupted' && expected !== 'interrupted' && expected !== 'failed') {
    const outcomeSeq = job.prompt?.outcome?.seq ?? Infinity;
    const global = cancels.filter((c) => c.kind === 'interrupt' && c.global && c.seq < outcomeSeq).at(-1);
    if (!global) return undefined;
    const asked = facts.jobs.find((j) => j.cancel && j.id !== job.id && j.cancel.seq < global.seq);
    const why = asked ? `, sent after the harness asked it to cancel job ${asked.id} (trace line ${asked.cancel!.seq})` : '';
    return {
      message: `expected ${expected}, the server says interrupted: the client's own global interrupt (no prompt_id) stopped this job${why}: ${describeRequest(global)}`,
      evidence: lines(global.seq, asked?.cancel?.seq),
    };
  }
  return undefined;
}

/**
 * Expected outcome: the client's first terminal report is the scenario's `expect[job]`
 * (`completed` when not given). Also checks the server's outcome against it, so that a scenario
 * whose fault did not do what it meant (a trigger that never came) fails loudly instead of
 * passing for the wrong reason. Silence is no-hang's business.
 */
export function expectedOutcome(facts: TraceFacts, scenario: Scenario): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const expected: Expected = scenario.expect[job.id] ?? 'completed';
    const first = job.reports[0];
    const outcome = job.prompt?.outcome;
    const offScript = outcome && !serverMatches[expected].includes(outcome.event);
    const blame = offScript ? clientCaused(job, expected, outcome.event, facts) : undefined;
    // The client's own request changed the outcome: that is the finding, told first and with the
    // request as evidence; its report of what the server then did is not a second fault.
    if (blame && outcome) {
      const told = first ? `; it reported ${describeReport(first)}` : '';
      findings.push({ invariant: 'expected-outcome', job: job.id, message: `${blame.message}${told}`, evidence: lines(jobEvidence(job), blame.evidence) });
      if (first && !clientMatches(expected, first) && !reportMatchesServer(first, outcome.event)) {
        findings.push({ invariant: 'expected-outcome', job: job.id, message: `expected ${expected}, the client reported ${describeReport(first)}`, evidence: jobEvidence(job) });
      }
      continue;
    }
    if (first && !clientMatches(expected, first)) {
      findings.push({ invariant: 'expected-outcome', job: job.id, message: `expected ${expected}, the client reported ${describeReport(first)}`, evidence: jobEvidence(job) });
    }
    if (offScript) {
      findings.push({
        invariant: 'expected-outcome',
        job: job.id,
        message: `expected ${expected}, but the server says ${outcome.event}: the run did not go as the scenario meant`,
        evidence: jobEvidence(job),
      });
    }
  }
  return findings;
}
