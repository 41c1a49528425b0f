import { UsageError } from '../usage-error.ts';
import { baselineCase, type HuntCase } from './cases.ts';
import { randomCases, searchCases, type RandomOptions } from './coverage.ts';
import { smallerCases } from './shrink.ts';

/**
 * A search path names one case of a hunt without running the hunt: the stage and the case's index
 * in it (`single-12`: the 13th single-fault case of the seed), then each shrinking step, the index
 * of the smaller case kept among `smallerCases` (`single-12:3:0`). The order of cases depends on
 * the seed, the fault layers (Toxiproxy or not) and the client's declared capabilities, never on
 * results, so the path and seed find the case again (as fast-check's `{ seed, path }` did).
 */
const pathPattern = /^(baseline|workload|single|pair|random)-(\d+)((?::\d+)*)$/;

/** The shape of the counterexample paths of `fuzz` before it ran on the hunt's engine (fast-check's own: "12:3:0"). */
const fastCheckPathPattern = /^\d+(:\d+)*$/;

/** The furthest into a stage a path may point: the search never gets that far in a day. */
const MAX_INDEX = 200_000;

export interface ParsedSearchPath {
  stage: 'baseline' | 'workload' | 'single' | 'pair' | 'random';
  index: number;
  shrinks: number[];
}

/** Parses a search path, or throws a UsageError that says what a path looks like (and what to do with an old one). */
export function parseSearchPath(text: string): ParsedSearchPath {
  const m = pathPattern.exec(text.trim());
  if (!m) {
    if (fastCheckPathPattern.test(text.trim())) {
      throw new UsageError(
        `--path "${text}" is a counterexample path of the old fuzz (fast-check's own search loop); fuzz now runs on the hunt's engine and its paths look like "random-12:3:0", so an old path no longer names the same case. ` +
          'Replay that counterexample from the shrunk scenario file it wrote, with the command it printed after "fails again": comfy-chaos run --client <client> --scenario <its --out>/shrunk-scenario.yaml --transport <transport> --seed <run seed>',
      );
    }
    throw new UsageError(`--path must be a search path printed by fuzz or hunt, such as "single-12" or "random-40:3:0" (got "${text}")`);
  }
  const index = Number(m[2]);
  if (index > MAX_INDEX) throw new UsageError(`--path "${text}": a stage index is at most ${MAX_INDEX} (got ${index})`);
  return { stage: m[1] as ParsedSearchPath['stage'], index, shrinks: m[3] ? m[3].slice(1).split(':').map(Number) : [] };
}

/**
 * The case a search path names, for the seed and search options it was found with: regenerates the
 * stage's cases up to its index, then takes each shrinking step. Throws a UsageError when the path
 * points past what the options generate (a path of a search with other options).
 */
export function caseAtPath(text: string, o: RandomOptions & { systematic?: boolean }): HuntCase {
  const path = parseSearchPath(text);
  let found: HuntCase | undefined;
  if (path.stage === 'baseline') found = baselineCase(o.seed, path.index);
  else {
    const head = `${path.stage}-${path.index}`;
    // The random part does not depend on the systematic one: start there when the path does (the same cases as searchCases gives).
    const stream = path.stage === 'random' ? randomCases(o) : searchCases(o);
    let randomSeen = 0;
    for (const c of stream) {
      const at = c.origin === 'random' && path.stage === 'random' ? { ...c, path: `random-${randomSeen++}` } : c;
      if (at.path === head) {
        found = at;
        break;
      }
      // Stages come in order (single, pair, random): a systematic path never reaches the random part.
      if (path.stage !== 'random' && c.origin === 'random') break;
    }
  }
  if (!found) throw new UsageError(`--path "${text}": seed ${o.seed} has no case ${path.stage}-${path.index} with these options (a path of a search on another transport, or with or without Toxiproxy?)`);
  for (const [step, k] of path.shrinks.entries()) {
    let next: HuntCase | undefined;
    let i = 0;
    for (const smaller of smallerCases(found)) if (i++ === k) next = smaller;
    if (!next) throw new UsageError(`--path "${text}": shrinking step ${step + 1} names smaller case ${k}, but that case has only ${i}`);
    found = next;
  }
  return found;
}
