/**
 * WindowSession behaviour StrykerJS found loosely tested (npm run mutation): the POST body, the
 * submit retry policy and its failure reasons, the server lock's timing, uploads, cancel, status
 * and close.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, type FetchLike } from '../../../src/protocol/index.ts';
import { ServerPool } from '../../../src/reference-client/server-pool.ts';
import { WindowSession, type WindowSessionOptions } from '../../../src/reference-client/window-session.ts';
import { FakeComfy } from './fakes/fake-comfy.ts';
import { record, tinyPrompt, waitFor } from './fakes/session-harness.ts';

/** Like the shared harness, plus the bodies of every POST the session sent. */
function make(options: Partial<WindowSessionOptions> = {}) {
  const clock = new VirtualClock();
  const server = new FakeComfy(clock);
  const posts: { path: string; body: unknown }[] = [];
  const hooks: { beforeRequest?: (method: string, path: string) => void } = {};
  const fetch: FetchLike = (url, init = {}) => {
    hooks.beforeRequest?.(init.method ?? 'GET', new URL(url).pathname);
    if (init.method === 'POST' && typeof init.body === 'string') posts.push({ path: new URL(url).pathname, body: JSON.parse(init.body) });
    return server.fetch(url, init);
  };
  const session = new WindowSession({ servers: server.baseUrl, clock, fetch, webSocketFactory: server.webSocketFactory, seed: 11, ...options });
  const events = record(session);
  const terminal = (promptId: string) =>
    events.filter((e) => 'promptId' in e && e.promptId === promptId && ['completed', 'failed', 'interrupted', 'lost'].includes(e.type));
  return {
    clock,
    server,
    session,
    events,
    posts,
    hooks,
    terminal,
    until: (done: () => boolean, maxMs = 120_000) => clock.runUntil(done, maxMs),
    wait: (ms: number) => clock.advanceBy(ms),
  };
}

const promptPosts = (t: ReturnType<typeof make>) => t.server.requests.filter((r) => r.method === 'POST' && r.path === '/prompt');

describe('WindowSession: identity and the POST body', () => {
  it('makes a 32-hex-digit clientId from the seed, and refuses an empty one', () => {
    const a = make();
    const b = make();
    expect(a.session.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.session.clientId).toBe(b.session.clientId);
    expect(make({ seed: 12 }).session.clientId).not.toBe(a.session.clientId);
    expect(() => make({ clientId: '' })).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION', message: expect.stringContaining('clientId must not be empty') }));
  });

  it('posts prompt, client_id, prompt_id and extra_data, with client_id always its own', async () => {
    const t = make({ clientId: 'me' });
    const job = t.session.submit(tinyPrompt, { promptId: 'chosen-id', extraData: { client_id: 'someone-else', api_key: 'k' } });
    expect(job.promptId).toBe('chosen-id');
    expect(await waitFor(t, job.accepted)).toEqual({ ok: true, server: t.server.baseUrl, promptId: job.promptId, number: 0 });
    expect(t.posts).toEqual([
      { path: '/prompt', body: { prompt: tinyPrompt, client_id: 'me', prompt_id: 'chosen-id', extra_data: { client_id: 'me', api_key: 'k', reference_client_submit_id: 'chosen-id' } } },
    ]);
    expect(t.events[0]).toEqual({ type: 'connection', state: 'connecting', healthy: false, server: t.server.baseUrl });
    expect(t.events.find((e) => e.type === 'submitted')).toEqual({ type: 'submitted', promptId: 'chosen-id', submitId: 'chosen-id', server: t.server.baseUrl, number: 0 });
  });

  it('refuses a prompt id already used in the window', async () => {
    const t = make();
    t.session.submit(tinyPrompt, { promptId: 'p' });
    expect(() => t.session.submit(tinyPrompt, { promptId: 'p' })).toThrow(
      expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION', message: expect.stringContaining('prompt id p was already submitted in this window') }),
    );
  });

  it('waits for the socket before posting, so the first events of a cached job are heard', async () => {
    const t = make();
    const job = t.session.submit(tinyPrompt);
    await t.wait(0);
    expect(promptPosts(t)).toHaveLength(0);
    await waitFor(t, job.accepted);
    expect(t.server.allSockets).toHaveLength(1);
    expect(t.server.requests[0]).toEqual({ method: 'POST', path: '/prompt' });
  });

  it('posts anyway after socketReadyTimeoutMs when the socket cannot open', async () => {
    const t = make({ socketReadyTimeoutMs: 3000 });
    t.server.refuseUpgrades = true;
    const job = t.session.submit(tinyPrompt);
    await t.wait(2990);
    expect(promptPosts(t)).toHaveLength(0);
    await t.wait(20);
    expect(promptPosts(t)).toHaveLength(1);
    expect(await waitFor(t, job.accepted)).toMatchObject({ ok: true });
  });
});

