import type { Fault } from '../../protocol/index.ts';
import type { ScenarioResult } from '../result.ts';
import { phaseOf } from './phases.ts';

/** How the client showed the bug: its process crashed, it hung, it reported twice, or it reported wrongly. */
export interface Symptom {
  kind: 'crash' | 'hang' | 'duplicate' | 'wrong report';
  /** A crash: the exit code (or signal) and the first line of stderr. */
  exit?: string;
  stderr?: string;
  /**
   * What a crash is compared by: the error's type when the line names one (`json.decoder.JSONDecodeError`,
   * `SyntaxError`), else the line. A bare `json.loads` fails with a different message on each
   * malformed frame; it is one bug.
   */
  error?: string;
}

/** What a failure is, for grouping: two failures with one key are one bug (issue 15, "many bugs"). */
export interface Signature {
  /** The invariants broken (not informational), sorted. */
  invariants: string[];
  /** The families of the faults that fired before the findings (none for a fault-free failure). */
  families: string[];
  symptom: Symptom;
  /** The phases of those faults, in words: shown, not part of the key (one bug fires at many phases). */
  phases: string[];
  key: string;
}

/**
 * Fault families: kinds that a client meets with one code path. A lost socket is a lost socket
 * whether it was a terminate, a close, a restart, refused upgrades or a socket gone deaf (every
 * client's reaction is its reconnect-and-resync path); a BOM and a garbage prefix both break a parse.
 */
const familyOf: Record<string, string> = {
  terminate: 'lost socket or restart',
  close: 'lost socket or restart',
  restart: 'lost socket or restart',
  refuse_upgrades: 'lost socket or restart',
  silence: 'lost socket or restart',
  stalled_peer: 'lost socket or restart',
  deaf_reconnect: 'lost socket or restart',
  partition: 'lost socket or restart',
  bom: 'undecodable frame',
  garbage_prefix: 'undecodable frame',
  non_json: 'undecodable frame',
  truncate: 'undecodable frame',
  oversized: 'large frame',
  heartbeat: 'unexpected frame',
  unknown_type: 'unexpected frame',
  extra_fields: 'unexpected frame',
  binary_preview: 'unexpected frame',
  drop: 'lost frame',
  reorder: 'reordered frame',
  duplicate: 'duplicated frame',
  http_status: 'HTTP error',
  http_hang: 'HTTP hang',
  http_delay: 'slow HTTP',
  history_late: 'late history',
  history_replica_lag: 'late history',
  toxic: 'network',
};

export function faultFamily(type: string): string {
  return familyOf[type] ?? type;
}

/** Digits, hex ids and paths vary between runs of one bug; a stderr line is compared without them. */
function normalise(line: string): string {
  return line
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '<id>')
    .replace(/\b\d+\b/g, 'N')
    .trim()
    .slice(0, 160);
}

/**
 * The line of a crash's stderr that names the error: a Python traceback's last line, Node's
 * `TypeError: ...` after the source excerpt; else the first line. The stderr kept is a tail, so
 * its first line may be anywhere in a traceback (`File ".../_core.py", line 12`).
 */
