import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import { describeReport, jobEvidence, submittedJobs } from './invariant.ts';
import type { ClientReport, ServerOutcomeName, TraceFacts } from './trace-facts.ts';

type Expected = Scenario['expect'][string];

/** What the client may report for each expected outcome (`failed`: any reason). */
function clientMatches(expected: Expected, r: ClientReport): boolean {
  if (expected === 'completed') return r.type === 'completed';
  if (r.type !== 'failed') return false;
  if (expected === 'interrupted') return r.reason === 'interrupted';
  if (expected === 'lost') return r.reason === 'lost' || r.reason === 'disconnected';
  return true;
}

/** What the server must have done for the expectation to make sense. */
const serverMatches: Record<Expected, readonly ServerOutcomeName[]> = {
  completed: ['success'],
  failed: ['error', 'interrupted', 'lost', 'deleted'],
  interrupted: ['interrupted', 'deleted'],
  lost: ['lost'],
};

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
    if (first && !clientMatches(expected, first)) {
      findings.push({ invariant: 'expected-outcome', job: job.id, message: `expected ${expected}, the client reported ${describeReport(first)}`, evidence: jobEvidence(job) });
    }
    const outcome = job.prompt?.outcome;
    if (outcome && !serverMatches[expected].includes(outcome.event)) {
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
