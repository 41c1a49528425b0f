import type { Finding } from '../result.ts';
import { lines, submittedJobs } from './invariant.ts';
import type { JobFacts, TraceFacts } from './trace-facts.ts';

/** Where a job's server was read from; servers are compared only between jobs of the same source. */
export type ServerSource = 'trace' | 'harness' | 'client';

/**
 * The server a job went to, and the trace line that says so. In order: the `server` tag the
 * simulator put on the prompt's `queued` line (ground truth, runs with several servers), the
 * `server` of the harness's `harness_submit`, then the `server` the client gave in its
 * `submitted` event (an optional extension of the driver protocol). Without any, a job is not
 * judged. Sources are never mixed: an index and a URL cannot be compared.
 */
export function serverOf(job: JobFacts): { server: string; seq: number; source: ServerSource } | undefined {
  const queued = job.prompt?.queued;
  if (job.prompt?.server !== undefined && queued) return { server: job.prompt.server, seq: queued.seq, source: 'trace' };
  if (job.submit?.server !== undefined) return { server: job.submit.server, seq: job.submit.seq, source: 'harness' };
  const said = job.submitted.find((s) => s.server !== undefined);
  if (said) return { server: said.server!, seq: said.seq, source: 'client' };
  return undefined;
}

/** Until when a job holds its window's lock: the client's first terminal report, else the end of the run. */
const pendingUntil = (job: JobFacts) => job.reports[0]?.seq ?? Infinity;

/**
 * Server lock: while any job of a window is pending (from its submit to the client's first
 * terminal report), every job that window submits goes to the same server, and (when the trace
 * tags servers) the window's sockets and its GET /history/{id} for the job go there too. The
 * lock's release (a later job going elsewhere) is allowed, never required.
 */
export function serverLock(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  const byWindow = new Map<string, JobFacts[]>();
  for (const job of submittedJobs(facts)) byWindow.set(job.window, [...(byWindow.get(job.window) ?? []), job]);
  for (const [window, jobs] of byWindow) {
    for (const [i, job] of jobs.entries()) {
      const mine = serverOf(job);
      if (!mine) continue;
      const start = job.submit!.seq;
      const holder = jobs.slice(0, i).find((other) => {
        const theirs = serverOf(other);
        return theirs?.source === mine.source && theirs.server !== mine.server && other.submit!.seq < start && start < pendingUntil(other);
      });
      if (holder) {
        const theirs = serverOf(holder)!;
        findings.push({
          invariant: 'server-lock',
          job: job.id,
          message: `window "${window}" sent job ${job.id} to server ${mine.server} while its job ${holder.id} was pending on server ${theirs.server}`,
          evidence: lines(holder.submit!.seq, theirs.seq, start, mine.seq),
        });
      }
      if (mine.source === 'trace') findings.push(...strayTraffic(facts, job, mine.server, window));
    }
  }
  return findings;
}

/** The window's sockets and its history requests for the job, sent to another server while the job was pending there. */
function strayTraffic(facts: TraceFacts, job: JobFacts, server: string, window: string): Finding[] {
  const queued = job.prompt!.queued!;
  const during = (seq: number) => seq > queued.seq && seq < pendingUntil(job);
  const sockets = queued.clientId
    ? facts.connections.filter((c) => c.clientId === queued.clientId && c.server !== undefined && c.server !== server && during(c.open.seq))
    : [];
  const polls = facts.historyPolls.filter((p) => p.promptId === job.promptId && p.server !== undefined && p.server !== server && during(p.seq));
  const out: Finding[] = [];
  if (sockets.length) {
    out.push({
      invariant: 'server-lock',
      job: job.id,
      message: `window "${window}" opened a socket to server ${sockets[0]!.server} while its job ${job.id} was pending on server ${server}`,
      evidence: lines(queued.seq, sockets.map((c) => c.open.seq)),
    });
  }
  if (polls.length) {
    out.push({
      invariant: 'server-lock',
      job: job.id,
      message: `window "${window}" asked server ${polls[0]!.server} for the history of job ${job.id}, which was pending on server ${server}`,
      evidence: lines(queued.seq, polls.map((p) => p.seq)),
    });
  }
  return out;
}