describe('WindowSession: submit failures', () => {
  it('fails a 400 at once with the validation message and no submitted event', async () => {
    const t = make();
    const job = t.session.submit({});
    expect(await waitFor(t, job.accepted)).toEqual({ ok: false, error: 'prompt rejected (400): prompt_no_outputs: Prompt has no outputs' });
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', reason: 'error', error: 'prompt rejected (400): prompt_no_outputs: Prompt has no outputs' });
    expect(promptPosts(t)).toHaveLength(1);
    expect(t.events.some((e) => e.type === 'submitted')).toBe(false);
    expect(t.session.status().counters.recovery.submitRetries).toBe(0);
  });

  it('retries a 5xx submitRetryLimit times with doubling delays, looking first each time, then fails with reason error', async () => {
    const t = make({ submitRetryLimit: 2, submitRetryDelayMs: 1000 });
    t.server.postFaults = [503, 503, 503];
    const job = t.session.submit(tinyPrompt);
    await t.until(() => promptPosts(t).length === 1);
    const firstAt = t.clock.now();
    await t.until(() => promptPosts(t).length === 2);
    const secondAt = t.clock.now();
    await t.until(() => promptPosts(t).length === 3);
    const thirdAt = t.clock.now();
    // 1000 ms then 2000 ms, plus a few ms of look-up round trips.
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(1000);
    expect(secondAt - firstAt).toBeLessThan(1100);
    expect(thirdAt - secondAt).toBeGreaterThanOrEqual(2000);
    expect(thirdAt - secondAt).toBeLessThan(2100);
    const result = await waitFor(t, job.accepted);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^POST \/prompt failed after 3 attempt\(s\): comfy-chaos reference client: POST \/prompt answered 503/) });
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', reason: 'error' });
    expect(promptPosts(t)).toHaveLength(3);
    expect(t.session.status().counters.recovery.submitRetries).toBe(2);
    // Before each retry and at the end: a look at /queue and /history, never a blind re-post.
    expect(t.server.requests.filter((r) => r.path === '/queue')).toHaveLength(3);
  });

  it('does not retry a non-transient status such as 404', async () => {
    const t = make();
    t.server.postFaults = [404];
    const job = t.session.submit(tinyPrompt);
    const result = await waitFor(t, job.accepted);
    expect(result).toEqual({ ok: false, error: expect.stringContaining('POST /prompt failed after 1 attempt(s)') });
    expect(promptPosts(t)).toHaveLength(1);
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', reason: 'error' });
  });

  it('recovers a 5xx whose prompt was queued anyway, found by the look before the retry', async () => {
    const t = make();
    t.server.postFaults = ['lose-reply'];
    const job = t.session.submit(tinyPrompt);
    expect(await waitFor(t, job.accepted)).toEqual({ ok: true, server: t.server.baseUrl, promptId: job.promptId });
    expect(promptPosts(t)).toHaveLength(1);
    expect(t.events.find((e) => e.type === 'submitted')).toEqual({ type: 'submitted', promptId: job.promptId, submitId: job.promptId, server: t.server.baseUrl });
  });

  it('follows a prompt queued by the last attempt whose reply was lost, found by the last look', async () => {
    const t = make({ submitRetryLimit: 1, submitRetryDelayMs: 100 });
    t.server.postFaults = [503, 'lose-reply'];
    const job = t.session.submit(tinyPrompt);
    expect(await waitFor(t, job.accepted)).toEqual({ ok: true, server: t.server.baseUrl, promptId: job.promptId });
    expect(promptPosts(t)).toHaveLength(2);
    t.server.start();
    t.server.finish();
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'completed', confirmedBy: 'history' });
  });

  it('follows a prompt that already ran to its end when the last look finds it in history', async () => {
    const t = make({ submitRetryLimit: 0 });
    t.server.postFaults = ['lose-reply'];
    t.hooks.beforeRequest = (method, path) => {
      // The cached prompt runs and finishes before the client looks.
      if (method === 'GET' && path === '/queue' && t.server.pending.length === 1) {
        t.server.start();
        t.server.finish();
      }
    };
    const job = t.session.submit(tinyPrompt);
    expect(await waitFor(t, job.accepted)).toEqual({ ok: true, server: t.server.baseUrl, promptId: job.promptId });
    expect(promptPosts(t)).toHaveLength(1);
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'completed' });
  });

  it('fails with reason disconnected, without posting blind, when the server stays unreachable', async () => {
    const t = make({ submitRetryLimit: 2, submitRetryDelayMs: 100, socketReadyTimeoutMs: 100 });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.down = true;
    const job = t.session.submit(tinyPrompt);
    const result = await waitFor(t, job.accepted);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^POST \/prompt failed after 3 attempt\(s\): .*could not look for the prompt before posting again/) });
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', reason: 'disconnected' });
    expect(t.session.status().counters.recovery.submitRetries).toBe(2);
  });

  it('stops retrying once the window is closed', async () => {
    const t = make({ submitRetryDelayMs: 1000 });
    t.server.postFaults = [503];
    const job = t.session.submit(tinyPrompt);
    await t.until(() => promptPosts(t).length === 1);
    await t.wait(10);
    t.session.close();
    expect(await waitFor(t, job.accepted)).toEqual({ ok: false, error: 'window session closed' });
    expect(promptPosts(t)).toHaveLength(1);
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', reason: 'disconnected', error: 'window session closed' });
  });
});

