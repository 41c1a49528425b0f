import type { Finding } from '../result.ts';
import { submittedJobs } from './invariant.ts';
import type { TraceFacts } from './trace-facts.ts';

/**
 * Progress never runs backwards within a job: per node, `value` never decreases. Each node has
 * its own count (a new node starts from 0), and a node whose `max` changes starts a new count
 * (a node may run several passes, e.g. a sampler then an upscaler pass).
 */
export function progressMonotonic(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    const last = new Map<string, { value: number; max: number | undefined; seq: number }>();
    for (const p of job.progress) {
      const node = p.node ?? '';
      const value = p.value ?? 0;
      const before = last.get(node);
      if (before && before.max === p.max && value < before.value) {
        const of = p.max === undefined ? '' : `/${p.max}`;
        findings.push({
          invariant: 'progress-monotonic',
          job: job.id,
          message: `progress${node ? ` of node ${node}` : ''} went from ${before.value}${of} to ${value}${of}`,
          evidence: [before.seq, p.seq],
        });
      }
      last.set(node, { value, max: p.max, seq: p.seq });
    }
  }
  return findings;
}
