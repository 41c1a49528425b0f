/** Where a STOMP broker came from, in the order they are tried. */
export type BrokerKind = 'env' | 'rabbitmq';

export const BROKER_KINDS: readonly BrokerKind[] = ['env', 'rabbitmq'];

/** A running broker that speaks STOMP over WebSocket, as a provider hands it over. */
export interface StompBroker {
  kind: BrokerKind;
  /** Its Web-STOMP URL, e.g. `ws://127.0.0.1:15674/ws`. */
  url: string;
  login: string;
  passcode: string;
  /** Stops what the provider started (nothing, for a broker someone else runs). Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * A provider either gives a broker or says why it cannot here ("not installed"). Something that
 * is present but broken (a URL that does not answer, a broker that does not start) is not
 * "unavailable": the provider throws a `BrokerHarnessError` with code `BROKER_PROVIDER_FAILED`.
 */
export type BrokerOutcome = { available: true; broker: StompBroker } | { available: false; reason: string };

export interface BrokerProvider {
  kind: BrokerKind;
  start(): Promise<BrokerOutcome>;
}
