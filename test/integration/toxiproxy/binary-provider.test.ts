import { it, expect } from 'vitest';
import { acquireToxiproxy, isStrict, TOXIPROXY_VERSION } from '../../../src/harness/toxiproxy/index.ts';
import { describeProviderContract } from './provider-contract.ts';

// Skipped with the reason when no toxiproxy-server is found; a failure under COMFY_CHAOS_STRICT=1.
describeProviderContract({
  name: 'binary',
  ownsServer: true,
  acquire: () => acquireToxiproxy({ only: ['binary'] }),
});

// The provider gives exactly the pinned version, the one .ci/run installs (the assertions of the
// shared behaviour above live in provider-contract.ts).
it('binary provider runs the pinned Toxiproxy version', async (context) => {
  const result = await acquireToxiproxy({ ...{ only: ['binary'] }, strict: isStrict() });
  if (result.status === 'skipped') return context.skip(result.reason);
  try {
    expect(result.kind).toBe('binary');
    expect(result.version.replace(/^v/, '')).toBe(TOXIPROXY_VERSION);
  } finally {
    await result.dispose();
  }
});
