import type { RunCounts } from '../result.ts';
import { submittedJobs } from './invariant.ts';
import { completions, type Connection, type JobFacts, type TraceFacts } from './trace-facts.ts';

/** The sockets of the job's window: those that connected with the client id its prompt was queued with (all, when unknown). */
function socketsOf(job: JobFacts, facts: TraceFacts): Connection[] {
  const clientId = job.prompt?.queued?.clientId;
  return clientId ? facts.connections.filter((c) => c.clientId === clientId) : facts.connections;
}

/**
 * How a job's completion reached the client, when not by the plain path: `reconnect` when it
 * was reported after one of its window's sockets closed (while the job was pending), `polling`
 * when a GET /history answer showed it while none of its window's sockets was open.
 */
export function recoveredBy(job: JobFacts, facts: TraceFacts): 'reconnect' | 'polling' | undefined {
  const report = completions(job)[0];
  if (!report || !job.submit) return undefined;
  const from = job.submit.seq;
  const sockets = socketsOf(job, facts);
  if (sockets.some((c) => c.close !== undefined && c.close.seq > from && c.close.seq < report.seq)) return 'reconnect';
  const openAt = (seq: number) => sockets.some((c) => c.open.seq < seq && (c.close === undefined || c.close.seq > seq));
  const polled = facts.historyPolls.some(
    (p) => p.seq > from && p.seq < report.seq && job.promptId !== undefined && p.found.includes(job.promptId) && !openAt(p.seq),
  );
  return polled ? 'polling' : undefined;
}

/**
 * Counts in the manner of Jepsen's queue checker, over the jobs the harness submitted.
 * `acknowledged`: the server accepted the prompt (POST /prompt answered 200, or the prompt was
 * seen queued); `lost`: succeeded on the server, never reported completed; `phantom`: reported
 * completed without a success of that prompt on the server (jobs never submitted included).
 */
export function runCounts(facts: TraceFacts): RunCounts {
  const counts: RunCounts = { acknowledged: 0, completedOnServer: 0, reported: 0, lost: 0, duplicated: 0, phantom: 0, recovered: 0 };
  for (const job of submittedJobs(facts)) {
    const done = completions(job);
    const success = job.prompt?.outcome?.event === 'success';
    if (job.prompt?.acknowledged || job.prompt?.queued) counts.acknowledged++;
    if (success) counts.completedOnServer++;
    if (done.length) counts.reported++;
    if (success && !done.length) counts.lost++;
    if (done.length > 1) counts.duplicated++;
    const named = done[0]?.promptId ?? job.promptId;
    if (done.length && facts.prompts.get(named ?? '')?.outcome?.event !== 'success') counts.phantom++;
    if (recoveredBy(job, facts)) counts.recovered++;
  }
  counts.phantom += new Set(facts.strays.filter((r) => r.type === 'completed').map((r) => r.job)).size;
  return counts;
}
