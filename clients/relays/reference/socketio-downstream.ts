/**
 * Socket.IO downstream on the relay's own HTTP server (path `/socket.io`). A browser connects
 * with `auth: { clientId }` and is put in room `user:<clientId>`; on every (re)connect it gets
 * `active_tasks`, then every result not yet acknowledged. Results (`imageResult`, `error`) are
 * emitted with an acknowledgement and stay in the user's outbox until one socket of that user
 * acknowledges them; `progress` is best-effort (no ack, not kept).
 *
 * `error` is an ordinary event name in Socket.IO 4 (the reserved ones are `connect`,
 * `connect_error`, `disconnect`, `disconnecting`, `newListener`, `removeListener`), so every
 * message is emitted under its `type`.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ActiveTask } from './jobs.ts';
import type { Downstream, RelayMessage, ResultMessage } from './messages.ts';
import { BoundedOutbox } from './outbox.ts';

export interface SocketIoDownstreamOptions {
  httpServer: HttpServer;
  /** A user's unfinished jobs, sent as `active_tasks` on connect. */
  activeTasks: (clientId: string) => ActiveTask[];
  log: (line: string) => void;
  /** [options.ackTimeoutMs=10000] A result not acknowledged by then stays in the outbox for the next connect. */
  ackTimeoutMs?: number;
  /** [options.outboxCapPerUser=1000] Unacknowledged results kept per user. */
  outboxCapPerUser?: number;
}

/** Same rule as the submit API's, so a room name is always a clientId the relay accepts. */
export const clientIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

export class SocketIoDownstream implements Downstream {
  readonly io: Server;
  /** clientId -> prompt id -> its result, until acknowledged. */
  private readonly outbox: BoundedOutbox<ResultMessage>;
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: SocketIoDownstreamOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.outbox = new BoundedOutbox<ResultMessage>({
      capPerUser: options.outboxCapPerUser ?? 1000,
      dropped: (user, promptId) => options.log(`socket.io outbox of ${user} is full: dropped the unacknowledged result of ${promptId}`),
    });
    this.io = new Server(options.httpServer, { serveClient: false, cors: { origin: '*' } });
    this.io.use((socket, next) => {
      const clientId: unknown = socket.handshake.auth?.clientId;
      if (typeof clientId !== 'string' || clientId === '') return next(new Error('auth.clientId is required'));
      if (!clientIdPattern.test(clientId)) return next(new Error('auth.clientId must be 1-128 characters of A-Z a-z 0-9 . _ -'));
      socket.data.clientId = clientId;
      next();
    });
    this.io.on('connection', (socket) => this.connected(socket));
  }

  deliver(clientId: string, message: RelayMessage): void {
    if (message.type === 'progress') {
      this.io.to(room(clientId)).emit('progress', message);
      return;
    }
    // Kept before it is sent: a socket that drops before acking gets it again on its next connect.
    this.outbox.add(clientId, message.prompt_id, message);
    for (const socket of this.socketsOf(clientId)) this.sendResult(socket, clientId, message);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  private connected(socket: Socket): void {
    const clientId = socket.data.clientId as string;
    void socket.join(room(clientId));
    socket.emit('active_tasks', this.options.activeTasks(clientId));
    for (const [, message] of this.outbox.entries(clientId)) this.sendResult(socket, clientId, message);
  }

  private sendResult(socket: Socket, clientId: string, message: ResultMessage): void {
    socket.timeout(this.ackTimeoutMs).emit(message.type, message, (error: Error | null) => {
      // No ack in time: kept, and sent again when the user next connects.
      if (!error) this.outbox.remove(clientId, message.prompt_id);
    });
  }

  private socketsOf(clientId: string): Socket[] {
    const ids = this.io.sockets.adapter.rooms.get(room(clientId));
    if (!ids) return [];
    return [...ids].flatMap((id) => this.io.sockets.sockets.get(id) ?? []);
  }
}

function room(clientId: string): string {
  return `user:${clientId}`;
}
