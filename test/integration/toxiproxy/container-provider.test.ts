import { it, expect } from 'vitest';
import { acquireToxiproxy, isStrict, TOXIPROXY_VERSION } from '../../../src/harness/toxiproxy/index.ts';
import { describeProviderContract } from './provider-contract.ts';

// Host networking keeps the API, the proxies and the upstream on the host's loopback.
// Skipped with the reason when no Docker engine or image is there; a failure under COMFY_CHAOS_STRICT=1.
describeProviderContract({
  name: 'container',
  ownsServer: true,
  acquire: () => acquireToxiproxy({ only: ['container'], container: { network: 'host' } }),
});

// The provider gives exactly the pinned version, the one .ci/run installs (the assertions of the
// shared behaviour above live in provider-contract.ts).
it('container provider runs the pinned Toxiproxy version', async (context) => {
  const result = await acquireToxiproxy({ ...{ only: ['container'], container: { network: 'host' } }, strict: isStrict() });
  if (result.status === 'skipped') return context.skip(result.reason);
  try {
    expect(result.kind).toBe('container');
    expect(result.version.replace(/^v/, '')).toBe(TOXIPROXY_VERSION);
  } finally {
    await result.dispose();
  }
});
