import type { Finding } from '../result.ts';
import { lines } from './invariant.ts';
import type { ClientReport, TraceFacts } from './trace-facts.ts';

/** At most this many trace lines per finding: a leak of every progress event says it once. */
const EVIDENCE_CAP = 20;

/**
 * Isolation: events of one window never reach another. A client report breaks it when the
 * window that reported it is not the window that submitted the job it names, or when it names
 * a prompt id that another window's job got. Reports without a `window` are judged as coming
 * from the window of the job they name (clients without windows cannot leak).
 */
export function isolation(facts: TraceFacts): Finding[] {
  const leaks = new Map<string, { job: string; message: string; evidence: number[] }>();
  const leak = (key: string, job: string, message: string, r: ClientReport, origin: number | undefined) => {
    let l = leaks.get(key);
    if (!l) leaks.set(key, (l = { job, message, evidence: origin === undefined ? [] : [origin] }));
    if (l.evidence.length < EVIDENCE_CAP) l.evidence.push(r.seq);
  };
  for (const r of facts.clientReports) {
    const own = facts.job.get(r.job);
    const window = r.window ?? own?.window;
    if (window === undefined) continue;
    if (own && r.window !== undefined && own.window !== r.window) {
      leak(`${r.window}>${own.id}`, own.id, `window "${r.window}" reported ${r.type} of job ${own.id}, which window "${own.window}" submitted`, r, own.submit?.seq);
      continue;
    }
    const ownerId = r.promptId === undefined ? undefined : facts.jobOfPrompt.get(r.promptId);
    const owner = ownerId === undefined ? undefined : facts.job.get(ownerId);
    if (owner && owner.window !== window) {
      leak(
        `${window}>${owner.id}`,
        owner.id,
        `window "${window}" reported ${r.type} for prompt ${r.promptId}, which window "${owner.window}" submitted (job ${owner.id})`,
        r,
        owner.submit?.seq,
      );
    }
  }
  return [...leaks.values()].map((l) => ({ invariant: 'isolation', job: l.job, message: l.message, evidence: lines(l.evidence) }));
}
