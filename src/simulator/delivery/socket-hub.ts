import { clientFeatureFlagsMessage, encodeServerMessage } from '../../protocol/index.ts';
import type { Clock, TimerHandle } from '../../protocol/index.ts';
import type { FaultInjector, Emission } from '../faults/fault-injector.ts';
import type { SeededRandom } from '../random.ts';
import { digestFrameOf, traceFrameOf, type TraceRecorder } from '../trace/trace-recorder.ts';
import type { ServerSocket, ServerSocketHandlers } from '../transport/server-socket.ts';
import { serverFeatureFlags } from '../http/info-routes.ts';

/** One accepted WebSocket. */
export interface Connection {
  conn: number;
  sid: string;
  clientId: string | null;
  socket: ServerSocket;
  /** Flags the client sent in its first valid-JSON text frame, if it was `feature_flags`. */
  flags: Record<string, unknown> | null;
  /** The first valid-JSON text frame has been seen (the feature_flags slot is used). */
  flagsSlotUsed: boolean;
}


interface Outgoing extends Emission {
  /** sid of the target; null broadcasts to every registered socket. */
  target: string | null;
  /** Send to this connection only, skipping the queue (the connect-time status and replies). */
  direct?: Connection;
  binary?: Uint8Array;
  /** The frame's exact text when it is not the message's encoding (a recorded frame: number forms, a BOM). */
  text?: string;
  /** Frames already planned by the fault injector (a message held by a stall is planned once). */
  planned?: { frames: Array<string | Uint8Array>; hold: boolean };
}

export interface SocketHubEvents {
  /** The frames to send on connect after `status` (the executing replay), for this sid. */
  replayFor(sid: string): Array<{ type: string; data: unknown }>;
  queueRemaining(): number;
  /**
   * The server's `feature_flags` reply; null when the release has no negotiation (it then never
   * answers a client's flags). [default 0.3.64's flags]
   */
  serverFeatureFlags?(): Record<string, unknown> | null;
}

/**
 * The sockets table and the publish loop. Like ComfyUI: a table from sid to the latest socket,
 * targeted sends to a sid that is not connected are dropped, broadcasts reach only the sockets
 * connected right now, and one FIFO feeds every socket (so a stalled peer stalls everyone).
 */
