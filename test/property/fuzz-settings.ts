/**
 * Bounds of the property tests: a fixed seed and a bounded number of runs by default, so that
 * `npm test` is repeatable and short; `FUZZ_RUNS` and `FUZZ_SEED` override them
 * (`FUZZ_RUNS=5000 FUZZ_SEED=7 npx vitest run test/property`).
 */
export function fuzzRuns(fallback: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function fuzzSeed(fallback: number): number {
  const raw = process.env.FUZZ_SEED;
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(n) ? n : fallback;
}
