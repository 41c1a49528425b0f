import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';
import { BrokerHarnessError } from './errors.ts';

/** The STOMP subprotocols offered on the WebSocket; RabbitMQ Web-STOMP refuses a socket without one. */
export const STOMP_SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

/** What the broker said in its CONNECTED frame. */
export interface StompBrokerInfo {
  /** The `server` header, e.g. `RabbitMQ/3.10.8`; empty when the broker sends none. */
  server: string;
  /** The STOMP version agreed on, e.g. `1.2`. */
  version: string;
}

/**
 * Proves that `url` speaks STOMP: connects with `@stomp/stompjs` over `ws` (retrying while the
 * socket is refused or drops, e.g. a broker still starting), then disconnects. Rejects with
 * `BROKER_NOT_READY` when `timeoutMs` (ms) pass without a CONNECTED frame, or at once when the
 * broker answers CONNECT with an ERROR frame (bad login: retrying would not help).
 */
export async function waitForStompBroker(url: string, login: string, passcode: string, timeoutMs: number): Promise<StompBrokerInfo> {
  let lastProblem = 'no answer yet';
  let settle!: (outcome: StompBrokerInfo | BrokerHarnessError) => void;
  const settled = new Promise<StompBrokerInfo | BrokerHarnessError>((resolve) => (settle = resolve));
  const client = new Client({
    webSocketFactory: () => new WebSocket(url, STOMP_SUBPROTOCOLS),
    connectHeaders: { login, passcode },
    reconnectDelay: 200,
    connectionTimeout: Math.min(5_000, timeoutMs),
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    debug: () => {},
    onConnect: (frame) => settle({ server: frame.headers.server ?? '', version: frame.headers.version ?? '' }),
    onStompError: (frame) =>
      settle(
        new BrokerHarnessError(
          'BROKER_NOT_READY',
          `the STOMP broker at ${url} refused CONNECT as "${login}": ${frame.headers.message ?? ''} ${frame.body}`.trim() +
            '; check STOMP_LOGIN/STOMP_PASSCODE (RabbitMQ lets guest/guest in from loopback only)',
        ),
      ),
    onWebSocketClose: (event) => (lastProblem = `socket closed with code ${event.code}${event.reason ? ` (${event.reason})` : ''}`),
    onWebSocketError: (event) => (lastProblem = `socket error: ${(event as { message?: string }).message ?? 'unknown'}`),
  });
  const timer = setTimeout(
    () =>
      settle(
        new BrokerHarnessError(
          'BROKER_NOT_READY',
          `no STOMP CONNECTED frame from ${url} within ${timeoutMs} ms (last: ${lastProblem}); ` +
            'is it a Web-STOMP endpoint (RabbitMQ: ws://host:15674/ws) and is the broker running?',
        ),
      ),
    timeoutMs,
  );
  client.activate();
  const outcome = await settled;
  clearTimeout(timer);
  await Promise.race([client.deactivate(), new Promise((done) => setTimeout(done, 2_000))]).catch(() => undefined);
  if (client.active) await client.deactivate({ force: true }).catch(() => undefined);
  if (outcome instanceof BrokerHarnessError) throw outcome;
  return outcome;
}
