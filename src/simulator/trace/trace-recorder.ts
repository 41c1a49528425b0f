import { createHash } from 'node:crypto';
import type { Clock, TraceEvent, TraceEventInput, TraceFrame } from '../../protocol/index.ts';

/** Binary frames up to this size are kept whole (base64) in the trace; larger ones as a digest. */
const INLINE_BINARY_LIMIT_BYTES = 4096;
/** Text frames above this size are kept as a digest, so a 5 MiB oversized frame does not bloat the trace. */
const INLINE_TEXT_LIMIT_CHARS = 64 * 1024;

export type TraceListener = (event: TraceEvent) => void;

/**
 * Stamps events with a sequence number, the run's clock (ms since start) and wall time, keeps
 * them in memory and hands each to listeners (a JSON-lines file writer, the harness).
 */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private seq = 0;
  private readonly listeners: TraceListener[] = [];
  private readonly startMs: number;

  constructor(private readonly clock: Clock, private readonly keepInMemory = true) {
    this.startMs = clock.now();
  }

  /** A view that tags every event with a server index, for runs with several simulators sharing one trace. */
  forServer(server: number): TraceRecorder {
    const view = Object.create(this) as TraceRecorder;
    view.record = (input) => this.record(input, server);
    return view;
  }

  record(input: TraceEventInput, server?: number): TraceEvent {
    // Same object as `{ ...input, seq, t, wall }` (same keys, same order), built with
    // Object.assign because spread-plus-properties costs ~3 us per event in V8 (Node 20) and this
    // runs once per frame per socket: it was the largest cost of a 1,000-socket broadcast
    // (bench/simulator-fanout.ts).
    const event = Object.assign({}, input) as TraceEvent;
    event.seq = this.seq++;
    event.t = this.clock.now() - this.startMs;
    event.wall = Date.now();
    if (server !== undefined) event.server = server;
    if (this.keepInMemory) this.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Milliseconds since the run started, on the run's clock. */
  elapsed(): number {
    return this.clock.now() - this.startMs;
  }

  onEvent(listener: TraceListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}

export function traceFrameOf(data: string | Uint8Array): TraceFrame {
  if (typeof data === 'string') {
    if (data.length <= INLINE_TEXT_LIMIT_CHARS) return { text: data };
    return { digest: createHash('sha256').update(data).digest('hex'), bytes: Buffer.byteLength(data) };
  }
  if (data.length <= INLINE_BINARY_LIMIT_BYTES) return { base64: Buffer.from(data).toString('base64'), bytes: data.length };
  return { digest: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** A frame as its digest and size only, whatever its size (for frames past a trace budget). */
export function digestFrameOf(data: string | Uint8Array): TraceFrame {
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return { digest: createHash('sha256').update(data).digest('hex'), bytes };
}

/** JSON lines, one event a line. */
export function traceToJsonLines(events: readonly TraceEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}
