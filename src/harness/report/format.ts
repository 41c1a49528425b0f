import { createHash } from 'node:crypto';
import { verdictNames, type Finding, type RunCounts, type ScenarioResult, type Verdict } from '../result.ts';

/** Verdicts in the order reports list them: what needs attention first. */
export const verdicts: readonly Verdict[] = ['harness-error', 'fail', 'inconclusive', 'non-strict', 'degraded', 'pass', 'skipped'];

/** Titles of the catalogue's scenario groups (the number before the dot of a scenario id). */
export const scenarioGroups: Readonly<Record<number, string>> = {
  1: 'Frames',
  2: 'Connection loss',
  3: 'HTTP',
  4: 'Network',
  5: 'Restart and deaf sockets',
  6: 'Jobs, windows, servers',
  7: 'Field bugs',
  8: 'Relays',
};

/** The group number of a scenario id (`2.3` is in group 2); NaN when the id has no number. */
export function groupOf(id: string): number {
  return Number(id.split('.')[0]);
}

/** `2 Connection loss`; ids outside the catalogue's groups are `0 Other` and friends. */
export function groupTitle(group: number): string {
  return `${Number.isFinite(group) ? group : '?'} ${scenarioGroups[group] ?? 'Other'}`;
}

/** Orders `1.2` before `1.10` before `2.1`; ids that are not numbers sort after, by text. */
export function compareScenarioIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (Number.isNaN(x) || Number.isNaN(y)) return a.localeCompare(b);
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * The report column of a result: its client, and the ComfyUI profile when it is not the baseline
 * (`reference @ 0.3.44`), so a run over several profiles shows client x version.
 */
export function columnOf(r: Pick<ScenarioResult, 'client'> & { comfyui?: string }): string {
  return r.comfyui === undefined || r.comfyui === BASELINE_COMFYUI ? r.client : `${r.client} @ ${r.comfyui}`;
}

/** The baseline profile's name (src/simulator/profiles): results on it are labelled by client alone. */
const BASELINE_COMFYUI = '0.3.64';

/** Columns (client, or client @ profile) in the order they first appear. */
export function clientsOf(results: readonly (Pick<ScenarioResult, 'client'> & { comfyui?: string })[]): string[] {
  return [...new Set(results.map(columnOf))];
}

/** Results by scenario id, then by column in order of first appearance (stable otherwise). */
export function sortResults<R extends Pick<ScenarioResult, 'scenario' | 'client'> & { comfyui?: string }>(results: readonly R[]): R[] {
  const clients = clientsOf(results);
  return [...results].sort((a, b) => compareScenarioIds(a.scenario.id, b.scenario.id) || clients.indexOf(columnOf(a)) - clients.indexOf(columnOf(b)));
}

export function verdictCounts(results: readonly Pick<ScenarioResult, 'verdict'>[]): Record<Verdict, number> {
  const counts = Object.fromEntries(verdictNames.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) counts[r.verdict]++;
  return counts;
}

/** Counts for a run that counted nothing (skipped, or a runner that does not count). */
export function emptyRunCounts(): RunCounts {
  return { acknowledged: 0, completedOnServer: 0, reported: 0, lost: 0, duplicated: 0, phantom: 0, recovered: 0 };
}

/** Findings that fail the scenario (not declared informational). */
export function failingFindings(result: Pick<ScenarioResult, 'findings'>): Finding[] {
  return result.findings.filter((f) => !f.informational);
}

/**
 * What a failure is about in a word: the first failing invariant, else the reason (a driver that
 * crashed fails without an invariant), else `fail`. Undefined unless the verdict is `fail`.
 */
export function failureTitle(result: Pick<ScenarioResult, 'verdict' | 'findings' | 'reason'>): string | undefined {
  if (result.verdict !== 'fail') return undefined;
  return failingFindings(result)[0]?.invariant ?? result.reason ?? 'fail';
}

/**
 * The one paragraph a verdict other than pass and fail needs: why it was skipped, inconclusive
 * (every fault that never fired, and why), non-strict or degraded, or what failed inside the
 * harness (with the first lines of the stack); for a failure, the faults that never fired, if
 * any. Undefined otherwise.
 */
export function verdictNote(r: Pick<ScenarioResult, 'verdict' | 'reason' | 'unfired' | 'harnessError'>, stackLines = 6): string | undefined {
  switch (r.verdict) {
    case 'harness-error': {
      const stack = r.harnessError?.stack?.split('\n').slice(0, stackLines).join('\n');
      return [r.reason ?? 'comfy-chaos itself failed', ...(stack ? [stack] : [])].join('\n');
    }
    case 'inconclusive':
      return [r.reason ?? 'a fault never fired', ...(r.unfired ?? []).map((u) => `${u.firedAt === undefined ? 'not fired' : 'no effect'}: ${u.fault}: ${u.why}`)].join('\n');
    case 'non-strict':
    case 'degraded':
    case 'skipped':
      return r.reason;
    case 'fail':
      // A failure that stands without the faults that never fired: say which did not.
      return r.unfired?.length ? r.unfired.map((u) => `${u.firedAt === undefined ? 'not fired' : 'no effect'}: ${u.fault}: ${u.why}`).join('\n') : undefined;
    default:
      return undefined;
  }
}

/** Sequence numbers as ranges: `[41, 42, 43, 57]` is `41-43, 57`. */
export function formatSeqs(seqs: readonly number[]): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(', ');
}

/** `no-lost-completion (job j1): never reported; trace lines 41-43, 57`. */
export function describeFinding(finding: Finding): string {
  const job = finding.job ? ` (job ${finding.job})` : '';
  const lines = finding.evidence.length ? `; trace lines ${formatSeqs(finding.evidence)}` : '';
  const cause = finding.cause ? `; cause: ${finding.cause}` : '';
  return `${finding.invariant}${job}: ${finding.message}${lines}${cause}${finding.informational ? ' [informational]' : ''}`;
}

/** One line per finding, with the trace lines that show it. */
export function describeFindings(result: { findings: readonly Finding[] }): string[] {
  return result.findings.map(describeFinding);
}

/**
 * The trace file of a result: `trace-<id>-<client>.jsonl`. A client that is a command line
 * (`node clients/naive.js`) is reduced to file-name characters, with a short digest of the full
 * name so two command lines never share a file.
 */
export function traceFileName(result: Pick<ScenarioResult, 'scenario' | 'client'> & { comfyui?: string }): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, 60);
  // One file per column: the same scenario and client on two ComfyUI profiles must not share one.
  const column = columnOf(result);
  const client = safe(column);
  const suffix = client === column ? '' : `-${createHash('sha256').update(column).digest('hex').slice(0, 8)}`;
  return `trace-${safe(result.scenario.id)}-${client || 'client'}${suffix}.jsonl`;
}

/** The text cut to `max` characters, saying how much was cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (+${text.length - max} chars)`;
}

/** `850 ms`, `12.3 s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
