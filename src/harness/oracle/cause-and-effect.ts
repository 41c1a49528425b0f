import type { TraceEvent } from '../../protocol/index.ts';
import type { Finding } from '../result.ts';

/**
 * Cause and effect for every finding (issue 12, point 6): the faults that fired before the
 * finding's symptom, each with what followed on the connections (closes with their codes,
 * refused upgrades, reconnects, or none), so a reader of one finding knows what happened:
 * `terminate before executed of prompt 1 at line 41; then close 1006 (conn 1) at line 42; no reconnect`.
 */

/** Connection events listed after one fault, at most. */
const MAX_EFFECTS = 4;

interface Step {
  seq: number;
  text: string;
  /** A socket opened (so a close before it was followed by a reconnect). */
  opens?: boolean;
  closes?: boolean;
}

/** The trace's faults and connection events, in order. */
function steps(trace: readonly TraceEvent[]): { faults: Step[]; effects: Step[] } {
  const faults: Step[] = [];
  const effects: Step[] = [];
  const srv = (e: TraceEvent) => (e.server === undefined ? '' : ` on server ${e.server}`);
  for (const e of trace) {
    if (e.kind === 'fault') faults.push({ seq: e.seq, text: `${e.fault} at line ${e.seq}` });
    else if (e.kind === 'ws_close') effects.push({ seq: e.seq, text: `close ${e.code} by the ${e.by} (conn ${e.conn}${srv(e)}) at line ${e.seq}`, closes: true });
    else if (e.kind === 'ws_connect') effects.push({ seq: e.seq, text: `connect (conn ${e.conn}${srv(e)}) at line ${e.seq}`, opens: true });
    else if (e.kind === 'ws_refused') effects.push({ seq: e.seq, text: `upgrade refused ${e.status} at line ${e.seq}` });
    else if (e.kind === 'server' && e.event !== 'start' && e.event !== 'stop') effects.push({ seq: e.seq, text: `server ${e.event.replace('_', ' ')} at line ${e.seq}` });
    else if (e.kind === 'toxic') effects.push({ seq: e.seq, text: `toxiproxy ${e.action}${typeof e.detail.type === 'string' ? ` ${e.detail.type}` : ''} at line ${e.seq}` });
    else if (e.kind === 'http' && e.fault) effects.push({ seq: e.seq, text: `${e.method} ${e.path} answered ${e.status} (${e.fault}) at line ${e.seq}` });
  }
  return { faults, effects };
}

/** The cause of a finding: every fault before its last evidence line, with what followed each. */
function causeOf(finding: Finding, s: { faults: Step[]; effects: Step[] }): { text: string; seqs: number[] } | undefined {
  const until = finding.evidence.length ? Math.max(...finding.evidence) : Infinity;
  const before = s.faults.filter((f) => f.seq < until);
  if (!before.length) return undefined;
  const parts: string[] = [];
  const seqs: number[] = [];
  for (const [i, fault] of before.entries()) {
    const next = before[i + 1]?.seq ?? Infinity;
    const after = s.effects.filter((e) => e.seq > fault.seq && e.seq < next && e.seq <= until);
    const shown = after.slice(0, MAX_EFFECTS);
    seqs.push(fault.seq, ...shown.map((e) => e.seq));
    let text = fault.text;
    if (shown.length) text += `; then ${shown.map((e) => e.text).join(', ')}${after.length > shown.length ? `, and ${after.length - shown.length} more` : ''}`;
    const lastClose = after.filter((e) => e.closes).at(-1);
    if (lastClose && !s.effects.some((e) => e.opens && e.seq > lastClose.seq)) text += '; no reconnect';
    else if (!after.length) text += '; no connection event followed';
    parts.push(text);
  }
  return { text: parts.join(' | '), seqs };
}

/** The findings with their cause (and its trace lines in the evidence); findings of a run without faults are unchanged. */
export function withCauses(findings: readonly Finding[], trace: readonly TraceEvent[]): Finding[] {
  if (!findings.length) return [];
  const s = steps(trace);
  if (!s.faults.length) return [...findings];
  return findings.map((f) => {
    const cause = causeOf(f, s);
    if (!cause) return f;
    return { ...f, cause: cause.text, evidence: [...new Set([...f.evidence, ...cause.seqs])].sort((a, b) => a - b) };
  });
}
