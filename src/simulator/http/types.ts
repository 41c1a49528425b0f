/**
 * The simulator's HTTP layer works on plain request/response data, so the same handlers serve
 * a real `node:http` server (network transport) and an in-process `fetch` (memory transport).
 */
export interface SimRequest {
  method: string;
  /** Path without the `/api` prefix and without the query, e.g. `/history/abc`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export function jsonResponse(value: unknown, status = 200): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

export function textResponse(text: string, status: number): SimResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

/** ComfyUI's bodyless replies carry `Content-Length: 0`. */
export function emptyResponse(status = 200): SimResponse {
  return { status, body: '' };
}
