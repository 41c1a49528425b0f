import type fc from 'fast-check';
import {
  WS_CLOSED,
  type CloseEventLike,
  type Clock,
  type FetchLike,
  type MessageEventLike,
  type WebSocketFactory,
  type WebSocketLike,
} from '../../../src/protocol/index.ts';

/**
 * A link between the reference client and the simulator's memory transport on which fast-check's
 * scheduler decides when each HTTP reply reaches the client, and when the socket is cut. The
 * server handles a request when it arrives (a POST queues its prompt at once); only the way
 * back is scheduled, as on a loaded machine or a slow network. A cut closes the client's
 * current socket as a network drop would (code 1006); the client reconnects by itself.
 */
export class LossyLink {
  /** The POST /prompt replies to lose (after the server queued the prompt), counted down. */
  lostPostReplies: number;
  cuts = 0;
  private current: CuttableSocket | undefined;

  constructor(
    private readonly s: fc.Scheduler,
    private readonly clock: Clock,
    private readonly inner: { fetch: FetchLike; webSocketFactory: WebSocketFactory },
    options: { lostPostReplies: number; cutOnPost: boolean },
  ) {
    this.lostPostReplies = options.lostPostReplies;
    this.cutOnPost = options.cutOnPost;
  }

  private readonly cutOnPost: boolean;

  readonly fetch: FetchLike = (url, init = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://memory').pathname;
    const isPost = method === 'POST' && path.endsWith('/prompt');
    const lose = isPost && this.lostPostReplies > 0;
    if (lose) this.lostPostReplies--;
    // The cut of scenario 4.10: the network goes while the POST is inside the server.
    if (isPost && this.cutOnPost) this.scheduleCut(`cut after ${method} ${path}`);
    const reply = this.inner.fetch(url, init);
    // The scheduled task carries no value, so a counterexample prints as a short list of labels.
    const arrived = reply.then(
      () => 'answered',
      () => 'failed',
    );
    return this.s.schedule(arrived, `reply ${method} ${path}${lose ? ' (lost)' : ''}`).then(async () => {
      if (lose) throw new TypeError('fetch failed: socket hang up');
      return reply;
    });
  };

  readonly webSocketFactory: WebSocketFactory = (url) => {
    const socket = new CuttableSocket(this.inner.webSocketFactory(url), this.clock);
    this.current = socket;
    return socket;
  };

  /** A cut at a moment the scheduler picks. */
  scheduleCut(label = 'cut'): void {
    void this.s.schedule(Promise.resolve(), label).then(() => {
      if (this.current?.cut()) this.cuts++;
    });
  }
}

/** Forwards to the simulator's socket until cut; then the client hears a 1006 close and nothing more. */
class CuttableSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onclose: ((event: CloseEventLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private isCut = false;

  constructor(
    private readonly inner: WebSocketLike,
    private readonly clock: Clock,
  ) {
    inner.onopen = (event) => this.onopen?.(event);
    inner.onmessage = (event) => this.onmessage?.(event);
    inner.onclose = (event) => this.onclose?.(event);
    inner.onerror = (event) => this.onerror?.(event);
  }

  get readyState(): number {
    return this.isCut ? WS_CLOSED : this.inner.readyState;
  }

  get binaryType(): string {
    return this.inner.binaryType;
  }

  set binaryType(value: string) {
    this.inner.binaryType = value;
  }

  send(data: string | Uint8Array | ArrayBuffer): void {
    this.inner.send(data);
  }

  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }

  /** Returns false if this socket had already ended. */
  cut(): boolean {
    if (this.isCut || this.inner.readyState === WS_CLOSED) return false;
    this.isCut = true;
    this.inner.onopen = this.inner.onmessage = this.inner.onclose = this.inner.onerror = null;
    this.inner.close(1000, 'cut by the test');
    this.clock.setTimeout(() => this.onclose?.({ code: 1006, reason: '', wasClean: false }), 0);
    return true;
  }
}
