import { realClock, type Clock, type FetchLike, type WebSocketFactory } from '../protocol/index.ts';
import { ReferenceClientError } from './errors.ts';
import { randomSeed } from './seeded-random.ts';

/**
 * Every timing of the reference client. All durations are milliseconds of the injected clock
 * (virtual time under the simulator's memory transport).
 */
export interface TimingOptions {
  /** [options.reconnectBaseMs=1000] First reconnect delay while no job is pending; doubles per failed attempt. */
  reconnectBaseMs?: number;
  /** [options.reconnectPendingBaseMs=100] First reconnect delay while a job is pending: a user is waiting. */
  reconnectPendingBaseMs?: number;
  /** [options.reconnectCapMs=15000] Longest delay between two reconnect attempts. */
  reconnectCapMs?: number;
  /**
   * [options.reconnectPendingCapMs=200] Longest delay between two reconnect attempts while a job is
   * pending: once the network is back, a waiting user hears of a finished job within about this
   * (bench/client-recovery.ts: with the plain cap, p99 was 385-695 ms). Attempts against a dead
   * server are cheap (connection refused), and only happen while a job is pending.
   */
  reconnectPendingCapMs?: number;
  /** [options.reconnectJitterRatio=0.2] Each delay is shortened by up to this fraction, at (seeded) random. */
  reconnectJitterRatio?: number;
  /**
   * [options.maxReconnectAttempts=3600] Consecutive failed connection attempts before the session
   * gives up (about 12 minutes while a job is pending, with the 200 ms pending cap, so a 10-minute
   * outage is survived); then every pending job that HTTP cannot see either fails with reason
   * `disconnected`. 0 = never give up.
   */
  maxReconnectAttempts?: number;
  /** [options.connectTimeoutMs=10000] A socket still not open after this is dropped and retried. */
  connectTimeoutMs?: number;
  /**
   * [options.healthTimeoutMs=30000] While a job is pending, a socket that received no frame for
   * this long is deaf (ComfyUI#16010, #15240): polling starts and the socket is replaced.
   * ComfyUI sends no heartbeat, so a long silent node also triggers it; that costs one reconnect.
   */
  healthTimeoutMs?: number;
  /** [options.pollIntervalMs=1000] HTTP polling interval while the socket is down or deaf and jobs are pending. */
  pollIntervalMs?: number;
  /**
   * [options.requestTimeoutMs=5000] Any HTTP request not answered by then fails (and is retried where
   * safe). ComfyUI answers HTTP from its event loop even while a prompt runs, so a request that takes
   * longer is hung; a shorter timeout recovers sooner (test/regressions/scenarios/resync-read-timeout-not-retried.yaml).
   */
  requestTimeoutMs?: number;
  /** [options.historyRetryDelayMs=250] Wait between two reads of `/history/{id}` after a job ended (ComfyUI#11540). */
  historyRetryDelayMs?: number;
  /** [options.historyRetryLimit=12] Extra history reads before falling back to WebSocket outputs or resync. */
  historyRetryLimit?: number;
  /** [options.lostConfirmations=3] Consecutive checks that must find a job in neither `/queue` nor `/history` before it is `lost`. */
  lostConfirmations?: number;
  /** [options.lostRecheckDelayMs=1000] Wait between those checks. */
  lostRecheckDelayMs?: number;
  /** [options.jobTimeoutMs=3600000] A job not finished this long after it was submitted fails with reason `timeout`. 0 = no timeout. */
  jobTimeoutMs?: number;
  /** [options.finalCheckLeadMs=5000] The last HTTP check of a job runs this long before its timeout. */
  finalCheckLeadMs?: number;
  /** [options.lockReleaseDelayMs=2000] Once no job is pending, the server lock is released after this (a scheduled check). */
  lockReleaseDelayMs?: number;
  /** [options.progressDebounceMs=50] Progress events are coalesced to at most one per job per interval. 0 = no debouncing. */
  progressDebounceMs?: number;
  /** [options.submitRetryLimit=3] Retries of `POST /prompt` after a network error, 429 or 5xx (never after 400). */
  submitRetryLimit?: number;
  /** [options.submitRetryDelayMs=500] First wait before such a retry; doubles each time. */
  submitRetryDelayMs?: number;
  /** [options.socketReadyTimeoutMs=5000] A submit waits at most this long for the socket to open before posting anyway. */
  socketReadyTimeoutMs?: number;
}