function errorLine(lines: string[]): string | undefined {
  const named = lines.filter((l) => /^([A-Za-z_][\w.]*)?(Error|Exception|Interrupt|Exit)\b[^(]*(:|$)/.test(l) || /^Uncaught\b/.test(l));
  return named.at(-1) ?? lines[0];
}

function symptomOf(result: ScenarioResult, invariants: string[]): Symptom {
  for (const e of result.trace) {
    if (e.kind !== 'client') continue;
    const ev = (e as { event?: Record<string, unknown> }).event;
    if (ev?.type !== 'client_exit') continue;
    const code = ev.code;
    const signal = ev.signal;
    if (code === 0 || (code == null && (signal == null || signal === 'SIGTERM'))) continue;
    const stderr = errorLine((Array.isArray(ev.stderr) ? ev.stderr.map(String) : String(ev.stderr ?? '').split('\n')).map((l) => l.trim()).filter(Boolean));
    const line = stderr === undefined ? undefined : normalise(stderr);
    const error = line && (/^(?:Uncaught )?([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit))\b/.exec(line)?.[1] ?? line);
    return { kind: 'crash', exit: code != null ? `exit ${String(code)}` : `signal ${String(signal)}`, ...(line ? { stderr: line, error: error! } : {}) };
  }
  if (invariants.includes('no-hang')) return { kind: 'hang' };
  if (invariants.includes('exactly-once')) return { kind: 'duplicate' };
  return { kind: 'wrong report' };
}

/**
 * The signature of a failing result: the invariants it broke, the fault families that fired
 * before them (the faults whose trace lines its findings cite, else every fault that fired), and
 * its symptom. `baseline` holds invariants that fail with no fault at all: those are left out, so
 * a later failure is a new bug only for what the baseline does not already explain.
 */
export function signatureOf(result: ScenarioResult, faults: readonly Fault[], baseline: readonly string[] = []): Signature {
  const findings = result.findings.filter((f) => !f.informational);
  const invariants = [...new Set(findings.map((f) => f.invariant as string))].filter((i) => !baseline.includes(i)).sort();
  const cited = new Set(findings.flatMap((f) => f.evidence));
  const fired = result.trace.filter((e) => e.kind === 'fault') as { seq: number; faultType: string; fault: string }[];
  const causes = fired.filter((e) => cited.has(e.seq));
  const chosen = causes.length ? causes : fired;
  const families = [...new Set(chosen.map((e) => faultFamily(e.faultType)))].sort();
  const phases = [...new Set(faults.filter((f) => chosen.some((e) => e.faultType === f.type)).map((f) => phaseOf(f.at)))];
  const symptom = symptomOf(result, invariants);
  const key = JSON.stringify([invariants, families, symptom.kind, symptom.exit ?? '', symptom.error ?? '']);
  return { invariants, families, symptom, phases, key };
}

/**
 * Whether two signatures are one bug: the same symptom (for a crash, the same exit and error
 * type of its stderr), the same fault families, and at least one broken invariant in common. A bug
 * shows itself with more or fewer invariants from run to run (a duplicate that is also a
 * phantom); two symptoms of one bug are one bucket.
 */
export function sameBug(a: Signature, b: Signature): boolean {
  if (a.symptom.kind !== b.symptom.kind || a.symptom.exit !== b.symptom.exit || a.symptom.error !== b.symptom.error) return false;
  if (a.families.join('+') !== b.families.join('+')) return false;
  return a.invariants.some((i) => b.invariants.includes(i)) || (a.invariants.length === 0 && b.invariants.length === 0);
}

/**
 * Whether `wider` is bug `known` seen with more faults around it: the same symptom, an invariant
 * in common, and every fault family of `known` among its own (a lost socket plus an HTTP error
 * that fails the way a lost socket alone does). Used before shrinking has told.
 */
export function explainedBy(known: Signature, wider: Signature): boolean {
  if (known.symptom.kind !== wider.symptom.kind || known.symptom.exit !== wider.symptom.exit || known.symptom.error !== wider.symptom.error) return false;
  if (!known.families.length || !known.families.every((f) => wider.families.includes(f))) return false;
  return known.invariants.some((i) => wider.invariants.includes(i));
}

/** One line for a bug: `reports a lost job after a socket lost mid-progress (no-lost-completion)`. */
export function summaryOf(s: Signature, faultCount: number): string {
  const what =
    s.symptom.kind === 'crash'
      ? `crashes (${s.symptom.exit}${s.symptom.error ? `: ${s.symptom.error}` : ''})`
      : s.symptom.kind === 'hang'
        ? 'hangs: a job is never reported'
        : s.symptom.kind === 'duplicate'
          ? 'reports a job twice'
          : 'reports a job wrongly';
  const when = s.families.length ? ` after ${s.families.join(' + ')}${s.phases.length ? ` ${s.phases.join(' / ')}` : ''}` : ' with no fault at all';
  const broken = s.invariants.length ? ` [${s.invariants.join(', ')}]` : '';
  return `${what}${when}${broken} (${faultCount} fault${faultCount === 1 ? '' : 's'})`;
}
