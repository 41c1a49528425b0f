import fc from 'fast-check';
import { describe, it } from 'vitest';
import { referenceClient } from '../../src/harness/adapters/reference-adapter.ts';
import { scenarioProperty } from './scenario-property.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/**
 * The search's property against the client that does everything right: every generated scenario
 * (memory transport, virtual time) is judged pass or degraded. A failure here is either a bug of
 * the reference client (write the shrunk scenario to test/property/findings/) or a generator
 * that expects the wrong outcome (fix src/scenarios/arbitraries/).
 */
describe('the reference client', () => {
  it('passes every generated scenario on the memory transport', async () => {
    await fc.assert(scenarioProperty({ client: referenceClient(), transport: 'memory' }), { numRuns: fuzzRuns(150), seed: fuzzSeed(5) });
  }, 120_000);
});
