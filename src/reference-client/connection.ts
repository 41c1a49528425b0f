import {
  WS_OPEN,
  type BinaryFrame,
  type Clock,
  type KnownServerMessage,
  type TimerHandle,
  type UnknownServerMessage,
  type WebSocketFactory,
  type WebSocketLike,
} from '../protocol/index.ts';
import type { Backoff } from './backoff.ts';
import type { MutantName } from './mutants.ts';
import type { TolerantParser } from './tolerant-parser.ts';

/**
 * - `idle`: never asked to connect; `connecting`: socket made, not open yet;
 * - `open`: open (healthy once a frame arrived); `waiting`: down, a reconnect is scheduled;
 * - `failed`: gave up after the attempt limit; `closed`: closed by the user, for good.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'failed' | 'closed';

export interface ConnectionOptions {
  clientId: string;
  clock: Clock;
  webSocketFactory: WebSocketFactory;
  parser: TolerantParser;
  backoff: Backoff;
  healthTimeoutMs: number;
  connectTimeoutMs: number;
  featureFlags: Record<string, unknown>;
  /** For comfy-chaos's own tests only: plants one named bug (mutants.ts). */
  mutation?: MutantName;
}

export interface ConnectionListener {
  message(message: KnownServerMessage): void;
  unknownMessage?(message: UnknownServerMessage): void;
  binary(frame: BinaryFrame): void;
  /** A socket opened; `reconnect` is false only for the first socket this connection ever opened. */
  opened(info: { server: string; reconnect: boolean }): void;
  /** Healthy = open and at least one frame received since; false when it drops or goes deaf. */
  healthChanged(healthy: boolean): void;
  stateChanged(state: ConnectionState): void;
  /** The attempt limit was reached; no more reconnects until {@link Connection.connect} is called again. */
  gaveUp(server: string): void;
}

export interface ConnectionStats {
  opens: number;
  reconnects: number;
  drops: number;
  deafDetections: number;
  connectTimeouts: number;
  /**
   * Sockets the server side or the network ended (close or error events, refused connects), as
   * opposed to the client dropping a deaf socket. A server restart always adds one, so a job can
   * only be lost if this moved since it was submitted.
   */
  serverDrops: number;
}

/** `http://host:port/base` -> `ws://host:port/base/ws?clientId=...` */
export function webSocketUrl(server: string, clientId: string): string {
  const base = server.replace(/\/+$/, '').replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
  return `${base}/ws?clientId=${encodeURIComponent(clientId)}`;
}

/**
 * One logical WebSocket to one server at a time, with the same clientId on every reconnect (so
 * ComfyUI keeps routing the running prompt's events to it). Owns reconnect timing and deaf-socket
 * detection; knows nothing about jobs except whether some are pending.
 */
export class Connection {
  readonly stats: ConnectionStats = { opens: 0, reconnects: 0, drops: 0, deafDetections: 0, connectTimeouts: 0, serverDrops: 0 };
  private current: ConnectionState = 'idle';
  private target: string | undefined;
  private socket: WebSocketLike | undefined;
  /** Bumped whenever a socket is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private everOpened = false;
  private framesSinceOpen = 0;
  private watching = false;
  private retryTimer: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private healthTimer: TimerHandle | undefined;
  private openWaiters: (() => void)[] = [];

  constructor(
    private readonly options: ConnectionOptions,
    private readonly listener: ConnectionListener,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  get server(): string | undefined {
    return this.target;
  }

  get healthy(): boolean {
    return this.current === 'open' && this.framesSinceOpen > 0;
  }

  /**
   * Connects to `server`. A no-op if already connected or reconnecting to it; otherwise the old
   * socket is dropped and the attempt counter starts afresh (also after giving up).
   */
  connect(server: string): void {
    if (this.current === 'closed') return;
    const active = this.current === 'open' || this.current === 'connecting' || this.current === 'waiting';
    if (active && this.target === server) return;
    this.abandonSocket();
    this.clearTimers();
    this.target = server;
    this.options.backoff.reset();
    this.openSocket();
  }

  /**
   * Deaf detection runs only while jobs are pending: an idle ComfyUI socket is legitimately
   * silent, and ComfyUI sends no heartbeat. Pending jobs also shorten the reconnect delay.
   */
  setJobsPending(pending: boolean): void {
    if (this.watching === pending) return;
    this.watching = pending;
    this.armHealthTimer();
  }

  /** Resolves true once open, false after `timeoutMs` (bounded wait). */
  waitUntilOpen(timeoutMs: number): Promise<boolean> {
    if (this.current === 'open') return Promise.resolve(true);
    if (this.current === 'closed' || this.current === 'failed' || this.current === 'idle') return Promise.resolve(false);
    return new Promise((resolve) => {
      let settled = false;
      const done = (value: boolean) => {
        if (settled) return;
        settled = true;
        this.options.clock.clearTimeout(timer);
        this.openWaiters = this.openWaiters.filter((w) => w !== onOpen);
        resolve(value);
      };
      const onOpen = () => done(true);
      const timer = this.options.clock.setTimeout(() => done(false), timeoutMs);
      this.openWaiters.push(onOpen);
    });
  }

  /** Drops the socket and reconnects right away (after a deaf spell or when told to). */
  reconnectNow(): void {
    if (this.current === 'closed' || this.target === undefined) return;
    this.abandonSocket();
    this.clearTimers();
    this.options.backoff.reset();
    this.openSocket();
  }

