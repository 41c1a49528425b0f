/** The single-property search (issues 5 and 15): the hunt's engine stopped at its first bug. This file only names the public surface. */
export { fuzz, SHRUNK_SCENARIO_FILE, type FuzzOptions, type FuzzReport, type FuzzFailure } from './fuzz.ts';
export { formatFuzzReport } from './format.ts';
// The engine's random case and its runner, for benches and property tests that run cases one by one.
export { fuzzCase } from '../hunt/coverage.ts';
export { runCase, type ScenarioCase, type RunCaseOptions } from '../hunt/run-case.ts';