/** Where and how the client talks: all injectable so the client runs in Node, a browser, or virtual time. */
export interface TransportOptions {
  /** [options.clock=realClock] Every timer of the client goes through it. */
  clock?: Clock;
  /** [options.fetch=globalThis.fetch] */
  fetch?: FetchLike;
  /** [options.webSocketFactory=global WebSocket] In Node 20 pass `nodeWebSocketFactory` from `./node.ts`. */
  webSocketFactory?: WebSocketFactory;
  /** [options.seed=random] Seeds jitter, client ids and prompt ids; give one to replay a run exactly. */
  seed?: number;
  /** [options.featureFlags={supports_preview_metadata:true}] Sent as the first frame of every connection. */
  featureFlags?: Record<string, unknown>;
}

export type ResolvedTimings = Required<TimingOptions>;

export const defaultTimings: ResolvedTimings = Object.freeze({
  reconnectBaseMs: 1000,
  reconnectPendingBaseMs: 100,
  reconnectCapMs: 15_000,
  reconnectPendingCapMs: 200,
  reconnectJitterRatio: 0.2,
  maxReconnectAttempts: 3600,
  connectTimeoutMs: 10_000,
  healthTimeoutMs: 30_000,
  pollIntervalMs: 1000,
  requestTimeoutMs: 5_000,
  historyRetryDelayMs: 250,
  historyRetryLimit: 12,
  lostConfirmations: 3,
  lostRecheckDelayMs: 1000,
  jobTimeoutMs: 3_600_000,
  finalCheckLeadMs: 5000,
  lockReleaseDelayMs: 2000,
  progressDebounceMs: 50,
  submitRetryLimit: 3,
  submitRetryDelayMs: 500,
  socketReadyTimeoutMs: 5000,
});

const countOptions = new Set<keyof ResolvedTimings>([
  'maxReconnectAttempts',
  'historyRetryLimit',
  'lostConfirmations',
  'submitRetryLimit',
]);
/** Options where 0 would make the client spin or never wait; they must be positive. */
const positiveOptions = new Set<keyof ResolvedTimings>([
  'connectTimeoutMs',
  'healthTimeoutMs',
  'pollIntervalMs',
  'requestTimeoutMs',
  'lostConfirmations',
  'reconnectCapMs',
  'reconnectPendingCapMs',
]);

/** Fills defaults in one place and rejects impossible values before anything is opened. */
export function resolveTimings(options: TimingOptions): ResolvedTimings {
  const resolved = { ...defaultTimings } as Record<keyof ResolvedTimings, number>;
  for (const key of Object.keys(defaultTimings) as (keyof ResolvedTimings)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option ${key} must be a finite number >= 0, got ${String(value)}`);
    }
    if (countOptions.has(key) && !Number.isInteger(value)) {
      throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option ${key} must be an integer, got ${value}`);
    }
    if (positiveOptions.has(key) && value === 0) {
      throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option ${key} must be > 0, got 0`);
    }
    resolved[key] = value;
  }
  if (resolved.reconnectJitterRatio > 1) {
    throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option reconnectJitterRatio must be in [0, 1], got ${resolved.reconnectJitterRatio}`);
  }
  return resolved;
}

export interface ResolvedTransport {
  clock: Clock;
  fetch: FetchLike;
  webSocketFactory: WebSocketFactory;
  seed: number;
  featureFlags: Record<string, unknown>;
}

/** Defaults to the host's `fetch` and `WebSocket` (a browser, or Node >= 22); Node 20 must pass a factory. */
export function resolveTransport(options: TransportOptions): ResolvedTransport {
  const g = globalThis as { fetch?: unknown; WebSocket?: unknown };
  let fetchLike = options.fetch;
  if (!fetchLike) {
    if (typeof g.fetch !== 'function') {
      throw new ReferenceClientError('CC_ERR_NO_FETCH', 'no global fetch; pass options.fetch');
    }
    const globalFetch = g.fetch as (url: string, init?: unknown) => Promise<unknown>;
    fetchLike = ((url, init) => globalFetch.call(globalThis, url, init)) as FetchLike;
  }
  let factory = options.webSocketFactory;
  if (!factory) {
    if (typeof g.WebSocket !== 'function') {
      throw new ReferenceClientError(
        'CC_ERR_NO_WEBSOCKET',
        'no global WebSocket; in Node pass options.webSocketFactory = nodeWebSocketFactory from src/reference-client/node.ts',
      );
    }
    const Ctor = g.WebSocket as new (url: string) => ReturnType<WebSocketFactory>;
    factory = (url) => new Ctor(url);
  }
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0)) {
    throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option seed must be a non-negative integer, got ${options.seed}`);
  }
  return {
    clock: options.clock ?? realClock,
    fetch: fetchLike,
    webSocketFactory: factory,
    seed: options.seed ?? randomSeed(),
    featureFlags: options.featureFlags ?? { supports_preview_metadata: true },
  };
}
