import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, ToxiproxyHarnessError } from './errors.ts';

export interface ReadinessOptions {
  /** Give up after this long, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Pause between attempts, in ms. Default 50. */
  intervalMs?: number;
  /** Called before each attempt; a returned string aborts the wait with that reason (e.g. "the process exited"). */
  abortReason?: () => string | undefined;
  /** Who is waiting, for the error message (e.g. "toxiproxy-server started from /usr/bin/..."). */
  what?: string;
}

/** Reads the version of the Toxiproxy server at `url`, with one bounded request. */
export async function readToxiproxyVersion(url: string, requestTimeoutMs = 1_000): Promise<string> {
  const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(requestTimeoutMs) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET /version answered ${response.status}: ${body.slice(0, 200)}`);
  // 2.x answers {"version": "2.12.0"}; older servers answered the bare string.
  try {
    const parsed = JSON.parse(body) as { version?: unknown };
    if (typeof parsed.version === 'string') return parsed.version;
  } catch {
    // not JSON: fall through to the plain-text form
  }
  return body.trim();
}

/** Polls GET /version until the server answers, the wait is aborted, or the time is up. */
export async function waitForToxiproxy(url: string, options: ReadinessOptions = {}): Promise<string> {
  const { timeoutMs = 10_000, intervalMs = 50, what = `Toxiproxy at ${url}` } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt made';
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) {
      throw new ToxiproxyHarnessError('TOXIPROXY_PROVIDER_FAILED', `${what} did not become ready: ${aborted}`);
    }
    try {
      return await readToxiproxyVersion(url, Math.max(100, Math.min(1_000, deadline - Date.now())));
    } catch (error) {
      lastError = describeError(error);
    }
    if (Date.now() >= deadline) {
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_PROVIDER_FAILED',
        `${what} did not answer GET ${url}/version within ${timeoutMs} ms (last error: ${lastError})`,
      );
    }
    await sleep(intervalMs);
  }
}
