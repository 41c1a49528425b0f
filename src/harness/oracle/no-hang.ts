import type { Finding } from '../result.ts';
import { lines, serverSays, submittedJobs } from './invariant.ts';
import type { ClientExit, TraceFacts } from './trace-facts.ts';

/** The last lines of a driver's stderr, on one line, for a message. */
export function stderrTail(stderr: string | undefined, max = 200): string {
  const text = (stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function describeExit(exit: ClientExit): string {
  const how = exit.signal ? `signal ${String(exit.signal)}` : `code ${String(exit.code ?? 'unknown')}`;
  const tail = stderrTail(exit.stderr);
  return `the client exited at ${exit.t}ms with ${how}${tail ? `, stderr: "${tail}"` : ', no stderr'}`;
}

/**
 * No hang: every job the harness submitted ends in a client report (completed or failed) before
 * the run ends. The run itself is bounded by the scenario's `maxRunMs`, so this is the bound.
 * It overlaps no-lost-completion and failures-are-failures on purpose: a scenario may check only
 * this one, and a silent job is named here with why (the client exited, printed junk).
 */
export function noHang(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    if (job.reports.length) continue;
    const after = (e: { seq: number }) => e.seq > job.submit!.seq;
    const exits = facts.exits.filter(after);
    const errors = facts.clientErrors.filter(after);
    const why = [
      ...exits.map(describeExit),
      ...errors.slice(0, 2).map((e) => `client error at ${e.t}ms: ${e.message}`),
    ];
    findings.push({
      invariant: 'no-hang',
      job: job.id,
      message: `still pending when the run ended at ${facts.runEnd.t}ms (${serverSays(job)})${why.length ? `; ${why.join('; ')}` : ''}`,
      evidence: lines(job.submit!.seq, job.prompt?.outcome?.seq, exits.map((e) => e.seq), errors.slice(0, 2).map((e) => e.seq)),
    });
  }
  return findings;
}
