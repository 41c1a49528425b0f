/**
 * Everything a client can make the simulator hold has a ceiling, so that no client under test
 * (buggy or hostile) can take the harness's memory with it (issue 11). Where ComfyUI has a limit
 * of its own the default is ComfyUI's and so is the reply; the others are the simulator's, set far
 * above what any sane client reaches, and hitting one writes a `note` starting with `limit:` to
 * the trace.
 */
export interface SimulatorLimits {
  /**
   * Largest request body read, in bytes; a larger one is answered 413 before it is read further.
   * ComfyUI's aiohttp `client_max_size` is `--max-upload-size` (100 MiB); ours is a little above
   * so that a 100 MiB upload's multipart framing still fits and the upload route's own 100 MiB
   * check (ComfyUI's message) answers it. [default 110 MiB]
   */
  maxBodyBytes?: number;
  /**
   * Deepest nesting of arrays and objects in a JSON body; deeper is a 400 before anything is
   * queued. ComfyUI's `json.loads` gives up near Python's recursion limit (about 1,000) with a
   * 500. [default 512]
   */
  maxJsonDepth?: number;
  /** Most prompts pending at once; one more is answered 429 and not queued. ComfyUI has no limit. [default 10000] */
  maxQueueLength?: number;
  /**
   * Most request-body bytes of the pending and running prompts together (what `GET /queue`
   * returns); past it a prompt is answered 429 and not queued. ComfyUI has no limit. [default 512 MiB]
   */
  maxQueueBytes?: number;
  /**
   * Most request-body bytes of the prompts kept in history; past it the oldest entries are
   * evicted (ComfyUI keeps 10,000 entries whatever their size). [default 256 MiB]
   */
  maxHistoryBytes?: number;
  /**
   * Most bytes of files (uploads and saved images, all folders) the simulator keeps in RAM; an
   * upload past it is answered 413, a save past it fails its prompt with an `execution_error`
   * (a full disk does that in ComfyUI). [default 256 MiB]
   */
  maxFileBytes?: number;
  /**
   * Most bytes of frames sent by clients that the trace keeps whole (over all sockets); later
   * ones are kept as digest and size, so a client that floods frames cannot fill the trace (the
   * oracle reads the server's frames, which are always kept). [default 32 MiB]
   */
  maxTracedClientFrameBytes?: number;
  /**
   * Most bytes one WebSocket may have waiting to be sent (network transport). A consumer that falls
   * further behind is dropped (1006), and the trace says so. ComfyUI instead waits for the peer,
   * which stalls every socket. A single frame larger than this still goes out on a drained socket.
   * [default 16 MiB]
   */
  maxSendBufferBytes?: number;
}

export type ResolvedLimits = Required<SimulatorLimits>;

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  maxBodyBytes: 110 * MiB,
  maxJsonDepth: 512,
  maxQueueLength: 10_000,
  maxQueueBytes: 512 * MiB,
  maxHistoryBytes: 256 * MiB,
  maxFileBytes: 256 * MiB,
  maxSendBufferBytes: 16 * MiB,
  maxTracedClientFrameBytes: 32 * MiB,
});

export class LimitsError extends Error {
  override name = 'LimitsError';
  readonly code = 'CC_ERR_LIMIT';
}

/** Fills defaults and refuses limits that are not positive integers. */
export function resolveLimits(limits: SimulatorLimits = {}): ResolvedLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as Array<[keyof SimulatorLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) {
      throw new LimitsError(`comfy-chaos simulator: unknown limit "${key}" (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    }
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new LimitsError(`comfy-chaos simulator: limit ${key} must be a positive integer (got ${String(value)})`);
    }
    resolved[key] = value;
  }
  return resolved;
}
