/**
 * The must-show check of issue 15: does the hunt find every distinct failure the catalogue shows
 * for a client? Catalogue failures (a `comfy-chaos run` report of the catalogue for that client,
 * results.json and traces) are given the hunt's signatures (src/harness/hunt/signature.ts), the
 * ones that are one bug are grouped, and each group is matched against the hunt's bugs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HuntBug } from '../src/harness/hunt/index.ts';
import { explainedBy, faultFamily, sameBug, signatureOf, summaryOf, type Signature } from '../src/harness/hunt/signature.ts';
import { readReport } from '../src/harness/report/read-report.ts';
import type { ScenarioResult } from '../src/harness/result.ts';
import { catalogue } from '../src/scenarios/catalogue/index.ts';

/** One failing catalogue scenario of a client, with the hunt's signature of it. */
export interface CatalogueFailure {
  scenario: string;
  signature: Signature;
  /**
   * The families of every fault that fired in it, cited or not. The oracle cites the first fault
   * before a finding (7.3: a late history at 0 ms, then the drop that a client without reconnect
   * never recovers from): the drop is in here.
   */
  fired: string[];
}

/** Failures that are one bug by the hunt's rules: the first (fewest fault families) names them. */
export interface DistinctFailure {
  signature: Signature;
  scenarios: string[];
  summary: string;
  /** The hunt's bug that shows it, by id, or none. */
  foundBy?: number;
  /** Every invariant it breaks fails with no fault at all too: the hunt's bug 1 explains it. */
  baseline?: boolean;
  /** Found as a hunt bug whose fault family fired in the scenario but was not the one its findings cite. */
  uncited?: boolean;
}

/**
 * The results of `client` (its label or its command, as a report names it) in the first report
 * directory that has any, on the baseline ComfyUI (a report card runs every profile; the hunt
 * runs 0.3.64).
 */
const readCache = new Map<string, ScenarioResult[]>();

export function catalogueResults(dirs: readonly string[], client: { label: string; command: string }): ScenarioResult[] {
  for (const dir of dirs) {
    if (!existsSync(join(dir, 'results.json'))) continue;
    const results = readCache.get(dir) ?? readReport(dir).results;
    readCache.set(dir, results);
    const own = results.filter((r) => (r.client === client.label || r.client === client.command) && (r.comfyui === undefined || r.comfyui === '0.3.64'));
    if (own.length) return own;
  }
  return [];
}

/** The failures among `results`, each with its signature (the baseline's invariants left out, as the hunt does). */
export function catalogueFailures(results: readonly ScenarioResult[], baseline: readonly string[]): CatalogueFailure[] {
  const byId = new Map(catalogue.map((s) => [s.id, s]));
  return results
    .filter((r) => r.verdict === 'fail')
    .map((r) => ({
      scenario: r.scenario.id,
      signature: signatureOf(r, byId.get(r.scenario.id)?.faults ?? [], baseline),
      fired: [...new Set(r.trace.filter((e) => e.kind === 'fault').map((e) => faultFamily((e as { faultType: string }).faultType)))].sort(),
    }));
}

/** A hunt bug shows a failure when they are one bug, or the failure is the bug with more faults around it. */
function shows(bug: Signature, failure: Signature): boolean {
  return sameBug(bug, failure) || explainedBy(bug, failure);
}

/**
 * Groups the failures into distinct bugs (fewest fault families first, so that a scenario of a
 * drop plus a BOM joins the drop's group when it fails the way the drop does) and says which hunt
 * bug shows each group.
 */
export function distinctFailures(failures: readonly CatalogueFailure[], bugs: readonly Pick<HuntBug, 'id' | 'signature'>[]): DistinctFailure[] {
  const groups: DistinctFailure[] = [];
  const ordered = [...failures].sort((a, b) => a.signature.families.length - b.signature.families.length);
  for (const f of ordered) {
    if (f.signature.invariants.length === 0) {
      const group = groups.find((g) => g.baseline);
      if (group) group.scenarios.push(f.scenario);
      else groups.push({ signature: f.signature, scenarios: [f.scenario], summary: 'fails with no fault at all, as the plain job does', baseline: true, ...(bugs[0] && bugs[0].signature.families.length === 0 ? { foundBy: bugs[0].id } : {}) });
      continue;
    }
    const group = groups.find((g) => !g.baseline && shows(g.signature, f.signature));
    if (group) {
      group.scenarios.push(f.scenario);
      continue;
    }
    const bug = bugs.find((b) => shows(b.signature, f.signature));
    groups.push({ signature: f.signature, scenarios: [f.scenario], summary: summaryOf(f.signature, f.signature.families.length).replace(/ \(\d+ faults?\)$/, ''), ...(bug ? { foundBy: bug.id } : {}) });
  }
  // A group found through a later member counts as found; then one whose scenarios fired a fault
  // family of a hunt bug that fails the same way, though the findings cite another fault.
  for (const g of groups) {
    if (g.foundBy !== undefined || g.baseline) continue;
    const members = failures.filter((f) => g.scenarios.includes(f.scenario));
    const member = members.find((f) => bugs.some((b) => shows(b.signature, f.signature)));
    if (member) {
      g.foundBy = bugs.find((b) => shows(b.signature, member.signature))!.id;
      continue;
    }
    for (const f of members) {
      const wide = { ...f.signature, families: f.fired };
      const bug = bugs.find((b) => explainedBy(b.signature, wide));
      if (bug) {
        g.foundBy = bug.id;
        g.uncited = true;
        break;
      }
    }
  }
  return groups;
}
