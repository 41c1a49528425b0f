import { z } from 'zod';
import { boundedCount, boundedMs, boundedText, positiveMs, scenarioLimits } from './scenario-limits.ts';
import { strictObject } from './strict-object.ts';

/**
 * The fault vocabulary of design.md as data. A scenario file's `faults` list is a
 * {@link FaultSchedule}; the simulator applies the frame, connection and HTTP faults, the harness
 * applies the network ones through Toxiproxy. Units are in field names; zero is explained where
 * it has a meaning.
 */

const serverMessageTypeName = z.string().min(1).max(scenarioLimits.name);

/** When a fault fires. */
export const trigger = z.discriminatedUnion('on', [
  /** `afterMs` after the simulator started (virtual or real time); in harness runs, after the client under test is up (as jobs' `submitAtMs`). */
  strictObject({ on: z.literal('time'), afterMs: boundedMs() }),
  /**
   * Around a server message: `before` means the fault applies to that very frame (or to the
   * connection just before it is sent); `after` means right after it was sent.
   * `prompt` is the 1-based index of the prompt in acceptance order (any prompt if absent);
   * `occurrence` is the n-th matching message, 1-based [default 1].
   * A message matches when the server emits it, whoever it goes to: broadcasts (`status`,
   * `progress` of a prompt without client_id) and messages to a sid with no socket count too. A
   * message the server never emits does not: ComfyUI sends `execution_start`, `executing`,
   * `executed` and `execution_success` only to the prompt's client, so for a prompt submitted
   * without client_id they never come. Use a `prompt` or `node` trigger for a phase of the job.
   */
  strictObject({
    on: z.literal('message'),
    when: z.enum(['before', 'after']).default('before'),
    type: serverMessageTypeName,
    prompt: boundedCount().optional(),
    occurrence: boundedCount().default(1),
  }),
  /**
   * A phase of a prompt on the server, for every client (whatever it sent as client_id):
   * `started`: the engine takes the prompt off the queue, just before `execution_start`;
   * `finished`: the engine is done with it, just before its terminal `execution_*` message
   * (success, error or interrupted);
   * `history_written`: its history entry was just written, before the final `status` and
   * `executing {node: null}`. `prompt` and `occurrence` as for `message`.
   */
  strictObject({
    on: z.literal('prompt'),
    event: z.enum(['started', 'finished', 'history_written']),
    prompt: boundedCount().optional(),
    occurrence: boundedCount().default(1),
  }),
  /**
   * A node of a prompt on the server, for every client: `started` just before the node's
   * `progress_state`/`executing`; `finished` when its output exists, just before its `executed`
   * (a cached output node finishes too, without starting). `node` is the node id in the prompt
   * (any node if absent); `outputNode: true` matches only output nodes (SaveImage, PreviewAny...).
   */
  strictObject({
    on: z.literal('node'),
    event: z.enum(['started', 'finished']),
    node: z.string().min(1).max(scenarioLimits.name).optional(),
    outputNode: z.boolean().optional(),
    prompt: boundedCount().optional(),
    occurrence: boundedCount().default(1),
  }),
  /** On the n-th WebSocket connection (1-based), as it is accepted. */
  strictObject({ on: z.literal('connect'), occurrence: boundedCount() }),
  /** After `count` JSON frames have been sent in total. */
  strictObject({ on: z.literal('frames'), count: z.number().int().nonnegative().max(scenarioLimits.count, `at most ${scenarioLimits.count}`) }),
  /** On the n-th HTTP request whose path (without `/api`) matches `path` exactly or as a prefix ending in `*`. */
  strictObject({
    on: z.literal('request'),
    path: boundedText().min(1),
    method: z.string().max(scenarioLimits.name).optional(),
    occurrence: boundedCount().default(1),
  }),
]);
export type Trigger = z.infer<typeof trigger>;

const envelope = {
  /** What fires the fault. */
  at: trigger,
  /** A short label for reports; defaults to a description of the fault. */
  label: boundedText().optional(),
};

// --- frame faults (applied by the simulator to the frames it sends) ---
/** How many consecutive frames a frame fault alters, starting at the trigger [default 1]. */
const frames = z.number().int().positive().max(scenarioLimits.frames, `at most ${scenarioLimits.frames} frames`).default(1);

