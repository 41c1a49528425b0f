import WebSocket from 'ws';
import { bounded, parseBody, type BrowserCallbacks, type BrowserLink } from './browser.ts';

/** A browser on a plain WebSocket with JSON text frames; it reconnects after a drop, up to 5 times, 500 ms apart. */
export class WsBrowser implements BrowserLink {
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempts = 0;

  constructor(private readonly url: string, private readonly callbacks: BrowserCallbacks) {}

  private connect(onOpen?: () => void): void {
    const socket = (this.socket = new WebSocket(this.url));
    socket.on('open', () => {
      this.attempts = 0;
      this.callbacks.onState('connected');
      onOpen?.();
    });
    socket.on('message', (data, binary) => {
      if (!binary) this.callbacks.onMessage(undefined, parseBody(data.toString()));
    });
    socket.on('error', (error) => this.callbacks.onState('error', error.message));
    socket.on('close', (code) => {
      this.callbacks.onState('disconnected', `code ${code}`);
      if (this.stopped || socket !== this.socket) return;
      if (++this.attempts > 5) return this.callbacks.onState('gave_up', 'after 5 attempts');
      setTimeout(() => !this.stopped && this.connect(), 500);
    });
  }

  open(timeoutMs: number): Promise<void> {
    return bounded(new Promise<void>((resolve) => this.connect(resolve)), timeoutMs, `WebSocket connect to ${this.url}`);
  }

  drop(): void {
    this.socket?.terminate();
  }

  kill(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.socket?.close();
  }
}
