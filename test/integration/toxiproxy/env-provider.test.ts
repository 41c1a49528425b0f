import { describe, expect, it } from 'vitest';
import { acquireToxiproxy, envProvider, type AcquiredToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import { describeProviderContract } from './provider-contract.ts';

// With TOXIPROXY_URL set, that server is used; otherwise a binary server stands in for
// "a server the user already runs", so the env provider is exercised wherever the binary is.
let standIn: AcquiredToxiproxy | undefined;

describeProviderContract({
  name: 'env (TOXIPROXY_URL)',
  ownsServer: false,
  async acquire() {
    let url = process.env.TOXIPROXY_URL;
    if (!url) {
      const binary = await acquireToxiproxy({ only: ['binary'] });
      if (binary.status === 'skipped') return binary;
      standIn = binary;
      url = binary.url;
    }
    return acquireToxiproxy({ only: ['env'], env: { ...process.env, TOXIPROXY_URL: url } });
  },
  after: async () => standIn?.dispose(),
});

describe('env provider edges', () => {
  it('is unavailable, not failed, when TOXIPROXY_URL is unset', async () => {
    expect(await envProvider({ env: {} }).start()).toEqual({ available: false, reason: 'TOXIPROXY_URL is not set' });
  });

  it('fails, naming the URL, when TOXIPROXY_URL does not answer', async () => {
    // Port 1 on loopback: nothing listens there, so the refusal is immediate.
    const start = envProvider({ env: { TOXIPROXY_URL: 'http://127.0.0.1:1' }, readyTimeoutMs: 300 }).start();
    await expect(start).rejects.toMatchObject({
      code: 'TOXIPROXY_PROVIDER_FAILED',
      message: expect.stringMatching(/TOXIPROXY_URL=http:\/\/127\.0\.0\.1:1 did not answer GET .*\/version within 300 ms/),
    });
  });

  it('fails when TOXIPROXY_URL is not an http URL', async () => {
    await expect(envProvider({ env: { TOXIPROXY_URL: 'toxiproxy:8474 ' } }).start()).rejects.toMatchObject({
      code: 'TOXIPROXY_PROVIDER_FAILED',
      message: 'TOXIPROXY_URL="toxiproxy:8474" is not an http(s) URL; expected e.g. http://127.0.0.1:8474',
    });
  });
});