describe('WindowSession: the server lock', () => {
  it('keeps the lock while a job is pending and releases it lockReleaseDelayMs after the last one ended', async () => {
    const t = make({ lockReleaseDelayMs: 2000 });
    expect(t.session.releaseLock()).toBe(false); // nothing locked
    const job = t.session.submit(tinyPrompt);
    expect(t.session.status().lockedServer).toBe(t.server.baseUrl);
    await waitFor(t, job.accepted);
    expect(t.session.releaseLock()).toBe(false); // a job is pending
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    const endedAt = t.clock.now();
    await t.until(() => t.session.status().lockedServer === undefined, 10_000);
    expect(t.clock.now() - endedAt).toBeGreaterThanOrEqual(1990);
    expect(t.clock.now() - endedAt).toBeLessThanOrEqual(2000);
    expect(t.session.status().counters.lockReleases).toBe(1);
  });

  it('cancels the scheduled release when new work arrives, and releases by hand when idle', async () => {
    const pool = new ServerPool(['http://fake-comfy:8188']);
    const t = make({ servers: pool, lockReleaseDelayMs: 2000 });
    const first = t.session.submit(tinyPrompt);
    await waitFor(t, first.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(first.promptId).length > 0);
    await t.wait(1000);
    const second = t.session.submit(tinyPrompt);
    await waitFor(t, second.accepted);
    await t.wait(5000);
    expect(t.session.status().lockedServer).toBe(t.server.baseUrl);
    expect(pool.lockCount(t.server.baseUrl)).toBe(1);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(second.promptId).length > 0);
    expect(t.session.releaseLock()).toBe(true);
    expect(pool.lockCount(t.server.baseUrl)).toBe(0);
    expect(t.session.releaseLock()).toBe(false);
    await t.wait(5000);
    expect(t.session.status().counters.lockReleases).toBe(1);
  });

  it('holds the lock during an upload, and sends the upload to the locked server', async () => {
    const t = make({ lockReleaseDelayMs: 10 });
    let done = false;
    const upload = t.session.uploadImage({ name: 'in.png', data: new Uint8Array([1]) }).then((r) => {
      done = true;
      return r;
    });
    expect(t.session.releaseLock()).toBe(false);
    expect(await waitFor(t, upload)).toEqual({ name: 'in.png', subfolder: '', type: 'input' });
    expect(done).toBe(true);
    expect(t.server.requests).toContainEqual({ method: 'POST', path: '/upload/image' });
    await t.wait(100);
    expect(t.session.status().lockedServer).toBeUndefined();
  });

  it('connects ahead of the first job to the first server, then follows the lock', async () => {
    const a = new FakeComfy(new VirtualClock(), { baseUrl: 'http://a:1' });
    const clock = a.clock;
    const b = new FakeComfy(clock, { baseUrl: 'http://b:1' });
    const pool = new ServerPool([a.baseUrl, b.baseUrl]);
    pool.acquire(); // another window holds a
    const route = (url: string) => (url.includes('//a:1') ? a : b);
    const session = new WindowSession({
      servers: pool,
      clock,
      fetch: (url, init) => route(url).fetch(url, init),
      webSocketFactory: (url) => route(url).webSocketFactory(url),
      seed: 1,
    });
    session.connect();
    expect(session.status().connectedServer).toBe('http://a:1');
    session.submit(tinyPrompt);
    expect(session.status()).toMatchObject({ lockedServer: 'http://b:1', connectedServer: 'http://b:1' });
    session.connect();
    expect(session.status().connectedServer).toBe('http://b:1');
    await clock.runUntil(() => b.pending.length === 1, 10_000);
    expect(a.pending).toHaveLength(0);
    session.close();
  });
});

