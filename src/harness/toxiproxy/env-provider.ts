import { loopbackAddressing } from './addressing.ts';
import { ToxiproxyHarnessError } from './errors.ts';
import type { ToxiproxyProvider } from './provider.ts';
import { waitForToxiproxy } from './readiness.ts';

export interface EnvProviderOptions {
  /** Where to read `TOXIPROXY_URL`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long the server may take to answer GET /version, in ms. Default 5 000. */
  readyTimeoutMs?: number;
}

/**
 * A server the user already runs, named by `TOXIPROXY_URL` (e.g. `http://127.0.0.1:8474`).
 * It shares our loopback as far as we know; the harness never stops it.
 */
export function envProvider(options: EnvProviderOptions = {}): ToxiproxyProvider {
  return {
    kind: 'env',
    async start() {
      const raw = (options.env ?? process.env).TOXIPROXY_URL?.trim();
      if (!raw) return { available: false, reason: 'TOXIPROXY_URL is not set' };
      let parsed: URL | undefined;
      try {
        parsed = new URL(raw);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        throw new ToxiproxyHarnessError(
          'TOXIPROXY_PROVIDER_FAILED',
          `TOXIPROXY_URL="${raw}" is not an http(s) URL; expected e.g. http://127.0.0.1:8474`,
        );
      }
      const url = parsed.toString().replace(/\/+$/, '');
      const version = await waitForToxiproxy(url, {
        timeoutMs: options.readyTimeoutMs ?? 5_000,
        what: `the Toxiproxy server at TOXIPROXY_URL=${url}`,
      });
      return {
        available: true,
        server: { kind: 'env', url, version, addressing: loopbackAddressing, dispose: async () => {} },
      };
    },
  };
}
