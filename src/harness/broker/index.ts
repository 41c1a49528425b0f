import { envBrokerProvider, type EnvBrokerProviderOptions } from './env-provider.ts';
import { BrokerHarnessError } from './errors.ts';
import { BROKER_KINDS, type BrokerKind, type BrokerProvider } from './provider.ts';
import { existsSync } from 'node:fs';
import { RABBITMQ_SCRIPT, rabbitmqProvider, type RabbitmqProviderOptions } from './rabbitmq-provider.ts';

export { envBrokerProvider, type EnvBrokerProviderOptions } from './env-provider.ts';
export { BrokerHarnessError, type BrokerErrorCode } from './errors.ts';
export { BROKER_KINDS, type BrokerKind, type BrokerOutcome, type BrokerProvider, type StompBroker } from './provider.ts';
export { findRabbitmqServer, rabbitmqProvider, RABBITMQ_SCRIPT, type RabbitmqProviderOptions } from './rabbitmq-provider.ts';
export { STOMP_SUBPROTOCOLS, waitForStompBroker, type StompBrokerInfo } from './readiness.ts';

/**
 * What to tell a person who has no STOMP broker. The private broker is run by the repository's
 * scripts/rabbitmq.sh, so only a checkout names those scripts; an installed package names
 * STOMP_BROKER_URL alone.
 */
export const HOW_TO_GET_A_BROKER = existsSync(RABBITMQ_SCRIPT)
  ? 'install RabbitMQ with scripts/install-rabbitmq.sh (as root; the harness then runs its own broker with ' +
    'scripts/rabbitmq.sh), or set STOMP_BROKER_URL to a running Web-STOMP endpoint (e.g. ws://127.0.0.1:15674/ws, ' +
    'with STOMP_LOGIN/STOMP_PASSCODE if not guest/guest)'
  : 'set STOMP_BROKER_URL to a running Web-STOMP endpoint, e.g. RabbitMQ with the rabbitmq_web_stomp plugin ' +
    '(ws://127.0.0.1:15674/ws, with STOMP_LOGIN/STOMP_PASSCODE if not guest/guest)';

export interface AcquireStompBrokerOptions {
  /**
   * When no provider can give a broker: throw (`BROKER_UNAVAILABLE`) instead of returning a
   * skipped result. Default: true when COMFY_CHAOS_STRICT=1.
   */
  strict?: boolean;
  /** Environment for STOMP_BROKER_URL, STOMP_LOGIN, STOMP_PASSCODE, PATH and COMFY_CHAOS_STRICT. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  envProvider?: Omit<EnvBrokerProviderOptions, 'env'>;
  rabbitmq?: Omit<RabbitmqProviderOptions, 'env'>;
  /** Replaces the built-in providers (tests). */
  providers?: Partial<Record<BrokerKind, BrokerProvider>>;
}

export interface AcquiredBroker {
  status: 'ready';
  kind: BrokerKind;
  /** The Web-STOMP URL, e.g. `ws://127.0.0.1:15674/ws`. */
  url: string;
  login: string;
  passcode: string;
  /** Stops the broker if the provider started it. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface SkippedBroker {
  status: 'skipped';
  /** One line for a report: what was tried, why each failed, and how to get a broker. */
  reason: string;
}

export function isStrict(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.COMFY_CHAOS_STRICT === '1' || env.COMFY_CHAOS_STRICT === 'true';
}

/**
 * Gets a STOMP broker (Web-STOMP) from the first provider that has one: `STOMP_BROKER_URL`, then
 * the project's own RabbitMQ (`scripts/rabbitmq.sh`, when rabbitmq-server is installed). A
 * provider that is present but broken throws `BROKER_PROVIDER_FAILED`; none at all gives
 * `{ status: 'skipped' }`, or throws `BROKER_UNAVAILABLE` when strict.
 */
export async function acquireStompBroker(options: AcquireStompBrokerOptions = {}): Promise<AcquiredBroker | SkippedBroker> {
  const env = options.env ?? process.env;
  const strict = options.strict ?? isStrict(env);
  const builtIn: Record<BrokerKind, () => BrokerProvider> = {
    env: () => envBrokerProvider({ env, ...options.envProvider }),
    rabbitmq: () => rabbitmqProvider({ env, ...options.rabbitmq }),
  };
  const tried: string[] = [];
  for (const kind of BROKER_KINDS) {
    const outcome = await (options.providers?.[kind] ?? builtIn[kind]()).start();
    if (outcome.available) {
      const { broker } = outcome;
      return { status: 'ready', kind: broker.kind, url: broker.url, login: broker.login, passcode: broker.passcode, dispose: broker.dispose };
    }
    tried.push(`${kind}: ${outcome.reason}`);
  }
  const reason = `no STOMP broker available (${tried.join('; ')}); ${HOW_TO_GET_A_BROKER}`;
  if (strict) throw new BrokerHarnessError('BROKER_UNAVAILABLE', `${reason} (strict mode: a missing broker is an error)`);
  return { status: 'skipped', reason };
}
