import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/harness/run-plan.ts';
import { catalogue } from '../../../src/scenarios/catalogue/index.ts';
import { isRelayScenario, needsNetwork } from '../../../src/scenarios/scenario.ts';

/** Group 8 is for relays; the reference client runs the rest. */
const clientScenarios = catalogue.filter((s) => !isRelayScenario(s));
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

/**
 * Issue 13: the reference client survives every ComfyUI profile. The whole catalogue on the memory
 * transport (virtual time) once per release and once behind each front (path prefix, TLS); the baseline on the
 * network transport is test/integration/harness/catalogue.test.ts.
 */
describe('the reference client against the whole catalogue on every ComfyUI profile', () => {
  it.each(['0.3.44', 'current', 'gateway-api-prefix', 'gateway-tls'])('passes every scenario on %s (memory transport)', async (comfyui) => {
    const results = await executePlan(
      { scenarios: clientScenarios, clients: ['reference'], transport: 'memory', seed: 1, concurrency: 1, reportDir: join(mkdtempSync(join(tmpdir(), 'cc-catp-')), comfyui), strict: false, comfyui: [comfyui] },
      sink,
    );
    expect(results.every((r) => r.comfyui === comfyui)).toBe(true);
    const notPassed = results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skipped').map((r) => `${r.scenario.id} ${r.verdict}: ${r.reason ?? ''} (${r.replay})`);
    expect(notPassed).toEqual([]);
    expect(results.filter((r) => r.verdict === 'skipped').every((r) => needsNetwork(catalogue.find((s) => s.id === r.scenario.id)!))).toBe(true);
    expect(results.filter((r) => r.verdict === 'pass').length).toBeGreaterThanOrEqual(60);
  }, 180_000);
});
