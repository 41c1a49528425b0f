/**
 * The reference client's small building blocks, pinned down where StrykerJS found them loosely
 * tested: option validation, the server pool, seeded ids, errors, the emitter, the registry,
 * the progress debouncer, the poller and the HTTP observation of jobs.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, type FetchLike, type ResponseLike } from '../../../src/protocol/index.ts';
import { Backoff } from '../../../src/reference-client/backoff.ts';
import { ReferenceClientError, describeError, isTransient } from '../../../src/reference-client/errors.ts';
import { TypedEmitter, type JobOutcome } from '../../../src/reference-client/events.ts';
import { ComfyHttp } from '../../../src/reference-client/http-api.ts';
import { JobRegistry } from '../../../src/reference-client/job-registry.ts';
import { defaultTimings, resolveTimings, resolveTransport } from '../../../src/reference-client/options.ts';
import { Poller } from '../../../src/reference-client/poller.ts';
import { ProgressDebouncer } from '../../../src/reference-client/progress-debouncer.ts';
import { ReferenceClient } from '../../../src/reference-client/reference-client.ts';
import { historyOutcome, observeJobs } from '../../../src/reference-client/resync.ts';
import { randomSeed, seededRandom, uuid4 } from '../../../src/reference-client/seeded-random.ts';
import { ServerPool, normaliseServerUrl } from '../../../src/reference-client/server-pool.ts';
import type { ProgressEvent } from '../../../src/reference-client/events.ts';

const noFetch: FetchLike = async () => {
  throw new Error('unused');
};
const noSocket = () => {
  throw new Error('unused');
};

describe('resolveTimings', () => {
  it('documents the defaults it fills in', () => {
    expect(defaultTimings).toEqual({
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
    expect(Object.isFrozen(defaultTimings)).toBe(true);
  });

  it('keeps every given value, and 0 where 0 is meaningful', () => {
    const given = { jobTimeoutMs: 0, progressDebounceMs: 0, maxReconnectAttempts: 0, historyRetryLimit: 0, submitRetryLimit: 0, reconnectJitterRatio: 1, finalCheckLeadMs: 0 };
    expect(resolveTimings(given)).toEqual({ ...defaultTimings, ...given });
  });

  it.each(['connectTimeoutMs', 'healthTimeoutMs', 'pollIntervalMs', 'requestTimeoutMs', 'lostConfirmations', 'reconnectCapMs', 'reconnectPendingCapMs'] as const)(
    'rejects 0 for %s, which must be positive',
    (key) => {
      expect(() => resolveTimings({ [key]: 0 })).toThrow(new ReferenceClientError('CC_ERR_INVALID_OPTION', `option ${key} must be > 0, got 0`));
    },
  );

  it.each(['maxReconnectAttempts', 'historyRetryLimit', 'lostConfirmations', 'submitRetryLimit'] as const)('rejects a fraction for the count %s', (key) => {
    expect(() => resolveTimings({ [key]: 2.5 })).toThrow(`option ${key} must be an integer, got 2.5`);
  });

  it('accepts fractions for durations, and rejects non-numbers, infinities and negatives with the value', () => {
    expect(resolveTimings({ pollIntervalMs: 0.5 }).pollIntervalMs).toBe(0.5);
    expect(() => resolveTimings({ pollIntervalMs: '5' as unknown as number })).toThrow('option pollIntervalMs must be a finite number >= 0, got 5');
    expect(() => resolveTimings({ jobTimeoutMs: Infinity })).toThrow('option jobTimeoutMs must be a finite number >= 0, got Infinity');
    expect(() => resolveTimings({ lockReleaseDelayMs: -0.1 })).toThrow('got -0.1');
    expect(() => resolveTimings({ reconnectJitterRatio: 1.01 })).toThrow('option reconnectJitterRatio must be in [0, 1], got 1.01');
  });
});

describe('resolveTransport', () => {
  it('uses what it is given, with documented defaults for the rest', () => {
    const clock = new VirtualClock();
    const resolved = resolveTransport({ fetch: noFetch, webSocketFactory: noSocket, clock, seed: 0 });
    expect(resolved.fetch).toBe(noFetch);
    expect(resolved.webSocketFactory).toBe(noSocket);
    expect(resolved.clock).toBe(clock);
    expect(resolved.seed).toBe(0);
    expect(resolved.featureFlags).toEqual({ supports_preview_metadata: true });
    expect(resolveTransport({ fetch: noFetch, webSocketFactory: noSocket, featureFlags: { x: 1 } }).featureFlags).toEqual({ x: 1 });
    const seed = resolveTransport({ fetch: noFetch, webSocketFactory: noSocket }).seed;
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
  });

  it('rejects a negative or fractional seed', () => {
    expect(() => resolveTransport({ fetch: noFetch, webSocketFactory: noSocket, seed: -1 })).toThrow('option seed must be a non-negative integer, got -1');
    expect(() => resolveTransport({ fetch: noFetch, webSocketFactory: noSocket, seed: 1.5 })).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
  });

  it('wraps the global fetch and WebSocket when none is given, and says which is missing', async () => {
    const g = globalThis as { fetch?: unknown; WebSocket?: unknown };
    const saved = { fetch: g.fetch, WebSocket: g.WebSocket };
    const seen: unknown[] = [];
    class FakeWebSocket {
      constructor(readonly url: string) {}
    }
    try {
      g.fetch = function (this: unknown, url: string, init: unknown) {
        seen.push([this, url, init]);
        return Promise.resolve('reply');
      };
      g.WebSocket = FakeWebSocket;
      const resolved = resolveTransport({});
      expect(await resolved.fetch('http://h/x', { method: 'GET' })).toBe('reply');
      expect(seen).toEqual([[globalThis, 'http://h/x', { method: 'GET' }]]);
      const socket = resolved.webSocketFactory('ws://h/ws') as unknown as FakeWebSocket;
      expect(socket).toBeInstanceOf(FakeWebSocket);
      expect(socket.url).toBe('ws://h/ws');
      delete g.fetch;
      expect(() => resolveTransport({ webSocketFactory: noSocket })).toThrow(new ReferenceClientError('CC_ERR_NO_FETCH', 'no global fetch; pass options.fetch'));
      delete g.WebSocket;
      expect(() => resolveTransport({ fetch: noFetch })).toThrow(expect.objectContaining({ code: 'CC_ERR_NO_WEBSOCKET', message: expect.stringContaining('nodeWebSocketFactory') }));
    } finally {
      g.fetch = saved.fetch;
      if (saved.WebSocket === undefined) delete g.WebSocket;
      else g.WebSocket = saved.WebSocket;
    }
  });
});

describe('ServerPool', () => {
  it('normalises URLs, keeps http and https, and counts locks per server', () => {
    const pool = new ServerPool(['http://a:1/', 'HTTPS://b//']);
    expect(pool.servers).toEqual(['http://a:1', 'HTTPS://b']);
    expect(pool.acquire()).toBe('http://a:1');
    expect(pool.lockCount('http://a:1/')).toBe(1);
    expect(pool.lockCount('http://a:1')).toBe(1);
    expect(pool.lockCount('HTTPS://b')).toBe(0);
    expect(pool.lockCount('http://unknown')).toBe(0);
    pool.release('http://a:1');
    expect(pool.lockCount('http://a:1')).toBe(0);
    pool.release('http://a:1'); // never below zero
    pool.release('http://unknown');
    expect(pool.lockCount('http://a:1')).toBe(0);
    expect(pool.acquire()).toBe('HTTPS://b');
  });

  it('always takes the least-locked server, whatever the round-robin cursor says', () => {
    const pool = new ServerPool(['http://a', 'http://b', 'http://c']);
    expect([pool.acquire(), pool.acquire(), pool.acquire()]).toEqual(['http://a', 'http://b', 'http://c']);
    pool.release('http://b');
    expect(pool.acquire()).toBe('http://b');
    expect(pool.acquire()).toBe('http://c');
    expect(pool.acquire()).toBe('http://a');
    expect(['http://a', 'http://b', 'http://c'].map((s) => pool.lockCount(s))).toEqual([2, 1, 2]);
    expect(pool.acquire()).toBe('http://b');
  });

  it('rejects URLs without a scheme or host, naming them', () => {
    expect(() => new ServerPool(['ftp://a'])).toThrow('server "ftp://a" is not an http:// or https:// base URL');
    expect(() => new ServerPool(['http:///path'])).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
    expect(() => new ServerPool(['x http://a'])).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
    expect(() => new ServerPool([])).toThrow('servers must list at least one ComfyUI base URL');
    expect(normaliseServerUrl('http://a///')).toBe('http://a');
  });
});

describe('seeded randomness', () => {
  it('is mulberry32: fixed values for a fixed seed, all in [0, 1)', () => {
    const random = seededRandom(1);
    const values = Array.from({ length: 1000 }, random);
    expect(values.slice(0, 3).map((v) => v.toFixed(10))).toEqual(['0.6270739406', '0.0027357212', '0.5274470400']);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBe(1000);
    expect(Math.min(...values)).toBeLessThan(0.01);
    expect(Math.max(...values)).toBeGreaterThan(0.99);
  });

  it('makes distinct v4 UUIDs from one generator, with every nibble used', () => {
    const random = seededRandom(3);
    const ids = Array.from({ length: 200 }, () => uuid4(random));
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids.join('').replace(/-/g, ''))).toEqual(new Set('0123456789abcdef'));
    expect(uuid4(() => 0)).toBe('00000000-0000-4000-8000-000000000000');
    expect(uuid4(() => 0.9999999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('makes fresh seeds that are 32-bit unsigned integers', () => {
    const seeds = Array.from({ length: 50 }, randomSeed);
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(45);
  });
});

describe('errors', () => {
  it('prefixes messages, names the error, and keeps code and status', () => {
    const error = new ReferenceClientError('CC_ERR_HTTP_STATUS', 'x', 503);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ReferenceClientError');
    expect(error.message).toBe('comfy-chaos reference client: x');
    expect(error.code).toBe('CC_ERR_HTTP_STATUS');
    expect(error.status).toBe(503);
  });

  it('retries network errors, timeouts, 429 and 5xx, and nothing else', () => {
    const status = (s: number | undefined) => new ReferenceClientError('CC_ERR_HTTP_STATUS', 's', s);
    expect(isTransient(new TypeError('fetch failed'))).toBe(true);
    expect(isTransient('thrown string')).toBe(true);
    expect(isTransient(new ReferenceClientError('CC_ERR_HTTP_TIMEOUT', 't'))).toBe(true);
    expect(isTransient(new ReferenceClientError('CC_ERR_HTTP_NETWORK', 'n'))).toBe(true);
    expect(isTransient(new ReferenceClientError('CC_ERR_BAD_REPLY', 'b'))).toBe(false);
    expect(isTransient(new ReferenceClientError('CC_ERR_INVALID_OPTION', 'i'))).toBe(false);
    expect([429, 500, 503, 599].map((s) => isTransient(status(s)))).toEqual([true, true, true, true]);
    expect([400, 404, 428, 430, 499, undefined].map((s) => isTransient(status(s)))).toEqual([false, false, false, false, false, false]);
    expect(describeError(new Error('m'))).toBe('m');
    expect(describeError(42)).toBe('42');
  });
});

describe('TypedEmitter', () => {
  it('calls listeners in order, counts throwing ones without stopping the others, and unsubscribes', () => {
    const emitter = new TypedEmitter<{ a: number; b: string }>();
    const seen: string[] = [];
    const first = (n: number) => seen.push(`first ${n}`);
    emitter.on('a', first);
    emitter.on('a', () => {
      throw new Error('listener bug');
    });
    const unsubscribe = emitter.on('a', (n) => seen.push(`third ${n}`));
    emitter.on('b', (s) => seen.push(`b ${s}`));
    emitter.emit('a', 1);
    expect(seen).toEqual(['first 1', 'third 1']);
    expect(emitter.listenerErrors).toBe(1);
    unsubscribe();
    emitter.off('a', first);
    emitter.emit('a', 2);
    expect(seen).toEqual(['first 1', 'third 1']);
    expect(emitter.listenerErrors).toBe(2);
    emitter.emit('b', 'x');
    expect(seen).toEqual(['first 1', 'third 1', 'b x']);
    emitter.clear();
    emitter.emit('b', 'y');
    emitter.off('b', () => undefined);
    expect(seen).toHaveLength(3);
  });

  it('lets a listener remove another during an emit without skipping it this time', () => {
    const emitter = new TypedEmitter<{ a: number }>();
    const seen: string[] = [];
    const second = () => seen.push('second');
    emitter.on('a', () => {
      seen.push('first');
      emitter.off('a', second);
    });
    emitter.on('a', second);
    emitter.emit('a', 1);
    emitter.emit('a', 2);
    expect(seen).toEqual(['first', 'second', 'first']);
  });
});

describe('JobRegistry', () => {
  const completed = (promptId: string): JobOutcome => ({ type: 'completed', promptId, server: 's', outputs: {}, confirmedBy: 'history' });

  it('starts a job as submitting with nothing seen, and refuses a second add', () => {
    const registry = new JobRegistry();
    const job = registry.add('p', 'http://s', 123);
    expect(job).toEqual({
      promptId: 'p',
      submitId: 'p',
      server: 'http://s',
      submittedAt: 123,
      state: 'submitting',
      released: false,
      successSeen: false,
      confirming: false,
      checking: false,
      checkAgain: false,
      absentChecks: 0,
      lastObservation: undefined,
      socketOutputs: {},
      currentNode: undefined,
      timers: [],
      outcome: undefined,
    });
    expect(() => registry.add('p', 'http://s', 1)).toThrow('job p is already registered');
    expect(registry.get(undefined)).toBeUndefined();
    expect(registry.active(undefined)).toBeUndefined();
  });

  it('settles once, counts by type and duplicates, and lists pending and accepted jobs in order', () => {
    const registry = new JobRegistry();
    const a = registry.add('a', 's', 0);
    registry.add('b', 's', 0).state = 'queued';
    registry.add('c', 's', 0).state = 'running';
    expect(registry.pending().map((j) => j.promptId)).toEqual(['a', 'b', 'c']);
    expect(registry.accepted().map((j) => j.promptId)).toEqual(['b', 'c']);
    expect(registry.settle('a', completed('a'))).toBe(true);
    expect(a.outcome).toEqual(completed('a'));
    expect(registry.settle('a', { type: 'lost', promptId: 'a', server: 's', error: 'x' })).toBe(false);
    expect(registry.settle('b', { type: 'lost', promptId: 'b', server: 's', error: 'x' })).toBe(true);
    expect(registry.settle('nope', completed('nope'))).toBe(false);
    expect(registry.counts).toEqual({ completed: 1, failed: 0, interrupted: 0, lost: 1, duplicatesSuppressed: 1 });
    expect(registry.active('a')).toBeUndefined();
    expect(registry.get('a')?.state).toBe('done');
    expect(registry.pending().map((j) => j.promptId)).toEqual(['c']);
    registry.forget('c');
    expect(registry.get('c')).toBeUndefined();
  });

  it('remembers at most retainFinished finished jobs, oldest dropped first', () => {
    const registry = new JobRegistry(2);
    for (const id of ['a', 'b', 'c']) {
      registry.add(id, 's', 0);
      registry.settle(id, completed(id));
    }
    expect(registry.get('a')).toBeUndefined();
    expect(registry.get('b')?.state).toBe('done');
    expect(registry.get('c')?.state).toBe('done');
    const big = new JobRegistry();
    for (let i = 0; i < 1001; i++) {
      big.add(`j${i}`, 's', 0);
      big.settle(`j${i}`, completed(`j${i}`));
    }
    expect(big.get('j0')).toBeUndefined();
    expect(big.get('j1')).toBeDefined();
  });
});

describe('ProgressDebouncer', () => {
  const progress = (value: number, node = '3', promptId = 'p'): ProgressEvent => ({ promptId, value, max: 10, node });

  it('emits the latest value once per interval and per job', async () => {
    const clock = new VirtualClock();
    const seen: ProgressEvent[] = [];
    const debouncer = new ProgressDebouncer(clock, 50, (e) => seen.push(e));
    debouncer.push(progress(1));
    debouncer.push(progress(2));
    debouncer.push(progress(1, '3', 'q'));
    await clock.advanceBy(49);
    expect(seen).toEqual([]);
    await clock.advanceBy(1);
    expect(seen).toEqual([progress(2), progress(1, '3', 'q')]);
    debouncer.push(progress(3));
    await clock.advanceBy(50);
    expect(seen).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops a value lower than the last one of the same node, held or emitted, and counts it', async () => {
    const clock = new VirtualClock();
    const seen: ProgressEvent[] = [];
    const debouncer = new ProgressDebouncer(clock, 50, (e) => seen.push(e));
    debouncer.push(progress(5));
    debouncer.push(progress(4));
    expect(debouncer.dropped).toBe(1);
    await clock.advanceBy(50);
    debouncer.push(progress(3));
    debouncer.push(progress(5)); // same value again is not backwards
    expect(debouncer.dropped).toBe(2);
    debouncer.push(progress(1, '4')); // another node starts over
    await clock.advanceBy(50);
    expect(seen.map((e) => `${e.node}:${e.value}`)).toEqual(['3:5', '4:1']);
  });

  it('sends at once with interval 0, flushes a held value on demand, and forgets a job', async () => {
    const clock = new VirtualClock();
    const seen: ProgressEvent[] = [];
    const now = new ProgressDebouncer(clock, 0, (e) => seen.push(e));
    now.push(progress(1));
    now.push(progress(0));
    expect(seen).toEqual([progress(1)]);
    expect(now.dropped).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    now.forget('p');
    now.push(progress(0));
    expect(seen).toEqual([progress(1), progress(0)]);

    const held: ProgressEvent[] = [];
    const debouncer = new ProgressDebouncer(clock, 50, (e) => held.push(e));
    debouncer.push(progress(7));
    debouncer.flush('p');
    debouncer.flush('p');
    debouncer.flush('other');
    expect(held).toEqual([progress(7)]);
    debouncer.push(progress(8));
    debouncer.forget('p');
    await clock.advanceBy(100);
    expect(held).toEqual([progress(7)]);
    debouncer.push(progress(1));
    debouncer.dispose();
    await clock.advanceBy(100);
    expect(held).toEqual([progress(7)]);
    debouncer.push(progress(0)); // nothing remembered after dispose
    expect(debouncer.dropped).toBe(0);
  });
});

describe('Poller', () => {
  it('polls every interval while wanted, never two at once, and stops', async () => {
    const clock = new VirtualClock();
    const starts: number[] = [];
    let finish: (() => void) | undefined;
    const poller = new Poller(clock, 100, () => {
      starts.push(clock.now() - 1_700_000_000_000);
      return new Promise<void>((resolve) => (finish = resolve));
    });
    expect(poller.running).toBe(false);
    poller.update(true);
    poller.update(true);
    expect(poller.running).toBe(true);
    await clock.advanceBy(99);
    expect(starts).toEqual([]);
    await clock.advanceBy(1);
    expect(starts).toEqual([100]);
    await clock.advanceBy(500); // the poll is still in flight: no second one
    expect(starts).toEqual([100]);
    finish!();
    await clock.advanceBy(100);
    expect(starts).toEqual([100, 700]);
    expect(poller.polls).toBe(2);
    finish!();
    poller.stop();
    expect(poller.running).toBe(false);
    await clock.advanceBy(1000);
    expect(starts).toEqual([100, 700]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never runs two polls at once, even when stopped and restarted while one is in flight', async () => {
    const clock = new VirtualClock();
    let running = 0;
    let most = 0;
    let finish: (() => void) | undefined;
    const poller = new Poller(clock, 100, () => {
      running++;
      most = Math.max(most, running);
      return new Promise<void>((resolve) => (finish = () => {
        running--;
        resolve();
      }));
    });
    poller.update(true);
    await clock.advanceBy(100);
    expect(poller.polls).toBe(1);
    poller.update(false);
    poller.update(true);
    await clock.advanceBy(1000);
    expect(poller.polls).toBe(1);
    expect(most).toBe(1);
    finish!();
    await clock.advanceBy(100);
    expect(poller.polls).toBe(2);
    expect(most).toBe(1);
  });

  it('leaves no timer behind when stopped while a poll is in flight', async () => {
    const clock = new VirtualClock();
    let finish: (() => void) | undefined;
    const poller = new Poller(clock, 100, () => new Promise<void>((resolve) => (finish = resolve)));
    poller.update(true);
    await clock.advanceBy(100);
    poller.stop();
    finish!();
    await clock.advanceBy(0);
    expect(clock.pendingTimers).toBe(0);
    expect(poller.running).toBe(false);
  });

  it('keeps polling after a failed poll', async () => {
    const clock = new VirtualClock();
    let polls = 0;
    const poller = new Poller(clock, 10, () => {
      polls++;
      return Promise.reject(new Error('down'));
    });
    poller.update(true);
    await clock.advanceBy(35);
    expect(polls).toBe(3);
    poller.update(false);
    await clock.advanceBy(100);
    expect(polls).toBe(3);
  });

  it('does not poll when stopped while the timer was due, and restarts one interval after update(true)', async () => {
    const clock = new VirtualClock();
    let polls = 0;
    const poller = new Poller(clock, 10, async () => void polls++);
    poller.update(true);
    await clock.advanceBy(5);
    poller.update(false);
    poller.update(true);
    await clock.advanceBy(9);
    expect(polls).toBe(0);
    await clock.advanceBy(1);
    expect(polls).toBe(1);
  });
});

describe('observeJobs and historyOutcome', () => {
  function server(routes: Record<string, () => ResponseLike>): ComfyHttp {
    const fetch: FetchLike = async (url) => {
      const path = new URL(url).pathname;
      const route = routes[path];
      if (!route) throw new TypeError(`refused ${path}`);
      return route();
    };
    return new ComfyHttp(fetch, new VirtualClock(), 1000);
  }
  const json = (value: unknown): ResponseLike => ({
    status: 200,
    ok: true,
    headers: { get: () => null },
    text: async () => JSON.stringify(value),
    json: async () => value,
    arrayBuffer: async () => new ArrayBuffer(0),
  });
  const done = { outputs: {}, status: { status_str: 'success', completed: true, messages: [] } };

  it('tells finished, running, queued and absent jobs apart', async () => {
    const http = server({
      '/queue': () => json({ queue_running: [[0, 'r']], queue_pending: [[1, 'q']] }),
      '/history/f': () => json({ f: done }),
      '/history/r': () => json({}),
      '/history/q': () => json({}),
      '/history/a': () => json({}),
    });
    const seen = await observeJobs(http, 'http://h', ['f', 'r', 'q', 'a']);
    expect([...seen]).toEqual([
      ['f', { kind: 'finished', entry: done }],
      ['r', { kind: 'running' }],
      ['q', { kind: 'queued' }],
      ['a', { kind: 'absent' }],
    ]);
  });

  it('calls a job unreachable, never absent, when the queue or its history cannot be read', async () => {
    const http = server({ '/history/a': () => json({}), '/history/f': () => json({ f: done }) });
    const seen = await observeJobs(http, 'http://h', ['a', 'f', 'x']);
    expect(seen.get('a')).toEqual({ kind: 'unreachable', error: 'comfy-chaos reference client: GET /queue failed: refused /queue' });
    expect(seen.get('f')).toEqual({ kind: 'finished', entry: done });
    expect(seen.get('x')).toEqual({ kind: 'unreachable', error: 'comfy-chaos reference client: GET /history/x failed: refused /history/x' });
  });

  it('reads failures from the last execution_* message, with what is known of the node', () => {
    const entry = (status_str: string, messages: [string, Record<string, unknown>][]) => ({ outputs: {}, status: { status_str, messages } });
    expect(historyOutcome({ outputs: { '9': { a: 1 } } })).toEqual({ type: 'completed', outputs: { '9': { a: 1 } } });
    expect(historyOutcome(entry('error', []))).toEqual({ type: 'failed', error: 'history status error' });
    expect(historyOutcome(entry('error', [['execution_start', {}], ['execution_cached', {}]]))).toEqual({ type: 'failed', error: 'history status error' });
    expect(historyOutcome(entry('error', [['execution_error', { exception_message: ' x ' }]]))).toEqual({ type: 'failed', error: 'x' });
    expect(historyOutcome(entry('error', [['execution_error', { node_id: '3' }]]))).toEqual({ type: 'failed', error: 'execution_error (node 3)' });
    expect(historyOutcome(entry('error', [['execution_error', { node_id: 3, node_type: 'K' }]]))).toEqual({ type: 'failed', error: 'execution_error' });
    expect(historyOutcome(entry('error', [['execution_interrupted', {}], ['execution_error', { exception_message: 'late' }]]))).toEqual({ type: 'failed', error: 'late' });
    expect(historyOutcome(entry('error', [['execution_error', { exception_message: 'early' }], ['execution_interrupted', {}]]))).toEqual({ type: 'interrupted' });
  });
});

describe('Backoff', () => {
  it('uses the plain cap when no pending cap is given, and a jitter of exactly ratio x random', () => {
    const backoff = new Backoff({ baseMs: 100, pendingBaseMs: 10, capMs: 1000, jitterRatio: 0.5, maxAttempts: 0, random: () => 0.5 });
    expect(backoff.delayFor(10, true)).toBe(750);
    expect(backoff.delayFor(10, false)).toBe(750);
    expect(backoff.delayFor(0, false)).toBe(75);
    expect(backoff.delayFor(1, true)).toBe(15);
    expect(backoff.exhausted).toBe(false);
    expect(backoff.next(false)).toBe(75);
    expect(backoff.attempts).toBe(1);
  });

  it('is exhausted exactly at maxAttempts', () => {
    const backoff = new Backoff({ baseMs: 1, pendingBaseMs: 1, capMs: 10, jitterRatio: 0, maxAttempts: 2, random: () => 0 });
    expect(backoff.next(false)).toBe(1);
    expect(backoff.exhausted).toBe(false);
    expect(backoff.next(false)).toBeUndefined();
    expect(backoff.exhausted).toBe(true);
  });
});

describe('ReferenceClient', () => {
  it('opens each named window once, with its own seed derived from the client seed, and closes them all', () => {
    const client = new ReferenceClient({ servers: 'http://a', fetch: noFetch, webSocketFactory: noSocket, seed: 5 });
    const w1 = client.window();
    expect(client.window('default')).toBe(w1);
    const w2 = client.window('second');
    expect(client.windowNames()).toEqual(['default', 'second']);
    expect(w1.clientId).not.toBe(w2.clientId);
    const again = new ReferenceClient({ servers: ['http://a'], fetch: noFetch, webSocketFactory: noSocket, seed: 5 });
    expect(again.window('x').clientId).toBe(w1.clientId);
    expect(again.window('y').clientId).toBe(w2.clientId);
    const other = new ReferenceClient({ servers: ['http://a'], fetch: noFetch, webSocketFactory: noSocket, seed: 6 });
    expect(other.window().clientId).not.toBe(w1.clientId);
    expect(client.pool.servers).toEqual(['http://a']);
    client.close();
    expect(() => w1.submit({})).toThrow(expect.objectContaining({ code: 'CC_ERR_SESSION_CLOSED' }));
    expect(() => w2.connect()).toThrow(expect.objectContaining({ code: 'CC_ERR_SESSION_CLOSED' }));
    expect(() => client.window('third')).toThrow(new ReferenceClientError('CC_ERR_SESSION_CLOSED', 'this reference client was closed'));
  });

  it('checks the transport when it is made', () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    delete g.WebSocket;
    try {
      expect(() => new ReferenceClient({ servers: 'http://a', fetch: noFetch })).toThrow(expect.objectContaining({ code: 'CC_ERR_NO_WEBSOCKET' }));
    } finally {
      if (saved !== undefined) g.WebSocket = saved;
    }
  });
});
