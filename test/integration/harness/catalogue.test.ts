import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/harness/run-plan.ts';
import { acquireToxiproxy, isStrict } from '../../../src/harness/toxiproxy/index.ts';
import { catalogue } from '../../../src/scenarios/catalogue/index.ts';
import { isRelayScenario, needsNetwork } from '../../../src/scenarios/scenario.ts';

/** Group 8 is for relays (test/integration/relays); the reference client runs the rest. */
const clientScenarios = catalogue.filter((s) => !isRelayScenario(s));

/** The output of a plan goes to a sink: the test reads verdicts from the results. */
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

const failures = (results: Awaited<ReturnType<typeof executePlan>>) =>
  results.filter((r) => r.verdict === 'fail').map((r) => `${r.scenario.id} ${r.scenario.name}: ${r.reason ?? ''} (${r.replay})`);

describe('the reference client against the whole catalogue', () => {
  it('passes every scenario on the memory transport (virtual time)', async () => {
    const results = await executePlan(
      { scenarios: clientScenarios, clients: ['reference'], transport: 'memory', seed: 1, concurrency: 1, reportDir: join(mkdtempSync(join(tmpdir(), 'cc-cat-')), 'memory'), strict: false },
      sink,
    );
    expect(failures(results)).toEqual([]);
    const ran = results.filter((r) => r.verdict !== 'skipped');
    // Only the Toxiproxy scenarios (group 4) need the network.
    expect(results.filter((r) => r.verdict === 'skipped').every((r) => needsNetwork(catalogue.find((s) => s.id === r.scenario.id)!))).toBe(true);
    expect(ran.length).toBeGreaterThanOrEqual(60);
  }, 120_000);

  describe('on the network transport, through a real Toxiproxy', () => {
    let available = false;
    let reason = '';
    beforeAll(async () => {
      const probe = await acquireToxiproxy({ strict: isStrict() });
      available = probe.status === 'ready';
      if (probe.status === 'ready') await probe.dispose();
      else reason = probe.reason;
    });
    afterAll(() => undefined);

    it('passes every scenario that runs in real time', async (context) => {
      if (!available) context.skip(`no Toxiproxy: ${reason}`);
      const results = await executePlan(
        { scenarios: clientScenarios, clients: ['reference'], transport: 'network', seed: 1, concurrency: 2, reportDir: join(mkdtempSync(join(tmpdir(), 'cc-cat-')), 'network'), strict: true },
        sink,
      );
      expect(failures(results)).toEqual([]);
      const skipped = results.filter((r) => r.verdict === 'skipped');
      // The ones skipped are the long ones, marked memory-only, and say so.
      for (const r of skipped) expect(r.reason).toMatch(/memory transport only/);
      expect(results.filter((r) => needsNetwork(catalogue.find((s) => s.id === r.scenario.id)!) && r.verdict !== 'skipped').length).toBeGreaterThanOrEqual(10);
    }, 300_000);
  });
});
