import { describe, expect, it } from 'vitest';
import { setup, tinyPrompt, waitFor } from './fakes/session-harness.ts';

/**
 * A job's state learnt after the resync that would have acted on it (issue 11, scenario 4.10 on
 * the network, one run in ten). Each test forces one interleaving in virtual time: the socket
 * comes back (and resyncs) while some other source of news about the job is still on its way,
 * and the job ended while nobody listened. The job must be reported completed, once, within the
 * catalogue's latency bound (5 s), not rescued 30 s later by deaf-socket detection (the socket
 * stays silent: the job is over) or by its timeout's last check (an hour by default).
 */
const LATENCY_BOUND_MS = 5_000;
describe('WindowSession: news that arrives after the resync', () => {
  it('completes a job whose POST reply was lost and which finished unheard, when the look that finds it comes after the reconnect', async () => {
    // The look before the retry comes 2 s after the failed POST, as at 3.51 s in the network run.
    const t = setup({ clientId: 'c1', submitRetryDelayMs: 2_000 });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.postFaults = ['lose-reply']; // queued, then the reply is lost
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.terminateAll();
    t.server.start();
    t.server.finish(); // every frame of the job goes to nobody
    // The socket is back (and resynced, without the job: it was still being submitted) before
    // the submit's look before its retry (submitRetryDelayMs later) finds the job in history.
    await t.until(() => t.session.status().counters.connection.reconnects === 1 && t.session.status().healthy);
    expect(t.session.status().pendingJobs).toEqual([expect.objectContaining({ promptId: job.promptId, state: 'submitting' })]);
    expect(await waitFor(t, job.accepted)).toMatchObject({ ok: true });
    await t.until(() => t.terminal(job.promptId).length > 0, LATENCY_BOUND_MS);
    expect(t.terminal(job.promptId), 'an outcome within the latency bound').toHaveLength(1);
    await t.wait(60_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    expect(t.server.requests.filter((r) => r.method === 'POST' && r.path === '/prompt')).toHaveLength(1);
  });

  it('completes a job whose POST reply arrives only after the socket dropped, reconnected and resynced while the job finished', async () => {
    const t = setup({ clientId: 'c1' });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.slowReplies = [{ method: 'POST', path: '/prompt', delayMs: 3_000, times: 1 }];
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1); // queued; its reply is on a slow link
    t.server.terminateAll();
    t.server.start();
    t.server.finish();
    await t.until(() => t.session.status().counters.connection.reconnects === 1 && t.session.status().healthy);
    expect(t.session.status().pendingJobs).toEqual([expect.objectContaining({ state: 'submitting' })]);
    expect(await waitFor(t, job.accepted)).toMatchObject({ ok: true, number: 0 });
    await t.until(() => t.terminal(job.promptId).length > 0, LATENCY_BOUND_MS);
    expect(t.terminal(job.promptId), 'an outcome within the latency bound').toHaveLength(1);
    await t.wait(60_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
  });

  it('completes a job that finished unheard while an older check, read before the end, was still on its way back', async () => {
    const t = setup({ clientId: 'c1' });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5);
    // First drop: the reconnect's resync reads /queue (running) and /history (nothing yet); the
    // history reply takes 3 s to come back.
    t.server.slowReplies = [{ method: 'GET', path: '/history/', delayMs: 3_000, times: 1 }];
    t.server.terminateAll();
    await t.until(() => t.server.requests.some((r) => r.path.startsWith('/history/')));
    // Second drop while that reply travels: the job ends unheard, the socket comes back and its
    // resync (and the bare status frame) ask about a job whose check is still in flight.
    t.server.terminateAll();
    t.server.finish();
    await t.until(() => t.session.status().counters.connection.reconnects === 2 && t.session.status().healthy);
    expect(t.terminal(job.promptId)).toEqual([]);
    await t.until(() => t.terminal(job.promptId).length > 0, LATENCY_BOUND_MS);
    expect(t.terminal(job.promptId), 'an outcome within the latency bound').toHaveLength(1);
    expect(t.session.status().counters.connection.deafDetections).toBe(0);
    await t.wait(60_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
  });

  it('reports the failure a lost-reply look finds in history, not a completion and not nothing', async () => {
    const t = setup({ clientId: 'c1', submitRetryDelayMs: 2_000 });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.postFaults = ['lose-reply'];
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.terminateAll();
    t.server.start();
    t.server.fail('out of memory\n');
    await t.until(() => t.session.status().counters.connection.reconnects === 1 && t.session.status().healthy);
    await waitFor(t, job.accepted);
    await t.until(() => t.terminal(job.promptId).length > 0, LATENCY_BOUND_MS);
    expect(t.terminal(job.promptId), 'an outcome within the latency bound').toHaveLength(1);
    await t.wait(60_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'failed', reason: 'error', error: 'out of memory (node 3 KSampler)' })]);
  });

  it('reports at once the end a lost-reply look found in history, even on a socket that never dropped but went deaf', async () => {
    const t = setup({ clientId: 'c1', submitRetryDelayMs: 2_000 });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.postFaults = ['lose-reply'];
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    for (const socket of t.server.openSockets) socket.deaf = true; // open, and silent from now on
    t.server.start();
    t.server.finish();
    await waitFor(t, job.accepted);
    await t.until(() => t.terminal(job.promptId).length > 0, LATENCY_BOUND_MS);
    expect(t.terminal(job.promptId), 'an outcome within the latency bound').toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    expect(t.session.status().counters.connection).toMatchObject({ reconnects: 0, deafDetections: 0 });
  });

  it('does not add an HTTP check to a submit whose socket stayed up', async () => {
    const t = setup({ clientId: 'c1' });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    // One history read (the confirmation), no /queue: nothing was missed, so nothing is checked.
    expect(t.server.requests.map((r) => `${r.method} ${r.path.replace(/\/history\/.*/, '/history/{id}')}`)).toEqual(['POST /prompt', 'GET /history/{id}']);
  });
});
