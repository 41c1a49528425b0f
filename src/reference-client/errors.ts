/**
 * Errors the reference client throws (bad options) or hands back (HTTP failures). `code` is
 * stable, for programs; `message` names the bad value, for people.
 */
export type ReferenceClientErrorCode =
  | 'CC_ERR_INVALID_OPTION'
  | 'CC_ERR_NO_WEBSOCKET'
  | 'CC_ERR_NO_FETCH'
  | 'CC_ERR_HTTP_STATUS'
  | 'CC_ERR_HTTP_TIMEOUT'
  | 'CC_ERR_HTTP_NETWORK'
  | 'CC_ERR_BAD_REPLY'
  | 'CC_ERR_PROMPT_REJECTED'
  | 'CC_ERR_SESSION_CLOSED';

export class ReferenceClientError extends Error {
  override name = 'ReferenceClientError';
  constructor(
    readonly code: ReferenceClientErrorCode,
    message: string,
    /** HTTP status, when the error comes from a reply. */
    readonly status?: number,
  ) {
    super(`comfy-chaos reference client: ${message}`);
  }
}

/** True for failures worth retrying: network errors, timeouts, 429 and 5xx. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ReferenceClientError)) return true;
  if (error.code === 'CC_ERR_HTTP_STATUS') return error.status === 429 || (error.status ?? 0) >= 500;
  return error.code === 'CC_ERR_HTTP_TIMEOUT' || error.code === 'CC_ERR_HTTP_NETWORK';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
