import type { TraceEvent } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';

/** One broken invariant, with the trace lines (sequence numbers) that show it. */
export interface Finding {
  invariant:
    | 'no-lost-completion'
    | 'exactly-once'
    | 'no-phantom'
    | 'failures-are-failures'
    | 'no-hang'
    | 'right-outputs'
    | 'progress-monotonic'
    | 'expected-outcome';
  job: string;
  message: string;
  evidence: number[];
}

export type Verdict = 'pass' | 'fail';

/** What the client told its user, as recorded in the trace (`kind: 'client'`). */
interface ClientReport {
  seq: number;
  type: string;
  job: string;
  promptId?: string;
  outputs?: unknown;
  value?: number;
  node?: string;
}

const terminal = new Set(['completed', 'failed', 'interrupted', 'lost']);

/**
 * Compares the server's ground truth with what the client reported (design.md, "Oracle").
 * A first cut of the oracle: the invariants that need no timing (issue 4 adds recovery bounds,
 * isolation and locking).
 */
export function checkTrace(trace: readonly TraceEvent[], scenario: Scenario): { verdict: Verdict; findings: Finding[] } {
  const findings: Finding[] = [];
  const server = new Map<string, { event: string; seq: number; outputs?: Record<string, unknown> }>();
  for (const e of trace) {
    if (e.kind === 'prompt' && ['success', 'error', 'interrupted', 'lost'].includes(e.event)) {
      server.set(e.promptId, { event: e.event, seq: e.seq, outputs: e.outputs });
    }
  }
  const reports: ClientReport[] = trace
    .filter((e): e is Extract<TraceEvent, { kind: 'client' }> => e.kind === 'client')
    .map((e) => ({ seq: e.seq, ...(e.event as Omit<ClientReport, 'seq'>) }));
  const promptOf = new Map<string, string>();
  for (const r of reports) if (r.type === 'submitted' && r.promptId) promptOf.set(r.job, r.promptId);

  for (const job of scenario.jobs) {
    const mine = reports.filter((r) => r.job === job.id);
    const ends = mine.filter((r) => terminal.has(r.type));
    const promptId = promptOf.get(job.id);
    const truth = promptId ? server.get(promptId) : undefined;
    const evidence = [...(truth ? [truth.seq] : []), ...ends.map((r) => r.seq)];
    if (ends.length > 1) {
      findings.push({ invariant: 'exactly-once', job: job.id, message: `reported ${ends.map((r) => r.type).join(' and ')}`, evidence });
    }
    const completed = ends.find((r) => r.type === 'completed');
    if (truth?.event === 'success' && !completed) {
      findings.push({
        invariant: 'no-lost-completion',
        job: job.id,
        message: `succeeded on the server but the client reported ${ends[0]?.type ?? 'nothing'}`,
        evidence,
      });
    }
    if (completed && truth?.event !== 'success') {
      findings.push({
        invariant: 'no-phantom',
        job: job.id,
        message: `reported completed but the server says ${truth?.event ?? 'it never finished'}`,
        evidence,
      });
    }
    if (truth && truth.event !== 'success' && ends.length === 0) {
      findings.push({ invariant: 'failures-are-failures', job: job.id, message: `ended with ${truth.event} on the server, the client said nothing`, evidence });
    }
    if (!truth && ends.length === 0) {
      findings.push({ invariant: 'no-hang', job: job.id, message: 'never settled: no server outcome and no client report', evidence });
    }
    if (completed && truth?.event === 'success' && JSON.stringify(completed.outputs) !== JSON.stringify(truth.outputs)) {
      findings.push({ invariant: 'right-outputs', job: job.id, message: 'the outputs reported differ from the server history', evidence });
    }
    const expected = scenario.expect[job.id] ?? 'completed';
    if (ends[0] && ends[0].type !== expected) {
      findings.push({ invariant: 'expected-outcome', job: job.id, message: `expected ${expected}, reported ${ends[0].type}`, evidence });
    }
    const lastByNode = new Map<string, { value: number; seq: number }>();
    for (const p of mine.filter((r) => r.type === 'progress')) {
      const last = lastByNode.get(p.node ?? '');
      if (last && (p.value ?? 0) < last.value) {
        findings.push({ invariant: 'progress-monotonic', job: job.id, message: `progress went from ${last.value} to ${p.value}`, evidence: [last.seq, p.seq] });
      }
      lastByNode.set(p.node ?? '', { value: p.value ?? 0, seq: p.seq });
    }
  }
  return { verdict: findings.length ? 'fail' : 'pass', findings };
}
