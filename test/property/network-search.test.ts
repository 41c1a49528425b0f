import { describe, expect, it } from 'vitest';
import { referenceClient } from '../../src/harness/adapters/reference-adapter.ts';
import { fuzz } from '../../src/harness/fuzz/index.ts';
import { acquireToxiproxy, isStrict } from '../../src/harness/toxiproxy/index.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/**
 * The search on the network transport: real sockets, and Toxiproxy faults among the generated
 * ones. Each schedule costs seconds of real time, so CI runs a handful (FUZZ_RUNS overrides).
 */
describe('the property search on the network transport', () => {
  it('finds nothing wrong with the reference client in a few schedules through a real Toxiproxy', async (context) => {
    const toxiproxy = await acquireToxiproxy({ strict: isStrict() });
    if (toxiproxy.status !== 'ready') context.skip(`no Toxiproxy: ${toxiproxy.reason}`);
    try {
      const report = await fuzz({ client: referenceClient(), clientSpec: 'reference', transport: 'network', runs: fuzzRuns(4), seed: fuzzSeed(5), toxiproxy });
      expect(report.failure, report.failure ? JSON.stringify(report.failure.commands) : '').toBeUndefined();
      expect(report.numRuns).toBe(fuzzRuns(4));
    } finally {
      if (toxiproxy.status === 'ready') await toxiproxy.dispose();
    }
  }, 180_000);
});
