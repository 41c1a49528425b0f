/**
 * What the model runs exercised, summed over a property's runs: a model test that never reaches
 * an interrupt or a cached rerun passes for nothing, so the test asserts these are not zero.
 */
export const coverage = {
  runs: 0,
  cachedRuns: 0,
  interrupted: 0,
  errors: 0,
  lost: 0,
  deleted: 0,
  replays: 0,
  wholeRunSockets: 0,
  historyOverwrites: 0,
  refusedWhileDown: 0,
};

export function resetCoverage(): void {
  for (const key of Object.keys(coverage) as Array<keyof typeof coverage>) coverage[key] = 0;
}
