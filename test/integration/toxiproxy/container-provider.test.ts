import { acquireToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import { describeProviderContract } from './provider-contract.ts';

// Host networking keeps the API, the proxies and the upstream on the host's loopback.
// Skipped with the reason when no Docker engine or image is there; a failure under COMFY_CHAOS_STRICT=1.
describeProviderContract({
  name: 'container',
  ownsServer: true,
  acquire: () => acquireToxiproxy({ only: ['container'], container: { network: 'host' } }),
});
