/**
 * How a window follows a job from every source (socket, history confirmation, checks, timers),
 * pinned down where StrykerJS found it loosely tested (npm run mutation): exact error texts,
 * the timing of retries, rechecks and timeouts, the status trigger, and preview attribution.
 */
import { describe, expect, it } from 'vitest';
import { setup, tinyPrompt, waitFor } from './fakes/session-harness.ts';

const history = (t: ReturnType<typeof setup>, promptId: string) => t.server.requests.filter((r) => r.path === `/history/${promptId}`).length;

describe('JobFollower: endings and their texts', () => {
  it('reports an execution_error with the trimmed message, node id and node type, flushing progress first', async () => {
    const t = setup({ progressDebounceMs: 1000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.step(4);
    t.server.fail('  CUDA out of memory \n');
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([
      { type: 'failed', promptId: job.promptId, server: t.server.baseUrl, reason: 'error', error: 'CUDA out of memory (node 3 KSampler)' },
    ]);
    const types = t.events.filter((e) => 'promptId' in e && e.promptId === job.promptId).map((e) => e.type);
    expect(types).toEqual(['submitted', 'progress', 'failed']);
    expect(await waitFor(t, job.outcome)).toMatchObject({ type: 'failed', error: 'CUDA out of memory (node 3 KSampler)' });
    expect(t.session.status().counters.jobs).toMatchObject({ failed: 1, completed: 0 });
  });

  it('reports an interrupt seen on the socket as interrupted, not cancelled', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.interruptRunning();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([{ type: 'interrupted', promptId: job.promptId, server: t.server.baseUrl, cancelled: false }]);
  });

  it('completes with the history outputs and resolves the outcome with the same event', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish({ '9': { images: [{ filename: 'h.png', subfolder: '', type: 'output' }] } });
    const outcome = await waitFor(t, job.outcome);
    const expected = { promptId: job.promptId, server: t.server.baseUrl, outputs: { '9': { images: [{ filename: 'h.png', subfolder: '', type: 'output' }] } }, confirmedBy: 'history' };
    expect(outcome).toEqual({ type: 'completed', ...expected });
    expect(t.terminal(job.promptId)).toEqual([{ type: 'completed', ...expected }]);
    expect(t.session.status().pendingJobs).toEqual([]);
  });

  it('reads an interrupt or an error from history when the socket missed the end', async () => {
    for (const end of ['interrupt', 'error'] as const) {
      const t = setup();
      const job = t.session.submit(tinyPrompt);
      await waitFor(t, job.accepted);
      t.server.start();
      await t.wait(5);
      for (const socket of t.server.openSockets) socket.deaf = true;
      if (end === 'interrupt') t.server.interruptRunning();
      else t.server.fail('bad\n');
      t.server.terminateAll();
      await t.until(() => t.terminal(job.promptId).length > 0);
      if (end === 'interrupt') expect(t.terminal(job.promptId)).toEqual([{ type: 'interrupted', promptId: job.promptId, server: t.server.baseUrl, cancelled: false }]);
      else expect(t.terminal(job.promptId)).toEqual([{ type: 'failed', promptId: job.promptId, server: t.server.baseUrl, reason: 'error', error: 'bad (node 3 KSampler)' }]);
    }
  });
});

