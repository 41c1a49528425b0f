import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import type { ClientReport, JobFacts, TraceFacts } from './trace-facts.ts';

/** One invariant of design.md's oracle: reads the facts of a trace, returns what it found broken. */
export type Invariant = (facts: TraceFacts, scenario: Scenario) => Finding[];

/** Trace lines, sorted and without repeats; undefined entries are skipped. */
export function lines(...seqs: (number | undefined | readonly (number | undefined)[])[]): number[] {
  const out = new Set<number>();
  for (const s of seqs) for (const n of Array.isArray(s) ? s : [s]) if (typeof n === 'number') out.add(n);
  return [...out].sort((a, b) => a - b);
}

/** JSON with object keys sorted at every depth: two outputs are equal when these strings are. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  ) ?? 'undefined';
}

/** `completed` or `failed (timeout)`, for messages. */
export function describeReport(r: ClientReport): string {
  return r.type === 'failed' ? `failed (${r.reason ?? 'no reason'})` : r.type;
}

/** The server's outcome line and the client's terminal reports: the usual evidence about a job. */
export function jobEvidence(job: JobFacts, ...more: (number | undefined)[]): number[] {
  return lines(job.prompt?.outcome?.seq, job.reports.map((r) => r.seq), more);
}

/** What the server did with a job's prompt, for messages. */
export function serverSays(job: JobFacts): string {
  if (job.promptId === undefined) return 'the prompt was never seen queued on the server';
  const outcome = job.prompt?.outcome;
  return outcome ? `the server says ${outcome.event} (prompt ${job.promptId})` : `the server never finished prompt ${job.promptId}`;
}

/** Jobs the invariants judge: those that were submitted (by the harness, or seen in the client's events). */
export function submittedJobs(facts: TraceFacts): JobFacts[] {
  return facts.jobs.filter((j) => j.submit !== undefined);
}
