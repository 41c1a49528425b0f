/**
 * Run by test/integration/harness/harness-errors.test.ts in a process of its own (vitest would
 * report the errors this provokes as its own): a plan of three scenarios whose simulators leave
 * an unhandled rejection (the first) and an uncaught exception (the second) behind, as a bug in
 * the simulator's unawaited work would. Prints the verdicts and harness errors as JSON.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan } from '../../src/harness/run-plan.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';
import { scenario as scenarioSchema } from '../../src/scenarios/scenario.ts';
import { route } from '../../src/simulator/index.ts';

const [plain] = findScenarios(['6.1']);
const scenarios = ['unhandled-rejection', 'uncaught-exception', 'after-both'].map((name, i) => scenarioSchema.parse({ ...plain!, id: `9.${i + 1}`, name }));
let current = 0;
const leaveErrorBehind = route.get('/history/*', () => {
  if (current === 1) void Promise.reject(new Error('forced unhandled rejection (test)'));
  if (current === 2) setTimeout(() => {
    throw new Error('forced uncaught exception (test)');
  }, 0);
  current = current === 0 ? 0 : -current; // once per scenario
  return undefined;
});
const out = {
  write(chunk: string) {
    const started = /^\S{4} {2}9\.(\d) /.exec(chunk);
    if (started) current = Number(started[1]) + 1; // the next scenario's turn
    return true;
  },
};
current = 1;
const results = await executePlan(
  { scenarios, clients: ['reference'], transport: 'network', seed: 1, concurrency: 1, reportDir: mkdtempSync(join(tmpdir(), 'cc-guarded-')), strict: false, simulatorRoutes: [leaveErrorBehind] },
  out as unknown as NodeJS.WritableStream,
);
process.stdout.write(`${JSON.stringify(results.map((r) => ({ id: r.scenario.id, verdict: r.verdict, error: r.harnessError?.message, stack: r.harnessError?.stack })))}\n`);
