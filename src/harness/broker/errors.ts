/**
 * Error codes of the STOMP broker layer. Code for programs, message for people: every message
 * names what failed and, where it can, what to do about it.
 */
export type BrokerErrorCode =
  /** No provider could give a broker, and the caller asked for strict mode. */
  | 'BROKER_UNAVAILABLE'
  /** A provider was present (a URL, an installed RabbitMQ) but failed to give a working broker. */
  | 'BROKER_PROVIDER_FAILED'
  /** The broker did not complete a STOMP CONNECT in time, or refused it. */
  | 'BROKER_NOT_READY';

export class BrokerHarnessError extends Error {
  readonly code: BrokerErrorCode;

  constructor(code: BrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerHarnessError';
    this.code = code;
  }
}
