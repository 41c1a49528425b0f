import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/index.ts';
import { ReferenceClient } from '../../../src/reference-client/reference-client.ts';
import { ServerPool } from '../../../src/reference-client/server-pool.ts';
import { WindowSession } from '../../../src/reference-client/window-session.ts';
import { FakeComfy } from './fakes/fake-comfy.ts';
import { record, tinyPrompt, waitFor } from './fakes/session-harness.ts';

/** Two fake servers behind one fetch and one socket factory, routed by host. */
function twoServers() {
  const clock = new VirtualClock();
  const a = new FakeComfy(clock, { baseUrl: 'http://comfy-a:8188' });
  const b = new FakeComfy(clock, { baseUrl: 'http://comfy-b:8188' });
  const pick = (url: string) => (url.includes('comfy-a') ? a : b);
  return {
    clock,
    a,
    b,
    transport: {
      clock,
      fetch: ((url, init) => pick(url).fetch(url, init)) as FakeComfy['fetch'],
      webSocketFactory: ((url) => pick(url).webSocketFactory(url)) as FakeComfy['webSocketFactory'],
    },
    until: (done: () => boolean, maxMs = 120_000) => clock.runUntil(done, maxMs),
  };
}

describe('ServerPool', () => {
  it('gives an unlocked window the least-locked server, ties round-robin', () => {
    const pool = new ServerPool(['http://a', 'http://b/']);
    expect(pool.acquire()).toBe('http://a');
    expect(pool.acquire()).toBe('http://b');
    expect(pool.acquire()).toBe('http://a');
    pool.release('http://a');
    pool.release('http://a');
    expect(pool.acquire()).toBe('http://a');
  });

  it('rejects an empty list and URLs that are not http(s)', () => {
    expect(() => new ServerPool([])).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
    expect(() => new ServerPool(['ws://x'])).toThrow(/ws:\/\/x.*not an http/);
  });
});

