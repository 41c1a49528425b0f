/**
 * The simulator's view of one WebSocket connection, whatever carries it (the `ws` package on
 * the network transport, an in-process pair on the memory transport).
 */
export interface ServerSocket {
  /** Sends a text or binary frame. Sending on a closed socket is a no-op, as in ComfyUI (errors are logged and skipped). */
  send(data: string | Uint8Array): void;
  /** Drops the connection without a close frame (the client sees 1006). */
  terminate(): void;
  /** Closes with a close frame. */
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
}

export interface ServerSocketHandlers {
  onMessage(data: string | Uint8Array): void;
  onClose(code: number): void;
}

/** What a transport asks of the simulator when a client opens `/ws`. */
export interface UpgradeRequest {
  path: string;
  query: URLSearchParams;
}

export type UpgradeDecision =
  | { accept: true; attach: (socket: ServerSocket) => ServerSocketHandlers }
  | { accept: false; status: number; reason: string };
