/**
 * fast-check arbitraries of the scenario vocabulary (issue 5): one public arbitrary per file,
 * each yielding the zod-checked data scenario files use, so a shrunk case saves as a scenario.
 */
export { trigger, triggerKinds, triggerMessageTypes, triggerRequestPaths, type TriggerConstraints, type TriggerKind } from './trigger.ts';
export { fault, faultLayers, faultTypesByLayer, type FaultConstraints, type FaultLayer } from './fault.ts';
export { faultSchedule, type FaultScheduleConstraints } from './fault-schedule.ts';
export { workload, jobShapes, type JobShape, type Workload, type WorkloadConstraints } from './workload.ts';
export { generatedScenario, generatedParts, buildScenario, digest, generatedBounds, generatedClientHints, deafSocketClientHints, type GeneratedScenarioConstraints } from './generated-scenario.ts';
export { ArbitraryConstraintError } from './_internals/constraint-error.ts';
