/**
 * STOMP downstream through a broker (RabbitMQ Web-STOMP): each message is published as JSON to
 * the durable queue `/queue/comfy.user.<clientId>`, where it waits until the browser subscribes
 * (with `ack: client-individual`) and acknowledges it.
 *
 * Every SEND asks for a receipt; a message stays in the outbox until its receipt arrives (the
 * broker then holds it), and whatever is still there when a connection opens is published again.
 * So a broker drop loses nothing; a receipt lost with the connection can repeat a message
 * (at-least-once; every message carries `prompt_id` for the browser to deduplicate by).
 */
import { Client, type IFrame } from '@stomp/stompjs';
import WebSocket from 'ws';
import type { Downstream, RelayMessage } from './messages.ts';
import { BoundedOutbox } from './outbox.ts';

export interface StompDownstreamOptions {
  /** The broker's Web-STOMP URL, e.g. `ws://127.0.0.1:15674/ws`. */
  brokerUrl: string;
  login?: string;
  passcode?: string;
  log: (line: string) => void;
  /** [options.reconnectDelayMs=500] Wait before reconnecting to the broker. */
  reconnectDelayMs?: number;
  /** [options.outboxCapPerUser=1000] Messages per user awaiting a receipt; progress is dropped first. */
  outboxCapPerUser?: number;
}

interface Pending {
  destination: string;
  body: string;
  progress: boolean;
}

export function stompDestination(clientId: string): string {
  return `/queue/comfy.user.${clientId}`;
}

export class StompDownstream implements Downstream {
  private readonly client: Client;
  /** clientId -> message key -> message, until the broker's receipt. */
  private readonly outbox: BoundedOutbox<Pending>;
  private sequence = 0;
  private connectedOnce = false;
  /** The last connection opened and has not been reported closed (so a down broker is logged once, not per retry). */
  private up = false;
  private closing = false;

  constructor(private readonly options: StompDownstreamOptions) {
    const { log } = options;
    this.outbox = new BoundedOutbox<Pending>({
      capPerUser: options.outboxCapPerUser ?? 1000,
      expendable: (item) => item.progress,
      dropped: (user, key, item) => log(`stomp outbox of ${user} is full: dropped ${item.progress ? 'a progress message' : 'a result'} (${key}) the broker never confirmed`),
    });
    this.client = new Client({
      webSocketFactory: () => new WebSocket(options.brokerUrl, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
      connectHeaders: {
        ...(options.login === undefined ? {} : { login: options.login }),
        ...(options.passcode === undefined ? {} : { passcode: options.passcode }),
      },
      reconnectDelay: options.reconnectDelayMs ?? 500,
      connectionTimeout: 5000,
      onConnect: () => {
        log(`stomp: connected to ${options.brokerUrl}${this.outbox.size > 0 ? `; publishing ${this.outbox.size} unconfirmed message(s) again` : ''}`);
        this.connectedOnce = true;
        this.up = true;
        for (const [user, key, item] of this.outbox.all()) this.publish(user, key, item);
      },
      onStompError: (frame: IFrame) => log(`stomp: broker error: ${frame.headers.message ?? ''} ${frame.body}`.trim()),
      onWebSocketClose: (event: { code?: number }) => {
        if (this.up && !this.closing) log(`stomp: connection closed (${event.code ?? '?'}); reconnecting every ${options.reconnectDelayMs ?? 500} ms, ${this.outbox.size} message(s) wait for the next connection`);
        this.up = false;
      },
      onWebSocketError: () => undefined,
    });
  }

  /** Connected to the broker at least once: the relay is ready (later drops are ridden out). */
  get everConnected(): boolean {
    return this.connectedOnce;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  start(): void {
    this.client.activate();
  }

  deliver(clientId: string, message: RelayMessage): void {
    const key = `m${++this.sequence}`;
    const item: Pending = { destination: stompDestination(clientId), body: JSON.stringify(message), progress: message.type === 'progress' };
    this.outbox.add(clientId, key, item);
    if (this.client.connected) this.publish(clientId, key, item);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.outbox.size > 0) this.options.log(`stomp: closing with ${this.outbox.size} message(s) the broker never confirmed`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.deactivate().catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 1500))),
    ]);
    clearTimeout(timer);
    if (this.client.active) await this.client.deactivate({ force: true }).catch(() => undefined);
  }

  private publish(clientId: string, key: string, item: Pending): void {
    // A fresh receipt id per SEND: receipts of an earlier connection can never arrive.
    const receipt = `${key}-${++this.sequence}`;
    this.client.watchForReceipt(receipt, () => this.outbox.remove(clientId, key));
    try {
      this.client.publish({
        destination: item.destination,
        body: item.body,
        headers: { 'content-type': 'application/json', persistent: 'true', receipt },
      });
    } catch (error) {
      // The socket went away between the check and the SEND: the next connection sends it.
      this.options.log(`stomp: publish of ${key} deferred: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
