import { acquireToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import { describeProviderContract } from './provider-contract.ts';

// Skipped with the reason when no toxiproxy-server is found; a failure under COMFY_CHAOS_STRICT=1.
describeProviderContract({
  name: 'binary',
  ownsServer: true,
  acquire: () => acquireToxiproxy({ only: ['binary'] }),
});
