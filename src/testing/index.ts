/**
 * comfy-chaos inside another project's test suite (`comfy-chaos/vitest`, also the package's main
 * entry). A plain library: the matchers throw a {@link ScenarioAssertionError} that any test
 * runner reports, so it works in vitest, jest, node:test or mocha alike.
 *
 * ```ts
 * import { bundledDriver, driverClient, expectScenario, referenceClient, scenarioTimeoutMs, startSimulator } from 'comfy-chaos/vitest';
 *
 * await expectScenario('2.3', referenceClient()).toPass();
 * await expectScenario('2.3', bundledDriver('naive/no-reconnect')).toFailWith('no-lost-completion');   // test timeout: scenarioTimeoutMs('2.3')
 * await expectScenario('2.3', driverClient('my-client', 'node my-driver.mjs')).toPass();
 * const sim = await startSimulator();   // { url, wsUrl, simulator, close }
 * ```
 */
export { bundledDriver, bundledDriverCommand, bundledDriverNames, bundledDrivers, commandOf, driverClient, UnknownBundledDriverError, type BundledDriverName, type DriverClientOptions } from './bundled-drivers.ts';
export { defaultTransport, referenceClient, replayLine, resolveScenario, runNamedScenario, scenarioTimeoutMs, writeResultReport, type RunNamedScenarioOptions, type ScenarioRef } from './scenario-run.ts';
export { describeResult, expectScenario, ScenarioAssertionError, type ScenarioExpectation } from './expect-scenario.ts';
export { startSimulator, type StartedSimulator } from './start-simulator.ts';
export type { ClientUnderTest } from '../harness/adapters/client-under-test.ts';
export { acquireToxiproxy, type AcquiredToxiproxy, type SkippedToxiproxy } from '../harness/toxiproxy/index.ts';
export { catalogue, findScenarios } from '../scenarios/catalogue/index.ts';
export { Simulator, route, jsonResponse, textResponse } from '../simulator/index.ts';
export { RecordingProxy } from '../harness/record/recording-proxy.ts';
export { importRecording, scenarioFromRecording } from '../harness/record/import-recording.ts';
export { executePlan, selectScenarios, type RunPlan } from '../harness/run-plan.ts';
export type { ScenarioResult, Verdict, Finding } from '../harness/result.ts';
export type { Scenario, InvariantName } from '../scenarios/scenario.ts';
export type { FaultInput } from '../protocol/index.ts';
