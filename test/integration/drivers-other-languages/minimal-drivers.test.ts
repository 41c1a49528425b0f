import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { nodeDriver, repoRoot, verdictOf } from './drivers.ts';

// The ~40-line drivers of docs/write-a-driver.md must really work: both pass the happy path.
describe('the minimal drivers of the write-a-driver guide', () => {
  it('the Node one (clients/examples/minimal-driver.mjs) passes 6.1', async () => {
    const minimal = nodeDriver('minimal-driver.mjs', 'clients/examples/minimal-driver.mjs');
    const happy = await verdictOf(minimal, '6.1');
    expect(happy.verdict).toBe('pass');
  });

  it('the Python one (clients/examples/minimal_driver.py, standard library only) passes 6.1', async () => {
    const minimal = driverClient('minimal_driver.py', { command: 'python3', args: [join(repoRoot, 'clients/examples/minimal_driver.py')] }, { cwd: repoRoot });
    const happy = await verdictOf(minimal, '6.1');
    expect(happy.verdict).toBe('pass');
  });
});
