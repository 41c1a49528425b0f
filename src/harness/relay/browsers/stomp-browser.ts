import { Client, type IMessage } from '@stomp/stompjs';
import WebSocket from 'ws';
import { bounded, parseBody, type BrowserCallbacks, type BrowserLink } from './browser.ts';

export interface StompBrowserOptions {
  url: string;
  connectHeaders: Record<string, string>;
  destination: string;
  ack: 'auto' | 'client' | 'client-individual';
  subscribeHeaders: Record<string, string>;
  subprotocols: string[];
  /** Pause before the STOMP client reconnects after a drop, in ms [default 500]. */
  reconnectDelayMs?: number;
}

let receipts = 0;

/**
 * A browser on STOMP over WebSocket (`@stomp/stompjs`, as a web page uses it): it reconnects by
 * itself and subscribes again on every connect; with `client`/`client-individual` acks it ACKs a
 * message only after handing it on, so a broker redelivers what a dying socket never confirmed.
 */
export class StompBrowser implements BrowserLink {
  private readonly client: Client;
  private socket: WebSocket | undefined;
  private connected: (() => void) | undefined;

  constructor(private readonly options: StompBrowserOptions, callbacks: BrowserCallbacks) {
    this.client = new Client({
      webSocketFactory: () => (this.socket = new WebSocket(options.url, options.subprotocols)),
      connectHeaders: options.connectHeaders,
      reconnectDelay: options.reconnectDelayMs ?? 500,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      debug: () => {},
      onConnect: () => {
        const receipt = `sub-${++receipts}`;
        const subscribed = new Promise<void>((resolve) => {
          this.client.watchForReceipt(receipt, () => resolve());
          // Some brokers (Spring's simple broker) send no receipt for SUBSCRIBE: give it a moment instead.
          setTimeout(resolve, 300);
        });
        this.client.subscribe(
          options.destination,
          (message: IMessage) => {
            callbacks.onMessage(undefined, parseBody(message.body));
            if (options.ack !== 'auto') message.ack();
          },
          { ...options.subscribeHeaders, ack: options.ack, receipt },
        );
        void subscribed.then(() => {
          callbacks.onState('connected');
          this.connected?.();
        });
      },
      onWebSocketClose: (event) => callbacks.onState('disconnected', `code ${event.code}`),
      onStompError: (frame) => callbacks.onState('error', frame.headers.message ?? frame.body),
    });
  }

  open(timeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve) => (this.connected = resolve));
    this.client.activate();
    return bounded(ready, timeoutMs, `STOMP CONNECT and SUBSCRIBE to ${this.options.destination} at ${this.options.url}`);
  }

  drop(): void {
    this.socket?.terminate();
  }

  kill(): void {
    void this.client.deactivate({ force: true });
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    await bounded(this.client.deactivate(), 3_000, 'STOMP DISCONNECT').catch(() => this.kill());
  }
}