export const frameFault = z.discriminatedUnion('type', [
  /** UTF-8 BOM before the JSON text. */
  strictObject({ type: z.literal('bom'), ...envelope, frames }),
  /** Text (`garbage`, default `"\u0000xx"`) before the `{`. */
  strictObject({ type: z.literal('garbage_prefix'), ...envelope, frames, garbage: boundedText().default('garbage') }),
  /** A text heartbeat frame (`ping`, `pong` or `heartbeat`) is sent before the frame. */
  strictObject({ type: z.literal('heartbeat'), ...envelope, frames, text: z.enum(['ping', 'pong', 'heartbeat']).default('ping') }),
  /** The JSON is cut to `keepRatio` of its length; the rest is lost. */
  strictObject({ type: z.literal('truncate'), ...envelope, frames, keepRatio: z.number().gt(0).lt(1).default(0.5) }),
  /** A non-JSON text frame is sent before the frame. */
  strictObject({ type: z.literal('non_json'), ...envelope, frames, text: boundedText().default('<html>502 Bad Gateway</html>') }),
  /** The frame is sent twice. */
  strictObject({ type: z.literal('duplicate'), ...envelope, frames }),
  /** The frame is not sent. */
  strictObject({ type: z.literal('drop'), ...envelope, frames }),
  /** The frame is held and sent after the next one. */
  strictObject({ type: z.literal('reorder'), ...envelope, frames }),
  /** A message of an unknown type (`messageType`, default `crystools.monitor`) is broadcast before the frame. */
  strictObject({ type: z.literal('unknown_type'), ...envelope, frames, messageType: z.string().max(scenarioLimits.name).default('crystools.monitor') }),
  /** Extra fields are added to the frame's `data`. */
  strictObject({ type: z.literal('extra_fields'), ...envelope, frames }),
  /** A binary preview frame (type 1, JPEG) is sent before the frame. */
  strictObject({ type: z.literal('binary_preview'), ...envelope, frames }),
  /** A frame of `bytes` bytes (an unknown message type carrying padding) is sent before the frame. */
  strictObject({ type: z.literal('oversized'), ...envelope, frames, bytes: z.number().int().positive().max(scenarioLimits.oversizedBytes, `at most ${scenarioLimits.oversizedBytes} bytes (64 MiB)`).default(5 * 1024 * 1024) }),
]);

// --- connection faults ---
export const connectionFault = z.discriminatedUnion('type', [
  /** Drops every socket without a close frame; clients see 1006. */
  strictObject({ type: z.literal('terminate'), ...envelope }),
  /** Closes every socket with a close frame carrying `code`. */
  strictObject({ type: z.literal('close'), ...envelope, code: z.number().int().min(1000).max(4999).default(1001), reason: z.string().max(123, 'a close reason is at most 123 bytes (RFC 6455)').default('') }),
  /** Answers WebSocket upgrades with HTTP 503 for `durationMs`. */
  strictObject({ type: z.literal('refuse_upgrades'), ...envelope, durationMs: positiveMs(), status: z.number().int().min(100).max(599).default(503) }),
  /** Keeps sockets open but sends nothing for `durationMs`; 0 = until the run ends (half-open). Frames held are dropped. */
  strictObject({ type: z.literal('silence'), ...envelope, durationMs: boundedMs() }),
  /**
   * Restarts the server: every socket is terminated, nothing answers for `downMs`, then a new
   * instance with a new sid comes up. `loseState` drops queue, history and caches (as a real restart does).
   */
  strictObject({ type: z.literal('restart'), ...envelope, downMs: boundedMs().default(1000), loseState: z.boolean().default(true) }),
  /** ComfyUI#16010: the next same-clientId reconnect gets a socket that receives nothing. */
  strictObject({ type: z.literal('deaf_reconnect'), ...envelope }),
  /** ComfyUI#15240: one stalled peer blocks delivery to all sockets for `durationMs` (0 = for ever); HTTP keeps working. */
  strictObject({ type: z.literal('stalled_peer'), ...envelope, durationMs: boundedMs() }),
]);

// --- HTTP faults ---
const times = boundedCount().default(1);
export const httpFault = z.discriminatedUnion('type', [
  /** The next `times` requests to `path` answer `status` (5xx, 429, ...). */
  strictObject({ type: z.literal('http_status'), ...envelope, path: boundedText(), status: z.number().int().min(400).max(599), times }),
  /** The next `times` requests to `path` are answered after `delayMs`. */
  strictObject({ type: z.literal('http_delay'), ...envelope, path: boundedText(), delayMs: positiveMs(), times }),
  /** The next `times` requests to `path` are never answered (the client must time out). */
  strictObject({ type: z.literal('http_hang'), ...envelope, path: boundedText(), times }),
  /**
   * ComfyUI#11540: the worker reaches `task_done` `delayMs` after the terminal `execution_*`
   * message. Meanwhile the prompt stays in `/queue`'s `queue_running` and is not in `/history`;
   * the final `status` and `executing {node: null}` come only once history is written. A client
   * that reads `/history` on `execution_success` finds nothing; one that waits for
   * `executing {node: null}`, or reads `/queue` before `/history`, is right.
   */
  strictObject({ type: z.literal('history_late'), ...envelope, delayMs: positiveMs() }),
  /**
   * Not ComfyUI: reads of `/history` come from a replica that lags `delayMs` behind the queue
   * (a second server behind a load balancer, a cache in front of ComfyUI). The prompt leaves
   * `/queue`, the final `status` and `executing {node: null}` are sent, and only `delayMs` later
   * does `/history` show the entry: for a while it is in neither.
   */
  strictObject({ type: z.literal('history_replica_lag'), ...envelope, delayMs: positiveMs() }),
]);