describe('windows and server locking', () => {
  it('keeps two windows isolated: own clientId, and events only for their own jobs', async () => {
    const clock = new VirtualClock();
    const server = new FakeComfy(clock);
    const client = new ReferenceClient({ servers: server.baseUrl, clock, fetch: server.fetch, webSocketFactory: server.webSocketFactory, seed: 3 });
    const w1 = client.window('one');
    const w2 = client.window('two');
    expect(w1.clientId).not.toBe(w2.clientId);
    const e1 = record(w1);
    const e2 = record(w2);
    const j1 = w1.submit(tinyPrompt);
    const j2 = w2.submit(tinyPrompt);
    const until = (done: () => boolean) => clock.runUntil(done, 120_000);
    await waitFor({ until }, Promise.all([j1.accepted, j2.accepted]));
    server.start(j1.promptId);
    server.step(1);
    // A broadcast of window one's prompt id reaches every socket; window two must not report it.
    server.sendRaw(JSON.stringify({ type: 'execution_interrupted', data: { prompt_id: j1.promptId, node_id: '3', node_type: 'K', executed: [], timestamp: 1 } }), w2.clientId);
    server.finish();
    server.start(j2.promptId);
    server.finish();
    await until(() => w1.status().counters.jobs.completed === 1 && w2.status().counters.jobs.completed === 1);
    const ids = (events: { promptId?: string }[]) => new Set(events.filter((e) => e.promptId).map((e) => e.promptId));
    expect(ids(e1 as { promptId?: string }[])).toEqual(new Set([j1.promptId]));
    expect(ids(e2 as { promptId?: string }[])).toEqual(new Set([j2.promptId]));
    expect(w2.status().counters.jobs.interrupted).toBe(0);
    client.close();
  });

  it('sends uploads, prompts, socket and history of a window to its locked server, then releases the lock', async () => {
    const t = twoServers();
    const pool = new ServerPool([t.a.baseUrl, t.b.baseUrl]);
    const other = new WindowSession({ servers: pool, ...t.transport, seed: 1, lockReleaseDelayMs: 2000 });
    const w = new WindowSession({ servers: pool, ...t.transport, seed: 2, lockReleaseDelayMs: 2000 });
    other.submit(tinyPrompt); // takes comfy-a
    const upload = await waitFor(t, w.uploadImage({ name: 'in.png', data: new Uint8Array([1, 2]) }));
    expect(upload.name).toBe('in.png');
    expect(w.status().lockedServer).toBe(t.b.baseUrl);
    const jobs = [w.submit(tinyPrompt), w.submit(tinyPrompt)];
    await waitFor(t, Promise.all(jobs.map((j) => j.accepted)));
    expect(t.b.pending.map((j) => j.promptId)).toEqual(jobs.map((j) => j.promptId));
    expect(w.status()).toMatchObject({ lockedServer: t.b.baseUrl, connectedServer: t.b.baseUrl });
    t.b.start();
    t.b.finish();
    await t.until(() => w.status().counters.jobs.completed === 1);
    await t.clock.advanceBy(5000);
    expect(w.status().lockedServer).toBe(t.b.baseUrl); // a job is still pending
    t.b.start();
    t.b.finish();
    await t.until(() => w.status().counters.jobs.completed === 2);
    const traffic = (fake: FakeComfy) => fake.requests.filter((r) => r.path !== '/queue').map((r) => r.path);
    expect(traffic(t.b)).toEqual(expect.arrayContaining(['/upload/image', '/prompt', `/history/${jobs[0]!.promptId}`]));
    expect(t.a.requests.filter((r) => r.path.startsWith('/history') || r.path === '/upload/image')).toHaveLength(0);
    expect(t.a.allSockets.filter((s) => s.clientId === w.clientId)).toHaveLength(0);
    await t.until(() => w.status().lockedServer === undefined, 10_000);
    expect(w.status().lockedServer).toBeUndefined();
    expect(w.status().counters.lockReleases).toBe(1);
    expect(pool.lockCount(t.b.baseUrl)).toBe(0);
  });

  it('can force the lock off while a job is pending; the job is then followed over HTTP on its own server', async () => {
    const t = twoServers();
    const pool = new ServerPool([t.a.baseUrl, t.b.baseUrl]);
    const w = new WindowSession({ servers: pool, ...t.transport, seed: 2, pollIntervalMs: 1000 });
    const first = w.submit(tinyPrompt);
    await waitFor(t, first.accepted);
    expect(w.releaseLock()).toBe(false);
    expect(w.releaseLock({ force: true })).toBe(true);
    // Someone else holds comfy-a, so the next lock goes to comfy-b.
    pool.acquire();
    pool.acquire();
    pool.release(t.b.baseUrl);
    expect(pool.lockCount(t.a.baseUrl)).toBe(1);
    const second = w.submit(tinyPrompt);
    await waitFor(t, second.accepted);
    expect(w.status()).toMatchObject({ lockedServer: t.b.baseUrl, connectedServer: t.b.baseUrl, polling: true });
    t.a.start();
    t.a.finish();
    await t.until(() => w.status().counters.jobs.completed === 1);
    const ends = await waitFor(t, first.outcome);
    expect(ends).toMatchObject({ type: 'completed', server: t.a.baseUrl });
  });

  it('exposes connection, locked server, pending jobs and counters in status()', async () => {
    const clock = new VirtualClock();
    const server = new FakeComfy(clock);
    const w = new WindowSession({ servers: server.baseUrl, clock, fetch: server.fetch, webSocketFactory: server.webSocketFactory, clientId: 'me' });
    expect(w.status()).toMatchObject({ clientId: 'me', connection: 'idle', healthy: false, lockedServer: undefined, pendingJobs: [] });
    const job = w.submit(tinyPrompt);
    await clock.runUntil(() => w.status().healthy && server.pending.length === 1, 10_000);
    expect(w.status()).toMatchObject({
      connection: 'open',
      healthy: true,
      lockedServer: server.baseUrl,
      pendingJobs: [{ promptId: job.promptId, server: server.baseUrl, state: 'queued' }],
      counters: { jobs: { completed: 0 }, connection: { opens: 1 } },
    });
  });

  it('fails pending jobs as disconnected when the window is closed, and refuses new work', async () => {
    const clock = new VirtualClock();
    const server = new FakeComfy(clock);
    const w = new WindowSession({ servers: server.baseUrl, clock, fetch: server.fetch, webSocketFactory: server.webSocketFactory });
    const job = w.submit(tinyPrompt);
    await clock.runUntil(() => server.pending.length === 1, 10_000);
    await clock.advanceBy(10);
    w.close();
    await clock.advanceBy(10);
    expect(await job.outcome).toMatchObject({ type: 'failed', reason: 'disconnected' });
    expect(() => w.submit(tinyPrompt)).toThrow(expect.objectContaining({ code: 'CC_ERR_SESSION_CLOSED' }));
  });
});
