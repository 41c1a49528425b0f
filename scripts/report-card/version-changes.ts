/**
 * What changes between ComfyUI versions for a client: every scenario whose verdict differs from
 * one profile to another, and the notes (scripts/report-card/version-notes.ts) that say why, each
 * confirmed by replaying the scenario alone. A difference no note explains is shown as such.
 */
import { compareScenarioIds } from '../../src/harness/report/format.ts';
import type { ScenarioResult, Verdict } from '../../src/harness/result.ts';
import { baselineProfile, comfyuiProfileNames } from '../../src/simulator/profiles/index.ts';
import { profileOf } from './merge.ts';

/** One scenario of one client whose verdict is not the same on every profile it ran on. */
export interface VersionChange {
  client: string;
  scenario: string;
  /** The profiles it ran on, in profile order (oldest release first), with the verdict on each. */
  verdicts: Array<{ profile: string; verdict: Verdict }>;
}

/** Why a client's verdict changes on a profile: what the profile does, what the client does about it. */
export interface VersionNote {
  /** The clients it is about (their command line or name). */
  client: RegExp;
  /** The scenarios it explains. */
  scenarios: readonly string[];
  /**
   * The profile whose verdict differs from the others' for this reason; none: any difference of
   * these scenarios (a noise note, for flips on whichever profile the load hit).
   */
  profile?: string;
  /**
   * `client`: a real difference, reproduced alone, caused by the client meeting the profile;
   * `noise`: a flip that did not reproduce alone (load on the machine), with why our bound let it flip.
   */
  kind: 'client' | 'noise';
  /** The heading it is grouped under: what the profile does differently (or why it was noise). */
  cause: string;
  /** What the client does about it, with the file and line of the client's code. */
  why: string;
}

/** Profile names in the order of src/simulator/profiles (oldest release first), unknown ones after by name. */
export function compareProfiles(a: string, b: string): number {
  const rank = (p: string) => {
    const i = comfyuiProfileNames.indexOf(p);
    return i === -1 ? comfyuiProfileNames.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** The profiles the results ran on, in profile order. */
export function profilesOf(results: readonly Pick<ScenarioResult, 'comfyui'>[]): string[] {
  return [...new Set(results.map(profileOf))].sort(compareProfiles);
}

/**
 * Every (client, scenario) whose verdict differs between the profiles it ran on. A profile where it
 * did not run, or was skipped (a capability the client lacks, e.g. a base path for a front), is
 * left out, not counted as a difference: a client run on one profile changes nothing.
 */
export function versionChanges(results: readonly ScenarioResult[]): VersionChange[] {
  const byPair = new Map<string, VersionChange>();
  for (const r of results) {
    if (r.verdict === 'skipped') continue;
    const key = `${r.client}\u0000${r.scenario.id}`;
    const change = byPair.get(key) ?? { client: r.client, scenario: r.scenario.id, verdicts: [] };
    change.verdicts.push({ profile: profileOf(r), verdict: r.verdict });
    byPair.set(key, change);
  }
  const clients = [...new Set(results.map((r) => r.client))];
  return [...byPair.values()]
    .filter((c) => new Set(c.verdicts.map((v) => v.verdict)).size > 1)
    .map((c) => ({ ...c, verdicts: [...c.verdicts].sort((a, b) => compareProfiles(a.profile, b.profile)) }))
    .sort((a, b) => clients.indexOf(a.client) - clients.indexOf(b.client) || compareScenarioIds(a.scenario, b.scenario));
}

/**
 * Does the note explain this change: its client and scenario, and a verdict on its profile that is
 * the odd one: unlike the baseline's (0.3.64), or, for the baseline itself (or a change without
 * it), unlike every other profile's. So a note about 0.3.44 does not explain a flip on current.
 */
export function noteExplains(note: VersionNote, change: VersionChange): boolean {
  if (!note.client.test(change.client) || !note.scenarios.includes(change.scenario)) return false;
  if (note.profile === undefined) return true;
  const mine = change.verdicts.find((v) => v.profile === note.profile);
  if (!mine) return false;
  const baseline = change.verdicts.find((v) => v.profile === baselineProfile.name);
  if (baseline && note.profile !== baselineProfile.name) return mine.verdict !== baseline.verdict;
  return change.verdicts.filter((v) => v.verdict === mine.verdict).length === 1;
}

export interface ExplainedGroup {
  cause: string;
  kind: VersionNote['kind'];
  entries: Array<{ client: string; why: string; changes: VersionChange[] }>;
}

export interface Explanation {
  /** By cause, in the order of the notes. */
  groups: ExplainedGroup[];
  /** Changes no note explains. */
  unexplained: VersionChange[];
  /** Notes that explain no change of these results: stale, or about a run not in the card. */
  unused: VersionNote[];
}

/** Sorts the changes under the notes that explain them; a change two notes explain is under both. */
export function explainChanges(changes: readonly VersionChange[], notes: readonly VersionNote[]): Explanation {
  const groups: ExplainedGroup[] = [];
  const explained = new Set<VersionChange>();
  const unused: VersionNote[] = [];
  for (const note of notes) {
    const mine = changes.filter((c) => noteExplains(note, c));
    if (!mine.length) {
      unused.push(note);
      continue;
    }
    mine.forEach((c) => explained.add(c));
    let group = groups.find((g) => g.cause === note.cause && g.kind === note.kind);
    if (!group) groups.push((group = { cause: note.cause, kind: note.kind, entries: [] }));
    for (const change of mine) {
      let entry = group.entries.find((e) => e.client === change.client && e.why === note.why);
      if (!entry) group.entries.push((entry = { client: change.client, why: note.why, changes: [] }));
      if (!entry.changes.includes(change)) entry.changes.push(change);
    }
  }
  return { groups, unexplained: changes.filter((c) => !explained.has(c)), unused };
}

/** `fail on 0.3.44; pass on 0.3.64, current`: the profiles of each verdict, verdicts in order of first profile. */
export function describeVerdicts(verdicts: VersionChange['verdicts']): string {
  const byVerdict = new Map<Verdict, string[]>();
  for (const { profile, verdict } of verdicts) byVerdict.set(verdict, [...(byVerdict.get(verdict) ?? []), profile]);
  return [...byVerdict].map(([verdict, profiles]) => `${verdict} on ${profiles.join(', ')}`).join('; ');
}

/** `1.1, 2.3 (fail on 0.3.44; pass on 0.3.64, current)`: scenarios with the same verdicts share their description. */
export function describeChanges(changes: readonly VersionChange[]): string {
  const byPattern = new Map<string, string[]>();
  for (const c of [...changes].sort((a, b) => compareScenarioIds(a.scenario, b.scenario))) {
    const pattern = describeVerdicts(c.verdicts);
    byPattern.set(pattern, [...(byPattern.get(pattern) ?? []), c.scenario]);
  }
  return [...byPattern].map(([pattern, ids]) => `${ids.join(', ')} (${pattern})`).join('; ');
}
