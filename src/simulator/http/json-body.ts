import type { SimRequest } from './types.ts';

export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * The depth of the deepest array or object in a JSON text, counted without parsing (strings and
 * their escapes are skipped), stopping as soon as it passes `limit`. Cheap enough to run on every
 * body before `JSON.parse`, so nothing later recurses deeper than `limit`.
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The request body as JSON, or why it is not: empty, nested deeper than `maxDepth` (ComfyUI's
 * `json.loads` fails near Python's recursion limit, with a 500; we say so with a 400), or invalid.
 */
export function readJsonBody(request: SimRequest, maxDepth: number): JsonBody {
  const text = new TextDecoder().decode(request.body);
  if (text.trim() === '') return { ok: false, error: 'the request body is empty; send a JSON object' };
  if (jsonNestingExceeds(text, maxDepth)) {
    return { ok: false, error: `the request body nests arrays or objects deeper than ${maxDepth} levels (limits.maxJsonDepth)` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `the request body is not valid JSON (${(error as Error).message})` };
  }
}