export class SocketHub {
  private readonly table = new Map<string, Connection>();
  private readonly open = new Set<Connection>();
  private nextConn = 1;
  private silentUntil = 0;
  private stalledUntil = 0;
  private stallTimer: TimerHandle | undefined;
  private readonly stalled: Outgoing[] = [];
  private deafArmed = false;
  private readonly seenClientIds = new Set<string>();
  private held: { frames: Array<string | Uint8Array>; targets: Connection[] } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly trace: TraceRecorder,
    private readonly random: SeededRandom,
    private readonly injector: FaultInjector,
    private readonly events: SocketHubEvents,
    /** Bytes of client frames the trace keeps whole; later ones are kept as digests [default unlimited]. */
    private clientFrameBudget = Number.POSITIVE_INFINITY,
  ) {}

  /** Connections currently registered in the table (what broadcasts reach). */
  registered(): Connection[] {
    return [...this.table.values()];
  }

  hasSid(sid: string): boolean {
    return this.table.has(sid);
  }

  flagsOf(sid: string): Record<string, unknown> | null {
    return this.table.get(sid)?.flags ?? null;
  }

  /** Accepts a socket: registers it, sends `status` with its sid, then the executing replay. */
  attach(clientId: string | null, socket: ServerSocket): ServerSocketHandlers {
    const sid = clientId && clientId.length > 0 ? clientId : this.random.uuid4Hex();
    const connection: Connection = { conn: this.nextConn++, sid, clientId, socket, flags: null, flagsSlotUsed: false };
    this.open.add(connection);
    this.table.set(sid, connection);
    this.trace.record({ kind: 'ws_connect', conn: connection.conn, clientId, sid });
    this.injector.onConnect();
    const deaf = this.deafArmed && clientId !== null && this.seenClientIds.has(clientId);
    if (clientId !== null) this.seenClientIds.add(clientId);
    this.send({
      message: { type: 'status', data: { status: { exec_info: { queue_remaining: this.events.queueRemaining() } }, sid } },
      target: sid,
      direct: connection,
    });
    for (const message of this.events.replayFor(sid)) this.send({ message, target: sid, direct: connection });
    if (deaf) {
      // ComfyUI#16010: the old handler's cleanup removes the sid after the new socket registered.
      this.deafArmed = false;
      if (this.table.get(sid) === connection) this.table.delete(sid);
      this.trace.record({ kind: 'note', message: `connection ${connection.conn} (sid ${sid}) is deaf: unregistered by the old handler (ComfyUI#16010)` });
    }
    return {
      onMessage: (data) => this.receive(connection, data),
      onClose: (code) => this.closed(connection, code, 'client'),
    };
  }

  private receive(connection: Connection, data: string | Uint8Array): void {
    this.trace.record({ kind: 'ws_recv', conn: connection.conn, frame: this.clientFrameForTrace(data) });
    if (typeof data !== 'string' || connection.flagsSlotUsed) return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return; // not JSON: the slot stays free
    }
    const serverFlags = this.events.serverFeatureFlags ? this.events.serverFeatureFlags() : serverFeatureFlags;
    if (serverFlags === null) return; // a release before feature flags reads no client frame at all
    connection.flagsSlotUsed = true;
    const flags = clientFeatureFlagsMessage.safeParse(value);
    if (!flags.success) return;
    connection.flags = flags.data.data;
    this.send({ message: { type: 'feature_flags', data: structuredClone(serverFlags) }, target: connection.sid, direct: connection });
  }

  /** A client that floods frames cannot fill the trace: past the budget only digests are kept. */
  private clientFrameForTrace(data: string | Uint8Array): ReturnType<typeof traceFrameOf> {
    if (this.clientFrameBudget === Number.POSITIVE_INFINITY) return traceFrameOf(data);
    const frame = this.clientFrameBudget > 0 ? traceFrameOf(data) : digestFrameOf(data);
    if (this.clientFrameBudget > 0) {
      this.clientFrameBudget -= data.length;
      if (this.clientFrameBudget <= 0) {
        this.trace.record({ kind: 'note', message: 'limit: maxTracedClientFrameBytes reached: later frames from clients are kept in the trace as digests only' });
      }
    }
    return frame;
  }

  private closed(connection: Connection, code: number, by: 'server' | 'client'): void {
    if (!this.open.delete(connection)) return;
    // The handler's cleanup removes the sid unconditionally (which is what makes #16010 possible);
    // we only remove it if it still points at this connection.
    if (this.table.get(connection.sid) === connection) this.table.delete(connection.sid);
    this.trace.record({ kind: 'ws_close', conn: connection.conn, code, by });
  }

  /** Queues a JSON message for a sid (or every socket with `target: null`); `text` is sent instead of its encoding when given. */
  emit(message: { type: string; data: unknown }, target: string | null, promptIndex?: number, text?: string): void {
    this.send({ message, target, promptIndex, ...(text !== undefined ? { text } : {}) });
  }

  /** Queues a binary frame (previews). Binary frames are not messages: triggers do not count them. */
  emitBinary(bytes: Uint8Array, target: string | null): void {
    this.send({ message: { type: 'binary', data: null }, target, binary: bytes });
  }

  private send(out: Outgoing): void {
    if (!out.direct && this.clock.now() < this.stalledUntil) {
      this.stalled.push(out);
      return;
    }
    this.dispatch(out);
  }

  private dispatch(out: Outgoing): void {
    const plan =
      out.planned ??
      (out.binary ? { frames: [out.binary], hold: false } : this.injector.planFrames(out, [out.text ?? encodeServerMessage(out.message)]));
    if (!out.direct && this.clock.now() < this.stalledUntil) {
      // A `before` trigger of this very message may have stalled the loop.
      this.stalled.push({ ...out, planned: plan });
      return;
    }
    const { frames, hold } = plan;
    const targets = this.targetsOf(out);
    const previouslyHeld = this.held;
    this.held = null;
    if (hold) this.held = { frames, targets };
    else this.write(frames, targets, out);
    if (previouslyHeld) this.write(previouslyHeld.frames, previouslyHeld.targets, out);
    if (!out.binary) this.injector.afterEmission(out);
  }

  private targetsOf(out: Outgoing): Connection[] {
    if (out.direct) return out.direct.socket.isOpen ? [out.direct] : [];
    if (out.target === null) return [...this.table.values()];
    const connection = this.table.get(out.target);
    return connection ? [connection] : [];
  }

  private write(frames: Array<string | Uint8Array>, targets: Connection[], out: Outgoing): void {
    if (this.clock.now() < this.silentUntil) return;
    const promptId = promptIdOf(out.message.data);
    // What the trace says about a frame depends on the frame only: work it out once, not once per
    // socket (a broadcast to 1,000 sockets would base64 a preview 1,000 times). The events of one
    // frame share its (read-only) TraceFrame.
    const traced = frames.map((frame) => ({
      frame: traceFrameOf(frame),
      msgType: typeof frame === 'string' ? messageTypeOf(frame) : 'binary',
    }));
    for (const target of targets) {
      if (!target.socket.isOpen) continue;
      for (let i = 0; i < frames.length; i++) {
        target.socket.send(frames[i]!);
        this.trace.record({ kind: 'ws_send', conn: target.conn, frame: traced[i]!.frame, msgType: traced[i]!.msgType, promptId });
      }
    }
  }

  terminateAll(): void {
    for (const connection of [...this.open]) {
      connection.socket.terminate();
      this.closed(connection, 1006, 'server');
    }
  }

  closeAll(code: number, reason: string): void {
    for (const connection of [...this.open]) {
      connection.socket.close(code, reason);
      this.closed(connection, code, 'server');
    }
  }

  /** Sockets stay open but receive nothing for `durationMs` (0: until the run ends). */
  silence(durationMs: number): void {
    this.silentUntil = durationMs === 0 ? Number.POSITIVE_INFINITY : this.clock.now() + durationMs;
  }

  /** The publish loop is stuck on one peer for `durationMs` (0: for ever); queued frames go out afterwards. */
  stall(durationMs: number): void {
    this.stalledUntil = durationMs === 0 ? Number.POSITIVE_INFINITY : this.clock.now() + durationMs;
    this.clock.clearTimeout(this.stallTimer);
    if (durationMs > 0) this.stallTimer = this.clock.setTimeout(() => this.flushStalled(), durationMs);
  }

  private flushStalled(): void {
    this.stalledUntil = 0;
    const queued = this.stalled.splice(0);
    for (const out of queued) this.dispatch(out);
  }

  deafNextReconnect(): void {
    this.deafArmed = true;
  }

  /** Drops queued state on a restart: held and stalled frames die with the process. */
  reset(): void {
    this.stalled.length = 0;
    this.held = null;
    this.stalledUntil = 0;
    this.silentUntil = 0;
    this.clock.clearTimeout(this.stallTimer);
  }
}

function promptIdOf(data: unknown): string | null {
  if (typeof data === 'object' && data !== null && typeof (data as { prompt_id?: unknown }).prompt_id === 'string') {
    return (data as { prompt_id: string }).prompt_id;
  }
  return null;
}

function messageTypeOf(text: string): string | null {
  const match = /^\{"type": "([^"]*)"/.exec(text);
  return match ? match[1]! : null;
}
