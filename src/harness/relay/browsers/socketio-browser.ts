import { io, type Socket } from 'socket.io-client';
import { bounded, type BrowserCallbacks, type BrowserLink } from './browser.ts';

export interface SocketIoBrowserOptions {
  url: string;
  path: string;
  auth: Record<string, string>;
  query: Record<string, string>;
  reconnectionAttempts: number;
  /** Acknowledge events that ask for it, after handing them on. */
  acknowledge: boolean;
}

/**
 * A browser on Socket.IO (`socket.io-client` over the WebSocket transport): reconnects by itself
 * up to `reconnectionAttempts` times, as a page configured that way would, then gives up.
 */
export class SocketIoBrowser implements BrowserLink {
  private readonly socket: Socket;

  constructor(private readonly options: SocketIoBrowserOptions, callbacks: BrowserCallbacks) {
    this.socket = io(options.url, {
      path: options.path,
      auth: options.auth,
      query: options.query,
      transports: ['websocket'],
      forceNew: true,
      autoConnect: false,
      reconnectionAttempts: options.reconnectionAttempts,
      reconnectionDelay: 300,
      reconnectionDelayMax: 2_000,
      timeout: 5_000,
    });
    this.socket.onAny((event: string, ...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (...a: unknown[]) => void) : undefined;
      callbacks.onMessage(event, args.length <= 1 ? args[0] : args);
      if (ack && options.acknowledge) ack({ ok: true });
    });
    this.socket.on('connect', () => callbacks.onState('connected', this.socket.id));
    this.socket.on('disconnect', (reason) => callbacks.onState('disconnected', reason));
    this.socket.on('connect_error', (error) => callbacks.onState('error', error.message));
    this.socket.io.on('reconnect_failed', () => callbacks.onState('gave_up', `after ${options.reconnectionAttempts} attempts`));
  }

  open(timeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.connect();
    return bounded(ready, timeoutMs, `Socket.IO connect to ${this.options.url}${this.options.path}`);
  }

  /** The engine's WebSocket (the `ws` package in Node), to kill it without a close frame. */
  private rawSocket(): { terminate?: () => void } | undefined {
    const engine = this.socket.io.engine as unknown as { transport?: { ws?: { terminate?: () => void } } } | undefined;
    return engine?.transport?.ws;
  }

  drop(): void {
    const raw = this.rawSocket();
    if (raw?.terminate) raw.terminate();
    else this.socket.io.engine?.close();
  }

  kill(): void {
    this.socket.io.reconnection(false);
    this.drop();
    this.socket.close();
  }

  async close(): Promise<void> {
    this.socket.io.reconnection(false);
    this.socket.close();
  }

  emitWithAck(event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    return this.socket.timeout(timeoutMs).emitWithAck(event, payload);
  }
}
