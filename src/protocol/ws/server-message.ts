import { z } from 'zod';
import { statusMessage } from './status.ts';
import { featureFlagsMessage } from './feature-flags.ts';
import { executionStartMessage } from './execution-start.ts';
import { executionCachedMessage } from './execution-cached.ts';
import { executingMessage } from './executing.ts';
import { progressMessage } from './progress.ts';
import { progressStateMessage } from './progress-state.ts';
import { executedMessage } from './executed.ts';
import { executionSuccessMessage } from './execution-success.ts';
import { executionErrorMessage } from './execution-error.ts';
import { executionInterruptedMessage } from './execution-interrupted.ts';
import { logsMessage } from './logs.ts';

/** Every JSON message type ComfyUI 0.3.64 core sends, by its `type`. */
export const knownServerMessages = {
  status: statusMessage,
  feature_flags: featureFlagsMessage,
  execution_start: executionStartMessage,
  execution_cached: executionCachedMessage,
  executing: executingMessage,
  progress: progressMessage,
  progress_state: progressStateMessage,
  executed: executedMessage,
  execution_success: executionSuccessMessage,
  execution_error: executionErrorMessage,
  execution_interrupted: executionInterruptedMessage,
  logs: logsMessage,
} as const;

export type KnownServerMessageType = keyof typeof knownServerMessages;
export const knownServerMessageTypes = Object.keys(knownServerMessages) as KnownServerMessageType[];

export const knownServerMessage = z.discriminatedUnion('type', [
  statusMessage,
  featureFlagsMessage,
  executionStartMessage,
  executionCachedMessage,
  executingMessage,
  progressMessage,
  progressStateMessage,
  executedMessage,
  executionSuccessMessage,
  executionErrorMessage,
  executionInterruptedMessage,
  logsMessage,
]);
export type KnownServerMessage = z.infer<typeof knownServerMessage>;

/**
 * A message of a type this library does not know (`crystools.monitor`, `display_component`, a
 * newer core type). Representable, never rejected: forward compatibility.
 */
export interface UnknownServerMessage {
  type: string;
  data: unknown;
  unknown: true;
}

export type ServerMessage = KnownServerMessage | UnknownServerMessage;

/** The envelope every text frame has: `{"type": string, "data": ...}`. */
export const messageEnvelope = z.object({ type: z.string(), data: z.unknown() });

export type ParseResult =
  | { ok: true; message: ServerMessage }
  | { ok: false; error: string };

export function isKnownServerMessageType(type: string): type is KnownServerMessageType {
  return Object.prototype.hasOwnProperty.call(knownServerMessages, type);
}

/**
 * Validates an already-decoded JSON value as a server message. Known types must match their
 * schema; unknown types are returned as {@link UnknownServerMessage}. Never throws.
 */
export function parseServerMessage(value: unknown): ParseResult {
  // The envelope checked by hand (an object with a string `type`, what messageEnvelope accepts);
  // zod runs only to word the error of a frame that is not one (issue 15: every frame passes here).
  if (!isEnvelope(value)) {
    const envelope = messageEnvelope.safeParse(value);
    return { ok: false, error: `not a {type, data} message: ${envelope.success ? 'no string type' : z.prettifyError(envelope.error)}` };
  }
  const { type, data } = value;
  if (!isKnownServerMessageType(type)) return { ok: true, message: { type, data, unknown: true } };
  const parsed = knownServerMessages[type].safeParse(value);
  if (!parsed.success) return { ok: false, error: `invalid ${type} message: ${z.prettifyError(parsed.error)}` };
  return { ok: true, message: parsed.data as KnownServerMessage };
}

function isEnvelope(value: unknown): value is { type: string; data: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

/** Serialises like Python's `json.dumps` defaults: `", "` and `": "` separators, non-ASCII as \uXXXX. */
export function encodeServerMessage(message: { type: string; data: unknown }): string {
  return pythonJsonDumps(message);
}

export function pythonJsonDumps(value: unknown): string {
  // JSON.stringify writes NaN and +-Infinity as null by itself; without a replacer it takes V8's fast path.
  const compact = JSON.stringify(value);
  if (compact === undefined) return 'null';
  // Non-ASCII (only ever inside strings) as \uXXXX, by a regular expression: a loop over every
  // character spent seconds on the 5 MiB frame of the `oversized` fault (issue 11).
  return pythonSeparators(compact).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Python's `", "` and `": "` separators outside strings. A string is skipped from quote to
 * closing quote with indexOf, so a frame costs one step per token and a long string one search
 * (issue 15: the regular expression with a callback per token was the frame encoder's main cost).
 */
function pythonSeparators(json: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      let end = json.indexOf('"', i + 1);
      while (isEscaped(json, end)) end = json.indexOf('"', end + 1);
      i = end;
    } else if (c === COMMA || c === COLON) {
      out += json.slice(from, i + 1) + ' ';
      from = i + 1;
    }
  }
  return from === 0 ? json : out + json.slice(from);
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;

/** Whether the quote at `at` is escaped: an odd number of backslashes before it. */
function isEscaped(text: string, at: number): boolean {
  let k = at - 1;
  while (text.charCodeAt(k) === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}