describe('JobFollower: history confirmation', () => {
  it('retries /history every historyRetryDelayMs, historyRetryLimit times, then falls back to socket outputs', async () => {
    const t = setup({ historyRetryLimit: 3, historyRetryDelayMs: 400 });
    t.server.historyFailures = 1000;
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish({ '9': { images: [{ filename: 'ws.png', subfolder: '', type: 'output' }] } });
    await t.until(() => history(t, job.promptId) === 1);
    const started = t.clock.now();
    await t.until(() => t.terminal(job.promptId).length > 0);
    // 3 retries 400 ms apart (plus 1 ms replies each).
    expect(t.clock.now() - started).toBeGreaterThanOrEqual(1200);
    expect(t.clock.now() - started).toBeLessThan(1300);
    expect(history(t, job.promptId)).toBe(4);
    expect(t.terminal(job.promptId)).toEqual([
      { type: 'completed', promptId: job.promptId, server: t.server.baseUrl, outputs: { '9': { images: [{ filename: 'ws.png', subfolder: '', type: 'output' }] } }, confirmedBy: 'websocket' },
    ]);
    const recovery = t.session.status().counters.recovery;
    expect(recovery.historyRetries).toBe(3);
    expect(recovery.historyFallbacks).toBe(1);
  });

  it('does not fall back to socket outputs without execution_success: it checks instead, and finds the job lost', async () => {
    const t = setup({ historyRetryLimit: 1, historyRetryDelayMs: 100, lostConfirmations: 2, lostRecheckDelayMs: 500 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5);
    // The job vanishes (no history, not in the queue) and the socket says it is done executing.
    t.server.running = undefined;
    t.server.sendMessage(t.session.clientId, 'executing', { node: null, prompt_id: job.promptId });
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([
      { type: 'lost', promptId: job.promptId, server: t.server.baseUrl, error: 'in neither /queue nor /history after 2 checks (server restarted?)' },
    ]);
    expect(t.session.status().counters.recovery.historyFallbacks).toBe(0);
  });

  it('confirms a late history entry on a retry, without falling back', async () => {
    const t = setup({ historyRetryDelayMs: 250 });
    t.server.historyDelayMs = 600;
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    expect(t.session.status().counters.recovery).toMatchObject({ historyRetries: 3, historyFallbacks: 0 });
  });
});

describe('JobFollower: checks, lost and unreachable jobs', () => {
  it('declares a job lost only after lostConfirmations absences lostRecheckDelayMs apart', async () => {
    const t = setup({ lostConfirmations: 3, lostRecheckDelayMs: 2000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5);
    t.server.restart();
    const restartedAt = t.clock.now();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.clock.now() - restartedAt).toBeGreaterThanOrEqual(4000);
    expect(t.clock.now() - restartedAt).toBeLessThan(4500);
    expect(t.terminal(job.promptId)).toEqual([
      { type: 'lost', promptId: job.promptId, server: t.server.baseUrl, error: 'in neither /queue nor /history after 3 checks (server restarted?)' },
    ]);
    expect(t.session.status().counters.recovery.lostRechecks).toBeGreaterThanOrEqual(2);
    expect(t.session.status().counters.jobs.lost).toBe(1);
  });

  it('forgets earlier absences once the job is seen queued again', async () => {
    const t = setup({ lostConfirmations: 2, lostRecheckDelayMs: 1000, pollIntervalMs: 100_000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    const queued = t.server.pending.splice(0, 1);
    t.server.terminateAll(); // reconnect: resync finds it absent once
    await t.until(() => t.session.status().counters.recovery.resyncs === 1 && t.session.status().healthy);
    await t.wait(10);
    t.server.pending.push(...queued); // it is back in the queue before the recheck
    await t.wait(5000);
    expect(t.terminal(job.promptId)).toEqual([]);
    t.server.pending = []; // gone again: it needs 2 fresh absences
    t.server.sendMessage(t.session.clientId, 'status', { status: { exec_info: { queue_remaining: 0 } } }); // triggers a check
    await t.wait(500);
    expect(t.terminal(job.promptId)).toEqual([]);
    await t.until(() => t.terminal(job.promptId).length > 0, 5000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'lost', error: expect.stringContaining('after 2 checks') })]);
  });

  it('checks on a status frame with an empty queue, and completes a job whose end frames were lost', async () => {
    const t = setup({ healthTimeoutMs: 600_000, pollIntervalMs: 600_000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5);
    const socket = t.server.openSockets[0]!;
    socket.deaf = true;
    t.server.finish();
    await t.wait(10);
    expect(t.terminal(job.promptId)).toEqual([]);
    socket.deaf = false;
    t.server.sendMessage(t.session.clientId, 'status', { status: { exec_info: { queue_remaining: 1 } } });
    await t.wait(10);
    expect(t.terminal(job.promptId)).toEqual([]);
    t.server.sendMessage(t.session.clientId, 'status', { status: { exec_info: { queue_remaining: 0 } } });
    await t.until(() => t.terminal(job.promptId).length > 0, 1000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    expect(t.session.status().counters.recovery.checks).toBe(1);
  });

  it('fails a job HTTP cannot reach with reason disconnected once the connection gave up', async () => {
    const t = setup({ maxReconnectAttempts: 3, reconnectPendingCapMs: 200 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5);
    t.server.down = true;
    t.server.terminateAll();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.session.status().connection).toBe('failed');
    expect(t.terminal(job.promptId)).toEqual([
      { type: 'failed', promptId: job.promptId, server: t.server.baseUrl, reason: 'disconnected', error: expect.stringMatching(/^server unreachable: comfy-chaos reference client: GET \/history\/.* failed: fetch failed: connection refused$/) },
    ]);
  });

  it('keeps a job pending while its server is unreachable but the connection still retries', async () => {
    const t = setup({ pollIntervalMs: 100 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.down = true;
    t.server.terminateAll();
    await t.wait(30_000);
    expect(t.terminal(job.promptId)).toEqual([]);
    expect(t.session.status().counters.recovery.polls).toBeGreaterThan(100);
  });

  it('resyncs only on a (re)connect with accepted jobs of that server', async () => {
    const t = setup();
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.terminateAll();
    await t.until(() => t.server.allSockets.length === 2 && t.session.status().healthy);
    expect(t.session.status().counters.recovery.resyncs).toBe(0);
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.terminateAll();
    await t.until(() => t.server.allSockets.length === 3 && t.session.status().healthy);
    await t.wait(10);
    expect(t.session.status().counters.recovery.resyncs).toBe(1);
  });
});

describe('JobFollower: the job timeout', () => {
  it('fails the job at exactly jobTimeoutMs after submit, with a last check finalCheckLeadMs before', async () => {
    const t = setup({ jobTimeoutMs: 20_000, finalCheckLeadMs: 3000 });
    const submittedAt = t.clock.now();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.until(() => history(t, job.promptId) > 0, 30_000);
    expect(t.clock.now() - submittedAt).toBeGreaterThanOrEqual(17_000);
    expect(t.clock.now() - submittedAt).toBeLessThan(17_010);
    await t.until(() => t.terminal(job.promptId).length > 0, 30_000);
    expect(t.clock.now() - submittedAt).toBe(20_000);
    expect(t.terminal(job.promptId)).toEqual([{ type: 'failed', promptId: job.promptId, server: t.server.baseUrl, reason: 'timeout', error: 'not finished within 20000 ms' }]);
  });

  it('has no timeout with jobTimeoutMs 0, and no last check with finalCheckLeadMs 0', async () => {
    const t = setup({ jobTimeoutMs: 0 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.wait(5 * 3_600_000);
    expect(t.terminal(job.promptId)).toEqual([]);
    const u = setup({ jobTimeoutMs: 10_000, finalCheckLeadMs: 0 });
    const other = u.session.submit(tinyPrompt);
    await waitFor(u, other.accepted);
    u.server.start();
    await u.until(() => u.terminal(other.promptId).length > 0, 20_000);
    expect(history(u, other.promptId)).toBe(0);
    expect(u.terminal(other.promptId)).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });

  it('skips the last check when the lead is not shorter than the time left', async () => {
    const t = setup({ jobTimeoutMs: 10_000, finalCheckLeadMs: 10_000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    await t.until(() => t.terminal(job.promptId).length > 0, 20_000);
    expect(history(t, job.promptId)).toBe(0);
  });

  it('clears the timers of a job that ended', async () => {
    const t = setup({ jobTimeoutMs: 10_000, lockReleaseDelayMs: 10 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(100);
    expect(t.clock.pendingTimers).toBe(0);
  });
});

describe('JobFollower: progress and previews', () => {
  it('drops progress for jobs that are not its own, and marks its job running', async () => {
    const t = setup({ progressDebounceMs: 0 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.sendMessage(t.session.clientId, 'progress', { value: 1, max: 2, prompt_id: 'someone-else', node: '3' });
    t.server.sendMessage(t.session.clientId, 'execution_start', { prompt_id: 'someone-else', timestamp: 1 });
    await t.wait(10);
    expect(t.events.filter((e) => e.type === 'progress')).toEqual([]);
    expect(t.session.status().pendingJobs[0]!.state).toBe('queued');
    t.server.start();
    t.server.step(1, 2);
    await t.wait(10);
    expect(t.session.status().pendingJobs[0]!.state).toBe('running');
    expect(t.events.filter((e) => e.type === 'progress')).toEqual([{ type: 'progress', promptId: job.promptId, value: 1, max: 2, node: '3' }]);
  });

  it('does not attribute a type-1 preview when two of its jobs could be running', async () => {
    const t = setup();
    const a = t.session.submit(tinyPrompt);
    const b = t.session.submit(tinyPrompt);
    await waitFor(t, a.accepted);
    await waitFor(t, b.accepted);
    t.server.sendRaw(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 7]));
    await t.wait(10);
    expect(t.events.filter((e) => e.type === 'preview')).toEqual([]);
    expect(t.session.status().counters.recovery.previewsUnattributed).toBe(1);
    // Once one runs, the running one gets it, as a PNG here, with the node last seen executing.
    t.server.start(a.promptId);
    await t.wait(5);
    t.server.sendRaw(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 7]));
    await t.wait(10);
    expect(t.events.filter((e) => e.type === 'preview')).toEqual([{ type: 'preview', promptId: a.promptId, mimeType: 'image/png', image: new Uint8Array([7]), node: '3' }]);
  });

  it('attributes a type-1 preview to the only pending job even before it runs, without a node', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.sendRaw(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1, 5]));
    await t.wait(10);
    expect(t.events.filter((e) => e.type === 'preview')).toEqual([{ type: 'preview', promptId: job.promptId, mimeType: 'image/jpeg', image: new Uint8Array([5]) }]);
  });

  it('ignores a metadata preview of another prompt', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.preview({
      kind: 'preview_image_with_metadata',
      metadata: { node_id: '3', prompt_id: 'not-mine', display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/jpeg' },
      image: new Uint8Array([1]),
    });
    await t.wait(10);
    expect(t.events.filter((e) => e.type === 'preview')).toEqual([]);
  });
});
