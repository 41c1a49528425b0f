import { z } from 'zod';

/**
 * Objects that refuse keys they do not know, saying which key and what was probably meant
 * (issue 12, point 10): in a scenario file a typo such as `fualts` or `submitAtMS` would otherwise
 * be dropped in silence, and the scenario would run without its faults or with its job at 0 ms.
 *
 * ```ts
 * const job = strictObject({ id: z.string(), submitAtMs: z.number() });
 * job.parse({ id: 'j1', submitAtMS: 5 }); // unknown key "submitAtMS": did you mean "submitAtMs"?
 * ```
 */
export function strictObject<const Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, { error: unknownKeyMessage });
}

/** The message of an `unrecognized_keys` issue; other issues keep zod's own message. */
function unknownKeyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const def = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  const known = Object.keys(def?.shape ?? {});
  return (issue.keys as string[]).map((key) => describeUnknownKey(key, known)).join('; ');
}

/** `unknown key "fualts": did you mean "faults"?`, or the known keys when none is close. */
export function describeUnknownKey(key: string, known: readonly string[]): string {
  const guess = suggestKey(key, known);
  if (guess !== undefined) return `unknown key "${key}": did you mean "${guess}"?`;
  return `unknown key "${key}" (known here: ${known.join(', ') || 'none'})`;
}

/**
 * The known key closest to `key`, when it is close enough to be a typo: case differences cost
 * nothing (`submitAtMS`), and at most one edit in three characters (`fualts`, `faultz`).
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  if (a.length > 200 || b.length > 200) return Math.max(a.length, b.length); // keys, not essays
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
