/**
 * Error codes of the Toxiproxy layer. Code for programs, message for people: every
 * message names what failed and, where it can, what to do about it.
 */
export type ToxiproxyErrorCode =
  /** No provider could give a server, and the caller asked for strict mode. */
  | 'TOXIPROXY_UNAVAILABLE'
  /** A provider was present (a binary, a URL, a Docker engine) but failed to give a working server. */
  | 'TOXIPROXY_PROVIDER_FAILED'
  /** The Toxiproxy API refused or failed a request (create proxy, add toxic, ...). */
  | 'TOXIPROXY_REQUEST_FAILED'
  /** A toxic or proxy description was invalid before anything was sent. */
  | 'TOXIPROXY_INVALID_ARGUMENT'
  /** `comfy-chaos toxiproxy install` could not download the release binary (HTTP error, timeout, no asset for this platform). */
  | 'TOXIPROXY_DOWNLOAD_FAILED'
  /** The downloaded binary's SHA-256 is not the pinned one; nothing was installed. */
  | 'TOXIPROXY_CHECKSUM_MISMATCH';

export class ToxiproxyHarnessError extends Error {
  readonly code: ToxiproxyErrorCode;

  constructor(code: ToxiproxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToxiproxyHarnessError';
    this.code = code;
  }
}

/** The text of any thrown value, for putting a cause inside a message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    // fetch() hides the useful part ("connect ECONNREFUSED ...") in `cause`.
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
