/** The hunt (issue 15): every distinct bug of a client, shrunk and replayable. This file only names the public surface. */
export { hunt, replayFile, type HuntOptions, type HuntProgress, type HuntReport, type HuntBug, type HuntRun } from './engine.ts';
export { baselineWorkload, baselineCase, scenarioOf, huntBounds, type HuntCase, type CaseOrigin } from './cases.ts';
export { systematicCases, randomCases, searchCases, generatedCase, fuzzCase, seededRandom, type RandomOptions } from './coverage.ts';
export { jobPhases, phaseOf } from './phases.ts';
export { signatureOf, sameBug, explainedBy, faultFamily, summaryOf, type Signature, type Symptom } from './signature.ts';
export { smallerCases } from './shrink.ts';
export { replayCommand, searchReplayCommand } from './replay.ts';
export { runCase, type ScenarioCase, type RunCaseOptions } from './run-case.ts';
export { caseAtPath, parseSearchPath, type ParsedSearchPath } from './search-path.ts';
export { writeHuntOutput, bugScenarioYaml, type BugRecord } from './output.ts';
export { formatHuntReport, coverageLine } from './format.ts';
export { Slots } from './slots.ts';
