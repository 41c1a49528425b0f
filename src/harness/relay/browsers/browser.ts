/**
 * A user's browser in a relay run: the real downstream protocol client (STOMP, Socket.IO or plain
 * WebSocket) that the harness holds on the user's behalf. It hands every message it hears to
 * `onMessage`, and lets the harness break it the ways real browsers break.
 */
export interface BrowserLink {
  /** Connects (and subscribes); resolves when it can receive, rejects after `timeoutMs`. */
  open(timeoutMs: number): Promise<void>;
  /** The socket dies with no close frame (network loss); the protocol client reconnects by itself, as it would in a browser. */
  drop(): void;
  /** The page is gone: the socket dies and nothing reconnects. */
  kill(): void;
  /** Closes cleanly (end of the run). */
  close(): Promise<void>;
  /** Socket.IO: emits an event and waits for its acknowledgement. */
  emitWithAck?(event: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

export interface BrowserCallbacks {
  /** A message: the Socket.IO event name (undefined for STOMP and WebSocket) and its body (parsed JSON when it is JSON). */
  onMessage(event: string | undefined, body: unknown): void;
  /** Connection changes, for the trace's downstream lane. */
  onState(state: 'connected' | 'disconnected' | 'gave_up' | 'error', detail?: string): void;
}

/** JSON when it parses, else the text itself. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits for `ready` or fails after `timeoutMs` with `what` in the message. */
export function bounded<T>(ready: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs}ms`)), timeoutMs);
  });
  return Promise.race([ready, timeout]).finally(() => clearTimeout(timer));
}
