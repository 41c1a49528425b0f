/**
 * Reads an HTTP request target the way aiohttp does, without ever throwing. An origin-form target
 * (`/path?query`) is a path even when it starts with `//`: `GET //%zz` asks for the path `//%zz`
 * (a 404), where `new URL("//%zz", base)` would read `%zz` as a host and throw. An absolute-form
 * target (`http://host/path`) keeps its path and query. Anything else (`*`, garbage) is not a
 * target: the caller answers 400, as aiohttp does.
 */
export interface RequestTarget {
  /** Percent-encoded, dot segments resolved, as WHATWG URL gives it. */
  pathname: string;
  query: URLSearchParams;
}

export function parseRequestTarget(target: string | undefined): RequestTarget | null {
  const raw = target ?? '/';
  try {
    const url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
    if (!raw.startsWith('/') && !/^(https?|wss?):$/.test(url.protocol)) return null;
    return { pathname: url.pathname, query: url.searchParams };
  } catch {
    return null;
  }
}
