/**
 * Percent-decoding as aiohttp's URL library (yarl's `_Unquoter`) does it for route parameters:
 * `%` followed by two hex digits is decoded, any other `%` stays a literal `%`, and a run of
 * escapes that is not valid UTF-8 stays as it was written. It never throws, so `/history/%` is
 * the history of the prompt id `%` (an empty `{}`), as in ComfyUI, not a `URIError`.
 */
export function decodePercentLenient(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return decodeRunPiecewise(run);
    }
  });
}

/** Decodes the valid UTF-8 sequences inside a run of escapes and keeps the invalid bytes escaped. */
function decodeRunPiecewise(run: string): string {
  const escapes = run.match(/%[0-9A-Fa-f]{2}/g) ?? [];
  let out = '';
  let i = 0;
  while (i < escapes.length) {
    let decoded: string | null = null;
    let used = 0;
    // A UTF-8 sequence is at most four bytes: try the longest first.
    for (let n = Math.min(4, escapes.length - i); n >= 1 && decoded === null; n--) {
      try {
        decoded = decodeURIComponent(escapes.slice(i, i + n).join(''));
        used = n;
      } catch {
        decoded = null;
      }
    }
    if (decoded === null) {
      out += escapes[i];
      i += 1;
    } else {
      out += decoded;
      i += used;
    }
  }
  return out;
}