// --- network faults (Toxiproxy, applied by the harness) ---
export const toxicType = z.enum(['latency', 'bandwidth', 'slicer', 'reset_peer', 'timeout', 'limit_data', 'slow_close']);
export const networkFault = z.discriminatedUnion('type', [
  strictObject({
    type: z.literal('toxic'),
    ...envelope,
    toxic: toxicType,
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    /** Toxiproxy's own attributes for that toxic (latency, jitter, rate, timeout, bytes, ...). */
    attributes: z
      .record(z.string().max(scenarioLimits.name), z.number().int('Toxiproxy attributes are integers').nonnegative().max(scenarioLimits.toxicAttribute))
      .refine((a) => Object.keys(a).length <= 16, 'at most 16 attributes')
      .default({}),
    /** Removed after `durationMs`; 0 = stays until the run ends. */
    durationMs: boundedMs().default(0),
  }),
  /** Disables the proxy (live connections drop, new ones are refused) for `durationMs`. */
  strictObject({ type: z.literal('partition'), ...envelope, durationMs: positiveMs() }),
]);

export const fault = z.discriminatedUnion('type', [
  ...frameFault.options,
  ...connectionFault.options,
  ...httpFault.options,
  ...networkFault.options,
]);
export type Fault = z.infer<typeof fault>;
export type FaultInput = z.input<typeof fault>;
export type FaultType = Fault['type'];

export const faultSchedule = z
  .array(fault)
  .max(scenarioLimits.faults, `at most ${scenarioLimits.faults} faults in one schedule`)
  .superRefine((faults, ctx) => {
    // Each oversized frame is built in memory; together they must fit too.
    const total = faults.reduce((sum, f) => sum + (f.type === 'oversized' ? f.bytes * f.frames : 0), 0);
    if (total > scenarioLimits.oversizedTotalBytes) {
      ctx.addIssue({ code: 'custom', message: `the oversized faults send ${total} bytes in all (bytes x frames); at most ${scenarioLimits.oversizedTotalBytes} (256 MiB)` });
    }
  });
export type FaultSchedule = z.infer<typeof faultSchedule>;

export const frameFaultTypes = frameFault.options.map((o) => o.shape.type.value);
export const connectionFaultTypes = connectionFault.options.map((o) => o.shape.type.value);
export const httpFaultTypes = httpFault.options.map((o) => o.shape.type.value);
export const networkFaultTypes = networkFault.options.map((o) => o.shape.type.value);

export function isNetworkFault(f: Fault): f is z.infer<typeof networkFault> {
  return f.type === 'toxic' || f.type === 'partition';
}

/** One line per fault, for reports and shrunk schedules: `terminate before executed#2`. */
export function describeTrigger(t: Trigger): string {
  switch (t.on) {
    case 'time':
      return `at ${t.afterMs}ms`;
    case 'message':
      return `${t.when} ${t.type}${t.prompt ? ` of prompt ${t.prompt}` : ''}${t.occurrence > 1 ? ` #${t.occurrence}` : ''}`;
    case 'prompt':
      return `when prompt ${t.prompt ?? 'any'} ${t.event === 'history_written' ? 'has its history written' : t.event}${t.occurrence > 1 ? ` #${t.occurrence}` : ''}`;
    case 'node':
      return `when ${t.node ? `node ${t.node}` : t.outputNode ? 'an output node' : 'a node'} of prompt ${t.prompt ?? 'any'} ${t.event}${t.occurrence > 1 ? ` #${t.occurrence}` : ''}`;
    case 'connect':
      return `on connect #${t.occurrence}`;
    case 'frames':
      return `after ${t.count} frames`;
    case 'request':
      return `on ${t.method ?? ''}${t.method ? ' ' : ''}${t.path}${t.occurrence > 1 ? ` #${t.occurrence}` : ''}`;
  }
}

export function describeFault(f: Fault): string {
  return f.label ?? `${f.type === 'toxic' ? `toxic ${f.toxic}/${f.stream}` : f.type} ${describeTrigger(f.at)}`;
}
