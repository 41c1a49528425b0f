import { UsageError } from '../harness/usage-error.ts';
import { invariantName, type InvariantName } from '../scenarios/scenario.ts';

/** Options `hunt` and `fuzz` share (one search engine, one way to read its options). */

export function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return n;
}

/** `--invariant` names (repeated or comma-separated), checked against the oracle's: a typo would otherwise find nothing, silently. */
export function invariantOption(values: string[] | undefined): InvariantName[] | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const n of names) if (!invariantName.safeParse(n).success) throw new UsageError(`--invariant: unknown invariant "${n}"; the invariants are ${invariantName.options.join(', ')}`);
  return names.length ? (names as InvariantName[]) : undefined;
}
