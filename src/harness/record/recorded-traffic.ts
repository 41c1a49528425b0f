import type { TraceEvent } from '../../protocol/index.ts';
import { UPSTREAM_DROP, UPSTREAM_FAILURE } from './trace-markers.ts';

/**
 * Plain readings of a recorded trace that the import's parts share: the HTTP exchanges, the
 * sockets, and which answers the recording proxy made itself because the upstream failed.
 */

export type HttpEvent = Extract<TraceEvent, { kind: 'http' }>;
export type SendEvent = Extract<TraceEvent, { kind: 'ws_send' }>;
export type CloseEvent = Extract<TraceEvent, { kind: 'ws_close' }>;
export type RefusedEvent = Extract<TraceEvent, { kind: 'ws_refused' }>;

export const PROMPT_PATH = /^(\/api)?\/prompt\/?$/;
export const HISTORY_PATH = /^(\/api)?\/history(\/[^/]+)?\/?$/;
export const QUEUE_PATH = /^(\/api)?\/queue\/?$/;
export const SYSTEM_STATS_PATH = /^(\/api)?\/system_stats\/?$/;
export const TERMINAL_TYPES = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A body as JSON, or undefined when it is missing, cut short (`…`) or not JSON. */
export function jsonOf(text: string | undefined): unknown {
  if (text === undefined || text.endsWith('…')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A frame's text as a message: a BOM or whitespace around the JSON is allowed; anything else is null. */
export function messageOfText(text: string): { type: string; data: Record<string, unknown> } | null {
  const value = jsonOf(text.replace(/^\uFEFF/, ''));
  return isRecord(value) && typeof value.type === 'string' ? { type: value.type, data: isRecord(value.data) ? value.data : {} } : null;
}

/** Why a text frame is not one JSON document as sent, or null when it is one. */
export function malformedReason(text: string): string | null {
  if (text.startsWith('\uFEFF')) return 'a UTF-8 BOM before the JSON';
  if (jsonOf(text) !== undefined) return null;
  const brace = text.indexOf('{');
  if (brace > 0 && jsonOf(text.slice(brace)) !== undefined) return `text before the JSON (${JSON.stringify(text.slice(0, Math.min(brace, 20)))})`;
  if (brace === 0) return 'JSON cut short or broken';
  return 'not JSON';
}

/** The answer the recording proxy gave itself because the upstream failed (a 502 it made up), with its reason. */
export function proxyFailure(e: HttpEvent): string | null {
  return e.fault?.startsWith(UPSTREAM_FAILURE) ? e.fault : null;
}

/** The proxy's reason for a refused upgrade it answered itself (502: the upstream was unreachable). */
export function proxyRefusalReason(events: readonly TraceEvent[], refused: RefusedEvent): string | null {
  if (refused.status !== 502) return null;
  const next = events.find((e) => e.seq > refused.seq && e.seq <= refused.seq + 3 && e.kind === 'note' && e.message.startsWith(UPSTREAM_FAILURE));
  return next && next.kind === 'note' ? next.message : null;
}

/** True when the proxy saw the upstream socket end without a close frame (its `record: dropped` note). */
export function droppedWithoutCloseFrame(events: readonly TraceEvent[], close: CloseEvent): boolean {
  return close.code === 1006 && events.some((e) => e.kind === 'note' && e.message.startsWith(`${UPSTREAM_DROP} conn ${close.conn}:`));
}

/** Every socket's client id, by connection number. */
export function clientIdsByConn(events: readonly TraceEvent[]): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (const e of events) if (e.kind === 'ws_connect') out.set(e.conn, e.clientId);
  return out;
}

/** The moment the upstream answered again after `t`: the first exchange it answered itself, or a socket it accepted. */
export function upstreamBackAfter(events: readonly TraceEvent[], t: number): TraceEvent | undefined {
  return events.find((e) => e.t > t && ((e.kind === 'http' && !proxyFailure(e) && e.status !== 0) || e.kind === 'ws_connect'));
}

/** Failures the proxy answered itself between two moments: HTTP 502s and refused upgrades. */
export function proxyFailuresBetween(events: readonly TraceEvent[], from: number, to: number): TraceEvent[] {
  return events.filter((e) => e.t >= from && e.t <= to && ((e.kind === 'http' && proxyFailure(e) !== null) || (e.kind === 'ws_refused' && proxyRefusalReason(events, e) !== null)));
}

export const ms = (t: number) => `${Math.round(t)} ms`;
