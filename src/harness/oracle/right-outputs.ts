import type { Finding } from '../result.ts';
import { canonicalJson, lines, submittedJobs } from './invariant.ts';
import { completions, type TraceFacts } from './trace-facts.ts';

const shorten = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * Right outputs: what the client reported completed with equals the server's outputs for that
 * prompt (its history entry's when the trace has them, else the success event's), compared as
 * JSON with sorted keys.
 */
export function rightOutputs(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    for (const report of completions(job)) {
      const prompt = facts.prompts.get(report.promptId ?? job.promptId ?? '');
      if (prompt?.outcome?.event !== 'success') continue; // no-phantom's business
      const source = prompt.history?.outputs ? prompt.history : prompt.outcome;
      const expected = canonicalJson(source.outputs ?? {});
      const got = canonicalJson(report.outputs ?? {});
      if (got === expected) continue;
      findings.push({
        invariant: 'right-outputs',
        job: job.id,
        message: `the outputs reported differ from the server's for prompt ${prompt.promptId}: reported ${shorten(got)}, server ${shorten(expected)}`,
        evidence: lines(source.seq, report.seq),
      });
    }
  }
  return findings;
}
