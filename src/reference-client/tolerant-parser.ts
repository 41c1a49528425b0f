import {
  concatBytes,
  decodeBinaryFrame,
  parseServerMessage,
  type BinaryFrame,
  type KnownServerMessage,
  type UnknownServerMessage,
} from '../protocol/index.ts';
import type { MutantName } from './mutants.ts';

/**
 * Turns whatever arrives on the socket into a message, a binary frame, or a counted skip. It
 * never throws: a proxy's error page, a heartbeat or a cut frame must not kill the connection
 * or reach the user (ComfyUI#2435, #5674, comfyui-protocol.md section 6).
 */
export type SkipReason =
  | 'heartbeat'
  | 'non_json'
  | 'truncated'
  | 'invalid'
  | 'bad_binary'
  | 'unknown_binary'
  | 'unreadable';

export type ParsedFrame =
  | { kind: 'message'; message: KnownServerMessage }
  | { kind: 'unknown'; message: UnknownServerMessage }
  | { kind: 'binary'; frame: BinaryFrame }
  | { kind: 'skipped'; reason: SkipReason; detail: string };

export interface ParserStats {
  frames: number;
  textFrames: number;
  binaryFrames: number;
  /** Known messages that passed their schema. */
  messages: number;
  /** Repairs: the frame was used after the fix. */
  bomStripped: number;
  garbagePrefixStripped: number;
  trailingGarbageStripped: number;
  /** Text that arrived in a binary frame and was read as text. */
  textInBinary: number;
  /** Skips. */
  heartbeats: number;
  nonJson: number;
  truncated: number;
  invalid: number;
  unknownTypes: number;
  badBinary: number;
  unknownBinary: number;
  unreadable: number;
}

export function emptyParserStats(): ParserStats {
  return {
    frames: 0,
    textFrames: 0,
    binaryFrames: 0,
    messages: 0,
    bomStripped: 0,
    garbagePrefixStripped: 0,
    trailingGarbageStripped: 0,
    textInBinary: 0,
    heartbeats: 0,
    nonJson: 0,
    truncated: 0,
    invalid: 0,
    unknownTypes: 0,
    badBinary: 0,
    unknownBinary: 0,
    unreadable: 0,
  };
}

const HEARTBEAT = /^(ping|pong|heartbeat)$/i;
/** How many `{` positions are tried when garbage precedes the JSON (bounded: garbage may hold braces). */
const MAX_BRACE_TRIES = 8;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class TolerantParser {
  readonly stats: ParserStats = emptyParserStats();

  /** @param mutation For comfy-chaos's own tests only: plants one named bug (mutants.ts). */
  constructor(private readonly mutation?: MutantName) {}

  /** Accepts what `onmessage` delivers; a Blob must be read by the caller first (it is async). */
  parse(data: unknown): ParsedFrame {
    this.stats.frames++;
    if (typeof data === 'string') {
      this.stats.textFrames++;
      return this.parseText(data);
    }
    const bytes = toBytes(data);
    if (!bytes) {
      this.stats.unreadable++;
      return { kind: 'skipped', reason: 'unreadable', detail: `frame of type ${describe(data)}` };
    }
    this.stats.binaryFrames++;
    // Real binary frames start with a u32 event type 1..4, so their first byte is 0. Anything
    // else is text that a proxy or server sent as a binary frame.
    if (bytes.length > 0 && bytes[0] !== 0) {
      this.stats.textInBinary++;
      return this.parseText(utf8.decode(bytes));
    }
    try {
      const frame = decodeBinaryFrame(bytes);
      if (frame.kind === 'unknown') {
        this.stats.unknownBinary++;
        return { kind: 'skipped', reason: 'unknown_binary', detail: `binary event type ${frame.eventType}` };
      }
      return { kind: 'binary', frame };
    } catch (error) {
      this.stats.badBinary++;
      return { kind: 'skipped', reason: 'bad_binary', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  private parseText(raw: string): ParsedFrame {
    let text = raw;
    // MUTANT bom-not-stripped: a bare JSON.parse throws on the BOM and the frame is dropped.
    if (this.mutation === 'bom-not-stripped' && text.charCodeAt(0) === 0xfeff) {
      this.stats.nonJson++;
      return { kind: 'skipped', reason: 'non_json', detail: preview(text) };
    }
    if (text.charCodeAt(0) === 0xfeff) {
      this.stats.bomStripped++;
      while (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    text = text.trim();
    if (HEARTBEAT.test(text)) {
      this.stats.heartbeats++;
      return { kind: 'skipped', reason: 'heartbeat', detail: text };
    }
    const value = this.decodeJson(text);
    if (value.kind === 'skipped') return value;
    const parsed = parseServerMessage(value.value);
    if (!parsed.ok) {
      this.stats.invalid++;
      return { kind: 'skipped', reason: 'invalid', detail: parsed.error };
    }
    if ('unknown' in parsed.message) {
      this.stats.unknownTypes++;
      return { kind: 'unknown', message: parsed.message };
    }
    this.stats.messages++;
    return { kind: 'message', message: parsed.message };
  }

  private decodeJson(text: string): { kind: 'json'; value: unknown } | Extract<ParsedFrame, { kind: 'skipped' }> {
    let start = text.indexOf('{');
    if (start < 0) {
      this.stats.nonJson++;
      return { kind: 'skipped', reason: 'non_json', detail: preview(text) };
    }
    const first = start;
    for (let tries = 0; start >= 0 && tries < MAX_BRACE_TRIES; tries++) {
      const body = text.slice(start);
      const value = tryJson(body) ?? this.withoutTrailingGarbage(body);
      if (value !== undefined) {
        if (start > 0) this.stats.garbagePrefixStripped++;
        return { kind: 'json', value: value.value };
      }
      start = text.indexOf('{', start + 1);
    }
    if (looksTruncated(text.slice(first))) {
      this.stats.truncated++;
      return { kind: 'skipped', reason: 'truncated', detail: preview(text) };
    }
    this.stats.nonJson++;
    return { kind: 'skipped', reason: 'non_json', detail: preview(text) };
  }

  private withoutTrailingGarbage(body: string): { value: unknown } | undefined {
    const end = body.lastIndexOf('}');
    if (end < 0 || end === body.length - 1) return undefined;
    const value = tryJson(body.slice(0, end + 1));
    if (value) this.stats.trailingGarbageStripped++;
    return value;
  }
}

function tryJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** More `{`/`[` opened than closed outside strings, or an unterminated string: the frame was cut. */
function looksTruncated(body: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return inString || depth > 0;
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // `ws` with binaryType "fragments" delivers an array of buffers.
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) {
    return concatBytes(data as Uint8Array[]);
  }
  return undefined;
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (typeof data === 'object') return (data as object).constructor?.name ?? 'object';
  return typeof data;
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
