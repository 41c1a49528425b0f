import type { RelayMessages } from '../../protocol/index.ts';
import type { ImageRef } from '../oracle/trace-facts.ts';
import { valueAt } from './template.ts';

/** What one downstream message says, read with the profile's matchers. */
export type Classified =
  | { kind: 'progress'; promptId?: string; value?: number; max?: number }
  | { kind: 'completed'; promptId?: string; urls: string[]; images: ImageRef[] }
  | { kind: 'failed'; promptId?: string; error?: string };

function matches(matcher: RelayMessages[keyof RelayMessages], event: string | undefined, body: unknown): boolean {
  if (matcher.event !== undefined && matcher.event !== event) return false;
  return Object.entries(matcher.match).every(([path, want]) => valueAt(body, path) === want);
}

const asString = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The image a `/view?filename=..&subfolder=..&type=..` URL names (any host, absolute or relative), or undefined. */
export function imageOfUrl(url: string): ImageRef | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relative.invalid');
  } catch {
    return undefined;
  }
  const filename = parsed.searchParams.get('filename');
  if (filename === null) return undefined;
  return { filename, subfolder: parsed.searchParams.get('subfolder') ?? '', type: parsed.searchParams.get('type') ?? 'output' };
}

/**
 * Reads a downstream message (a Socket.IO event and its first argument, or a STOMP/WebSocket
 * JSON body) as progress, completed or failed; undefined for anything else (recorded, not judged).
 */
export function classify(messages: RelayMessages, event: string | undefined, body: unknown): Classified | undefined {
  const promptIdOf = (path: string | undefined) => (path === undefined ? undefined : asString(valueAt(body, path)));
  if (matches(messages.completed, event, body)) {
    const raw = valueAt(body, messages.completed.urlsPath);
    const urls = Array.isArray(raw) ? raw.filter((u): u is string => typeof u === 'string') : typeof raw === 'string' ? [raw] : [];
    const images = urls.map(imageOfUrl).filter((i): i is ImageRef => i !== undefined);
    const promptId = promptIdOf(messages.completed.promptIdPath);
    return { kind: 'completed', urls, images, ...(promptId === undefined ? {} : { promptId }) };
  }
  if (matches(messages.failed, event, body)) {
    const promptId = promptIdOf(messages.failed.promptIdPath);
    const error = messages.failed.errorPath === undefined ? undefined : asString(valueAt(body, messages.failed.errorPath));
    return { kind: 'failed', ...(promptId === undefined ? {} : { promptId }), ...(error === undefined ? {} : { error }) };
  }
  if (matches(messages.progress, event, body)) {
    const promptId = promptIdOf(messages.progress.promptIdPath);
    const value = asNumber(valueAt(body, messages.progress.valuePath));
    const max = asNumber(valueAt(body, messages.progress.maxPath));
    return { kind: 'progress', ...(promptId === undefined ? {} : { promptId }), ...(value === undefined ? {} : { value }), ...(max === undefined ? {} : { max }) };
  }
  return undefined;
}