describe('WindowSession: cancel, status and close', () => {
  it('says not_pending for an unknown job, and waits for the POST reply before cancelling a submitting one', async () => {
    const t = make();
    expect(await t.session.cancel('nope')).toBe('not_pending');
    const job = t.session.submit(tinyPrompt);
    const result = await waitFor(t, t.session.cancel(job.promptId));
    expect(result).toBe('deleted');
    expect(t.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /prompt', 'GET /queue', 'POST /queue', 'GET /queue']);
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'interrupted', cancelled: true });
  });

  it('says not_pending for a job whose POST was refused while the cancel waited', async () => {
    const t = make();
    const job = t.session.submit({});
    expect(await waitFor(t, t.session.cancel(job.promptId))).toBe('not_pending');
  });

  it('says not_pending when the server has neither queued nor running the job', async () => {
    const t = make();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.pending = [];
    expect(await waitFor(t, t.session.cancel(job.promptId))).toBe('not_pending');
    expect(t.server.requests.some((r) => r.path === '/interrupt' || (r.method === 'POST' && r.path === '/queue'))).toBe(false);
  });

  it('interrupts a job that started between the two queue reads of a cancel', async () => {
    const t = make();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.hooks.beforeRequest = (method, path) => {
      // The job leaves the pending list and starts just as the delete request goes out.
      if (method === 'POST' && path === '/queue') t.server.start(job.promptId);
    };
    expect(await waitFor(t, t.session.cancel(job.promptId))).toBe('interrupted');
    expect(t.server.requests.map((r) => `${r.method} ${r.path}`).slice(1)).toEqual(['GET /queue', 'POST /queue', 'GET /queue', 'POST /interrupt']);
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'interrupted', cancelled: false })]);
  });

  it('reports connection, health, pending jobs and counters', async () => {
    const t = make({ clientId: 'c' });
    const idle = t.session.status();
    expect(idle).toMatchObject({ clientId: 'c', connection: 'idle', healthy: false, connectedServer: undefined, lockedServer: undefined, polling: false, pendingJobs: [] });
    expect(idle.counters).toMatchObject({ http: { requests: 0, failures: 0 }, progressDropped: 0, lockReleases: 0, listenerErrors: 0 });
    const job = t.session.submit(tinyPrompt);
    expect(t.session.status().pendingJobs).toEqual([{ promptId: job.promptId, server: t.server.baseUrl, state: 'submitting' }]);
    await waitFor(t, job.accepted);
    expect(t.session.status().pendingJobs).toEqual([{ promptId: job.promptId, server: t.server.baseUrl, state: 'queued' }]);
    t.server.start();
    await t.wait(5);
    const running = t.session.status();
    expect(running.pendingJobs).toEqual([{ promptId: job.promptId, server: t.server.baseUrl, state: 'running' }]);
    expect(running).toMatchObject({ connection: 'open', healthy: true, connectedServer: t.server.baseUrl, polling: false });
    expect(running.counters.http.requests).toBe(1);
    expect(running.counters.frames.messages).toBeGreaterThan(0);
    expect(running.counters.connection.opens).toBe(1);
    t.session.on('progress', () => {
      throw new Error('listener bug');
    });
    t.server.step(1);
    await t.wait(100);
    expect(t.session.status().counters.listenerErrors).toBe(1);
  });

  it('emits connection events with state, health and server, and stops emitting after off()', async () => {
    const t = make();
    const seen: string[] = [];
    const listener = (e: { state: string; healthy: boolean }) => seen.push(`${e.state}/${e.healthy}`);
    t.session.on('connection', listener);
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    expect(seen).toEqual(['connecting/false', 'open/false', 'open/true']);
    t.session.off('connection', listener);
    t.server.terminateAll();
    await t.wait(100);
    expect(seen).toHaveLength(3);
  });

  it('closes once: fails pending jobs, releases the lock, stops polling and timers, refuses new work', async () => {
    const pool = new ServerPool(['http://fake-comfy:8188']);
    const t = make({ servers: pool, pollIntervalMs: 100 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.down = true;
    t.server.terminateAll();
    await t.wait(500);
    expect(t.session.status().polling).toBe(true);
    t.session.close();
    t.session.close();
    expect(await waitFor(t, job.outcome)).toEqual({ type: 'failed', promptId: job.promptId, server: t.server.baseUrl, reason: 'disconnected', error: 'window session closed' });
    expect(t.terminal(job.promptId)).toHaveLength(1);
    const status = t.session.status();
    expect(status).toMatchObject({ connection: 'closed', polling: false, lockedServer: undefined });
    expect(pool.lockCount(t.server.baseUrl)).toBe(0);
    expect(status.counters.lockReleases).toBe(1);
    const requests = t.server.requests.length;
    await t.wait(60_000);
    expect(t.server.requests.length).toBe(requests);
    expect(() => t.session.connect()).toThrow(expect.objectContaining({ code: 'CC_ERR_SESSION_CLOSED', message: expect.stringContaining('this window session was closed; open a new one') }));
    await expect(t.session.uploadImage({ name: 'x', data: new Uint8Array([1]) })).rejects.toMatchObject({ code: 'CC_ERR_SESSION_CLOSED' });
  });
});
