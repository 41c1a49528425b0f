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
  const envelope = messageEnvelope.safeParse(value);
  if (!envelope.success) {
    return { ok: false, error: `not a {type, data} message: ${z.prettifyError(envelope.error)}` };
  }
  const { type, data } = envelope.data;
  if (!isKnownServerMessageType(type)) return { ok: true, message: { type, data, unknown: true } };
  const parsed = knownServerMessages[type].safeParse(value);
  if (!parsed.success) return { ok: false, error: `invalid ${type} message: ${z.prettifyError(parsed.error)}` };
  return { ok: true, message: parsed.data as KnownServerMessage };
}

/** Serialises like Python's `json.dumps` defaults: `", "` and `": "` separators, non-ASCII as \uXXXX. */
export function encodeServerMessage(message: { type: string; data: unknown }): string {
  return pythonJsonDumps(message);
}

export function pythonJsonDumps(value: unknown): string {
  const compact = JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  if (compact === undefined) return 'null';
  // Python's separators outside strings; non-ASCII (only ever inside strings) as \uXXXX. Two
  // regular expressions rather than a loop over characters: the loop spent seconds on the 5 MiB
  // frame of the `oversized` fault, stalling every scenario sharing the process (issue 11).
  return compact
    .replace(/"(?:[^"\\]+|\\.)*"|[,:]/g, (token) => (token === ',' ? ', ' : token === ':' ? ': ' : token))
    .replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}
