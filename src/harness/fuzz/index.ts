/** Property-based search over generated scenarios (issue 5). This file only names the public surface. */
export { fuzz, defaultFuzzConstraints, type FuzzOptions, type FuzzProgress, type FuzzReport, type FuzzFailure } from './fuzz.ts';
export { fuzzCase, runCase, scenarioProperty, verdictHolds, ScenarioFailed, type FuzzCase, type RunCaseOptions } from './property.ts';
export { fuzzCommand, runCommand, shellArg, SHRUNK_SCENARIO_FILE } from './commands.ts';
export { formatFuzzReport } from './format.ts';
