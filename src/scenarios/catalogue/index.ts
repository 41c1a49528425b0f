import { scenario as scenarioSchema, type Scenario, type ScenarioInput } from '../scenario.ts';
import { group1Frames } from './group-1-frames.ts';
import { group2Connection } from './group-2-connection.ts';
import { group3Http } from './group-3-http.ts';
import { group4Network } from './group-4-network.ts';
import { group5RestartDeaf } from './group-5-restart-deaf.ts';
import { group6JobsWindowsServers } from './group-6-jobs-windows-servers.ts';
import { group7FieldBugs } from './group-7-field-bugs.ts';
import { group8Relays } from './group-8-relays.ts';

/**
 * The built-in scenario catalogue (issue 4), grouped like a conformance suite:
 * 1 frame parsing, 2 connection loss, 3 HTTP faults, 4 network (Toxiproxy), 5 server restart and
 * deaf sockets, 6 several jobs, windows and servers, 7 field bugs. Every entry is parsed with the
 * zod schema when this module loads, so a bad entry fails at once and names itself.
 */

export type ScenarioSelectionErrorCode = 'CC_ERR_UNKNOWN_SCENARIO' | 'CC_ERR_INVALID_CATALOGUE';

export class ScenarioSelectionError extends Error {
  readonly code: ScenarioSelectionErrorCode;
  /** The selectors that matched nothing (for CC_ERR_UNKNOWN_SCENARIO). */
  readonly selectors: string[];

  constructor(code: ScenarioSelectionErrorCode, message: string, selectors: string[] = []) {
    super(message);
    this.name = 'ScenarioSelectionError';
    this.code = code;
    this.selectors = selectors;
  }
}

export const catalogueGroups: Readonly<Record<number, string>> = {
  1: 'frame parsing',
  2: 'connection loss',
  3: 'HTTP faults',
  4: 'network (Toxiproxy)',
  5: 'server restart and deaf sockets',
  6: 'several jobs, windows and servers',
  7: 'field bugs',
  8: 'relays (run with --relay)',
};

/** Orders `1.2` before `1.10`, and group 2 after group 1. */
export function compareScenarioIds(a: string, b: string): number {
  const [ga, na] = a.split('.').map(Number) as [number, number];
  const [gb, nb] = b.split('.').map(Number) as [number, number];
  return ga - gb || na - nb;
}

/** Parses, checks ids and names are unique, and sorts by id. Exported for tests and for user catalogues. */
export function buildCatalogue(inputs: readonly ScenarioInput[]): Scenario[] {
  const parsed = inputs.map((input, i) => {
    const result = scenarioSchema.safeParse(input);
    if (!result.success) {
      const where = typeof input.id === 'string' ? `scenario ${input.id}${input.name ? ` (${input.name})` : ''}` : `scenario #${i + 1}`;
      const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new ScenarioSelectionError('CC_ERR_INVALID_CATALOGUE', `${where} is invalid: ${issues}`);
    }
    return result.data;
  });
  for (const key of ['id', 'name'] as const) {
    const seen = new Set<string>();
    for (const s of parsed) {
      if (seen.has(s[key])) throw new ScenarioSelectionError('CC_ERR_INVALID_CATALOGUE', `two scenarios share the ${key} "${s[key]}"`);
      seen.add(s[key]);
    }
  }
  return parsed.sort((a, b) => compareScenarioIds(a.id, b.id));
}

export const catalogueInputs: readonly ScenarioInput[] = [
  ...group1Frames,
  ...group2Connection,
  ...group3Http,
  ...group4Network,
  ...group5RestartDeaf,
  ...group6JobsWindowsServers,
  ...group7FieldBugs,
  ...group8Relays,
];

/** Every built-in scenario, parsed, ids unique, sorted by id. */
export const catalogue: Scenario[] = buildCatalogue(catalogueInputs);

/** A glob over `<id> <name>`: `*` any run of characters, `?` one character; case-insensitive. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function matches(selector: string, s: Scenario): boolean {
  if (/^\d+$/.test(selector)) return s.id.split('.')[0] === selector;
  if (/^\d+\.\d+$/.test(selector)) return s.id === selector;
  if (/[*?]/.test(selector)) {
    const re = globToRegExp(selector);
    return re.test(`${s.id} ${s.name}`) || re.test(s.id) || re.test(s.name);
  }
  return s.name === selector.toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` scenarios whose id or name is near `selector`: shared words first, then edit distance. */
export function closeMatches(selector: string, scenarios: readonly Scenario[] = catalogue, limit = 5): string[] {
  const needle = selector.toLowerCase().replace(/[*?]/g, '');
  const words = needle.split(/[^a-z0-9]+/).filter((w) => w.length >= 3);
  const scored = scenarios.map((s) => {
    const label = `${s.id} ${s.name}`;
    const shared = words.filter((w) => s.name.includes(w)).length;
    const distance = Math.min(editDistance(needle, s.name), editDistance(needle, s.id));
    return { label, shared, distance };
  });
  const near = scored.filter((x) => x.shared > 0 || x.distance <= Math.max(2, Math.floor(needle.length / 3)));
  near.sort((a, b) => b.shared - a.shared || a.distance - b.distance);
  return near.slice(0, limit).map((x) => x.label);
}

/**
 * The scenarios chosen by `selectors`, in catalogue order, each once. A selector is an id (`2.3`),
 * a group (`2`), a name (`terminate-mid-progress`) or a glob over `<id> <name>` (`2.*`,
 * `*restart*`). No selectors chooses everything. A selector that matches nothing throws
 * {@link ScenarioSelectionError} `CC_ERR_UNKNOWN_SCENARIO`, naming it and the close matches.
 */
export function findScenarios(selectors: readonly string[], scenarios: readonly Scenario[] = catalogue): Scenario[] {
  if (selectors.length === 0) return [...scenarios];
  const chosen = new Set<Scenario>();
  const unknown: string[] = [];
  for (const raw of selectors) {
    const selector = raw.trim();
    const hits = selector ? scenarios.filter((s) => matches(selector, s)) : [];
    if (hits.length === 0) unknown.push(raw);
    for (const s of hits) chosen.add(s);
  }
  if (unknown.length > 0) {
    const lines = unknown.map((selector) => {
      const near = closeMatches(selector, scenarios);
      return `"${selector}"${near.length ? ` (did you mean: ${near.join(', ')}?)` : ''}`;
    });
    const groups = [...new Set(scenarios.map((s) => s.id.split('.')[0]))].join(', ');
    throw new ScenarioSelectionError(
      'CC_ERR_UNKNOWN_SCENARIO',
      `No scenario matches ${lines.join('; ')}. A selector is an id (2.3), a group (${groups}), a name, or a glob over "<id> <name>" (2.*, *restart*); \`comfy-chaos list\` shows them all.`,
      unknown,
    );
  }
  return scenarios.filter((s) => chosen.has(s));
}
