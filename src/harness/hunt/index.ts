/** The hunt (issue 15): every distinct bug of a client, shrunk and replayable. This file only names the public surface. */
export { hunt, replayFile, type HuntOptions, type HuntProgress, type HuntReport, type HuntBug, type HuntRun } from './engine.ts';
export { baselineWorkload, scenarioOf, huntBounds, type HuntCase, type CaseOrigin } from './cases.ts';
export { systematicCases, randomCases, seededRandom } from './coverage.ts';
export { jobPhases, phaseOf } from './phases.ts';
export { signatureOf, sameBug, explainedBy, faultFamily, summaryOf, type Signature, type Symptom } from './signature.ts';
export { smallerCases } from './shrink.ts';
export { replayCommand } from './replay.ts';
export { writeHuntOutput, bugScenarioYaml, type BugRecord } from './output.ts';
export { formatHuntReport, coverageLine } from './format.ts';
export { Slots } from './slots.ts';