  close(): void {
    if (this.current === 'closed') return;
    const wasHealthy = this.healthy;
    this.abandonSocket();
    this.clearTimers();
    this.setState('closed');
    if (wasHealthy) this.listener.healthChanged(false);
    for (const waiter of this.openWaiters.splice(0)) waiter();
  }

  private openSocket(): void {
    const server = this.target!;
    const generation = ++this.generation;
    this.framesSinceOpen = 0;
    this.setState('connecting');
    let socket: WebSocketLike;
    try {
      socket = this.options.webSocketFactory(webSocketUrl(server, this.options.clientId));
    } catch {
      this.drop(generation);
      return;
    }
    this.socket = socket;
    try {
      socket.binaryType = 'arraybuffer';
    } catch {
      // Some socket implementations make binaryType read-only; Uint8Array data is handled too.
    }
    this.connectTimer = this.options.clock.setTimeout(() => {
      if (generation !== this.generation || this.current !== 'connecting') return;
      this.stats.connectTimeouts++;
      this.drop(generation);
    }, this.options.connectTimeoutMs);
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.options.clock.clearTimeout(this.connectTimer);
      this.stats.opens++;
      const reconnect = this.everOpened;
      if (reconnect) this.stats.reconnects++;
      this.everOpened = true;
      this.setState('open');
      try {
        socket.send(JSON.stringify({ type: 'feature_flags', data: this.options.featureFlags }));
      } catch {
        // A socket that cannot send will close; the close handler reconnects.
      }
      this.armHealthTimer();
      for (const waiter of this.openWaiters.splice(0)) waiter();
      this.listener.opened({ server, reconnect });
    };
    socket.onmessage = (event) => {
      if (generation !== this.generation) return;
      this.framesSinceOpen++;
      if (this.framesSinceOpen === 1 && this.current === 'open') {
        this.options.backoff.reset();
        this.listener.healthChanged(true);
      }
      this.armHealthTimer();
      this.receive(event.data, generation);
    };
    const ended = () => {
      if (generation === this.generation && this.current !== 'closed') this.stats.serverDrops++;
      this.drop(generation);
    };
    socket.onclose = ended;
    socket.onerror = ended;
  }

  private receive(data: unknown, generation: number): void {
    if (isBlob(data)) {
      // A browser with binaryType left at "blob": read it, then parse (order against later
      // text frames is not guaranteed, which only matters for previews).
      data.arrayBuffer().then(
        (buffer) => {
          if (generation === this.generation) this.dispatch(buffer);
        },
        () => {
          this.options.parser.stats.unreadable++;
        },
      );
      return;
    }
    this.dispatch(data);
  }

  private dispatch(data: unknown): void {
    const parsed = this.options.parser.parse(data);
    if (parsed.kind === 'message') this.listener.message(parsed.message);
    else if (parsed.kind === 'binary') this.listener.binary(parsed.frame);
    else if (parsed.kind === 'unknown') this.listener.unknownMessage?.(parsed.message);
  }

  /** The socket `generation` failed (closed, errored, timed out, deaf): schedule the next attempt. */
  private drop(generation: number): void {
    if (generation !== this.generation || this.current === 'closed') return;
    const wasHealthy = this.healthy;
    this.stats.drops++;
    this.abandonSocket();
    this.clearTimers();
    if (wasHealthy) this.listener.healthChanged(false);
    const delay = this.options.backoff.next(this.watching);
    if (delay === undefined) {
      this.setState('failed');
      for (const waiter of this.openWaiters.splice(0)) waiter();
      this.listener.gaveUp(this.target!);
      return;
    }
    this.setState('waiting');
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === 'waiting') this.openSocket();
    }, delay);
  }

  private armHealthTimer(): void {
    this.options.clock.clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    if (!this.watching || this.current !== 'open') return;
    // MUTANT deaf-socket-detection-off: an open socket is trusted however long it stays silent.
    if (this.options.mutation === 'deaf-socket-detection-off') return;
    const generation = this.generation;
    this.healthTimer = this.options.clock.setTimeout(() => {
      if (generation !== this.generation || this.current !== 'open') return;
      this.stats.deafDetections++;
      // A deaf socket is a failed attempt: the backoff grows if the replacement is deaf too.
      this.drop(generation);
    }, this.options.healthTimeoutMs);
  }

  private abandonSocket(): void {
    this.generation++;
    const socket = this.socket;
    this.socket = undefined;
    this.framesSinceOpen = 0;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      // Closing the old socket before opening the next keeps ComfyUI#16010 (the old handler's
      // cleanup unregistering the new socket) from biting us.
      if (socket.readyState <= WS_OPEN) socket.close(1000, 'reconnecting');
    } catch {
      // Already gone.
    }
  }

  private clearTimers(): void {
    const { clock } = this.options;
    clock.clearTimeout(this.retryTimer);
    clock.clearTimeout(this.connectTimer);
    clock.clearTimeout(this.healthTimer);
    this.retryTimer = this.connectTimer = this.healthTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.current === state) return;
    this.current = state;
    this.listener.stateChanged(state);
  }
}

function isBlob(data: unknown): data is { arrayBuffer(): Promise<ArrayBuffer> } {
  return (
    typeof data === 'object' &&
    data !== null &&
    !(data instanceof ArrayBuffer) &&
    !ArrayBuffer.isView(data) &&
    typeof (data as { arrayBuffer?: unknown }).arrayBuffer === 'function'
  );
}
