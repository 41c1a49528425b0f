import { BrokerHarnessError } from './errors.ts';
import type { BrokerProvider } from './provider.ts';
import { waitForStompBroker } from './readiness.ts';

export interface EnvBrokerProviderOptions {
  /** Where to read `STOMP_BROKER_URL`, `STOMP_LOGIN` and `STOMP_PASSCODE`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long the broker may take to answer a STOMP CONNECT, in ms. Default 10 000. */
  readyTimeoutMs?: number;
}

/**
 * A broker the user already runs, named by `STOMP_BROKER_URL` (e.g. `ws://127.0.0.1:15674/ws`),
 * with `STOMP_LOGIN`/`STOMP_PASSCODE` (default guest/guest). The harness never stops it.
 */
export function envBrokerProvider(options: EnvBrokerProviderOptions = {}): BrokerProvider {
  return {
    kind: 'env',
    async start() {
      const env = options.env ?? process.env;
      const url = env.STOMP_BROKER_URL?.trim();
      if (!url) return { available: false, reason: 'STOMP_BROKER_URL is not set' };
      let protocol: string | undefined;
      try {
        protocol = new URL(url).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol !== 'ws:' && protocol !== 'wss:') {
        throw new BrokerHarnessError(
          'BROKER_PROVIDER_FAILED',
          `STOMP_BROKER_URL="${url}" is not a ws(s) URL; expected a Web-STOMP endpoint such as ws://127.0.0.1:15674/ws`,
        );
      }
      const login = env.STOMP_LOGIN ?? 'guest';
      const passcode = env.STOMP_PASSCODE ?? 'guest';
      try {
        await waitForStompBroker(url, login, passcode, options.readyTimeoutMs ?? 10_000);
      } catch (error) {
        throw new BrokerHarnessError(
          'BROKER_PROVIDER_FAILED',
          `STOMP_BROKER_URL=${url}: ${(error as Error).message}; start that broker, or unset STOMP_BROKER_URL to use a local RabbitMQ`,
          { cause: error },
        );
      }
      return { available: true, broker: { kind: 'env', url, login, passcode, dispose: async () => {} } };
    },
  };
}
