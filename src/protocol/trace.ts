import { z } from 'zod';

/**
 * One line of a run's trace (JSON lines). The simulator writes the server's ground truth; the
 * harness adds client events and toxics. Reports, verdicts and replays are made from traces.
 * `t` is the run's clock (virtual or real) in ms since the run started; `wall` is Date.now().
 */
const base = {
  seq: z.number().int().nonnegative(),
  t: z.number(),
  wall: z.number(),
  /** Which simulated server (1-based) wrote it, when a run has several. */
  server: z.number().int().positive().optional(),
};

/** A frame on the wire: text as is, binary as base64 (or only its size and digest when large). */
export const traceFrame = z.union([
  z.object({ text: z.string() }),
  z.object({ base64: z.string(), bytes: z.number().int() }),
  z.object({ digest: z.string(), bytes: z.number().int() }),
]);
export type TraceFrame = z.infer<typeof traceFrame>;

export const traceEvent = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('ws_connect'), conn: z.number().int(), clientId: z.string().nullable(), sid: z.string() }),
  z.object({ ...base, kind: z.literal('ws_refused'), status: z.number().int(), clientId: z.string().nullable() }),
  z.object({
    ...base,
    kind: z.literal('ws_send'),
    conn: z.number().int(),
    frame: traceFrame,
    /** The message type of a JSON frame, `binary` for binary frames, null when the text is not a message. */
    msgType: z.string().nullable(),
    promptId: z.string().nullable(),
  }),
  z.object({ ...base, kind: z.literal('ws_recv'), conn: z.number().int(), frame: traceFrame }),
  z.object({
    ...base,
    kind: z.literal('ws_close'),
    conn: z.number().int(),
    code: z.number().int(),
    by: z.enum(['server', 'client']),
  }),
  z.object({
    ...base,
    kind: z.literal('http'),
    method: z.string(),
    path: z.string(),
    query: z.string(),
    status: z.number().int(),
    request: z.string().optional(),
    response: z.string().optional(),
    /** Set when a fault shaped this answer. */
    fault: z.string().optional(),
  }),
  z.object({ ...base, kind: z.literal('fault'), fault: z.string(), faultType: z.string(), detail: z.string().optional() }),
  z.object({
    ...base,
    kind: z.literal('prompt'),
    /** The server-side life of a prompt: ground truth for the oracle. */
    event: z.enum(['queued', 'started', 'success', 'error', 'interrupted', 'lost', 'history_written', 'deleted']),
    promptId: z.string(),
    number: z.number().optional(),
    clientId: z.string().nullable().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    /** On `success`: every file its outputs name, with the SHA-256 of the bytes `/view` serves (right-outputs matches delivered bytes against them). */
    files: z
      .array(z.object({ filename: z.string(), subfolder: z.string(), type: z.string(), sha256: z.string(), bytes: z.number().int().nonnegative() }))
      .optional(),
  }),
  z.object({ ...base, kind: z.literal('server'), event: z.enum(['start', 'stop', 'restart_down', 'restart_up']), detail: z.string().optional() }),
  z.object({ ...base, kind: z.literal('client'), client: z.string(), event: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('toxic'), action: z.string(), detail: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('note'), message: z.string() }),
  /**
   * Something went wrong inside the simulator or the harness itself (a bug of ours, never the
   * client's): `where` names the part (`http`, `ws`, `engine`, `harness`), `stack` its stack. A run
   * whose trace holds one ends with the verdict `harness-error`.
   */
  z.object({ ...base, kind: z.literal('internal_error'), where: z.string(), message: z.string(), stack: z.string().optional() }),
]);
export type TraceEvent = z.infer<typeof traceEvent>;
export type TraceKind = TraceEvent['kind'];

/** A trace event before the recorder stamps it. */
export type TraceEventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 't' | 'wall' | 'server'> : never) : never;
