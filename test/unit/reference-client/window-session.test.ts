import { describe, expect, it } from 'vitest';
import { setup, tinyPrompt, waitFor } from './fakes/session-harness.ts';

describe('WindowSession: following a job', () => {
  it('reports a finished job completed once, with the outputs read from /history', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.step(5);
    t.server.finish({ '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } });
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(10_000);
    const ends = t.terminal(job.promptId);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ type: 'completed', confirmedBy: 'history', outputs: { '9': { images: [{ filename: 'a.png' }] } } });
    expect(t.server.requests.some((r) => r.path === `/history/${job.promptId}`)).toBe(true);
    const outcome = await waitFor(t, job.outcome);
    expect(outcome.type).toBe('completed');
  });

  it('posts the prompt with its own clientId and a client-chosen prompt id', async () => {
    const t = setup({ clientId: 'window-a' });
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    expect(t.server.pending[0]).toMatchObject({ clientId: 'window-a', promptId: job.promptId });
    expect(job.promptId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await waitFor(t, job.accepted)).toMatchObject({ ok: true, server: t.server.baseUrl, number: 0 });
  });

  it('sends feature_flags as the first frame of every connection', async () => {
    const t = setup();
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    t.server.terminateAll();
    await t.until(() => t.server.allSockets.length === 2 && t.session.status().healthy);
    for (const socket of t.server.allSockets) {
      expect(JSON.parse(socket.sent[0]!)).toEqual({ type: 'feature_flags', data: { supports_preview_metadata: true } });
    }
  });

  it('emits submitted before any other event of the job, even when socket events beat the POST reply', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    // Socket events for the prompt, before the reply: the prompt id is known because the client chose it.
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.step(3);
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    const types = t.events.filter((e) => 'promptId' in e && e.promptId === job.promptId).map((e) => e.type);
    expect(types[0]).toBe('submitted');
    expect(types.at(-1)).toBe('completed');
  });

  it('reports execution_error as failed with the exception message, not as completed', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.fail('CUDA out of memory\n');
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(5000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'failed', reason: 'error', error: expect.stringContaining('CUDA out of memory') })]);
  });

  it('reports execution_interrupted as interrupted', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.interruptRunning();
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(5000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'interrupted', cancelled: false })]);
  });

  it('ignores the blocked variant of execution_error and completes the job', async () => {
    const t = setup({ clientId: 'c1' });
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.sendMessage('c1', 'execution_error', {
      prompt_id: job.promptId, node_id: '3', node_type: 'X', executed: [], exception_message: 'blocked',
      exception_type: 'Blocked', traceback: [], current_inputs: [], current_outputs: [],
    });
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)[0]!.type).toBe('completed');
  });

  it('fails a rejected prompt with reason error and the validation message, without a submitted event', async () => {
    const t = setup();
    const job = t.session.submit({});
    expect(await waitFor(t, job.accepted)).toMatchObject({ ok: false, error: expect.stringContaining('prompt_no_outputs') });
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'failed', reason: 'error' })]);
    expect(t.events.some((e) => e.type === 'submitted')).toBe(false);
  });

  it('retries POST /prompt after a 503 and the job still completes', async () => {
    const t = setup();
    t.server.postFaults = [503];
    const job = t.session.submit(tinyPrompt);
    expect((await waitFor(t, job.accepted)).ok).toBe(true);
    expect(t.session.status().counters.recovery.submitRetries).toBe(1);
    expect(t.server.pending).toHaveLength(1);
  });

  it('does not post twice when the POST reply was lost but ComfyUI queued the prompt', async () => {
    const t = setup();
    t.server.postFaults = ['lose-reply'];
    const job = t.session.submit(tinyPrompt);
    expect((await waitFor(t, job.accepted)).ok).toBe(true);
    expect(t.server.requests.filter((r) => r.method === 'POST' && r.path === '/prompt')).toHaveLength(1);
    expect(t.server.pending).toHaveLength(1);
  });

  it('confirms a success whose history entry is written late, by retrying /history (ComfyUI#11540)', async () => {
    const t = setup({ historyRetryDelayMs: 250 });
    t.server.historyDelayMs = 1500;
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.finish({ '9': { images: [{ filename: 'late.png', subfolder: '', type: 'output' }] } });
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(10_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    expect(t.session.status().counters.recovery.historyRetries).toBeGreaterThan(0);
  });

  it('falls back to the executed outputs when history never shows a job whose success it saw', async () => {
    const t = setup({ historyRetryLimit: 2 });
    t.server.historyFailures = 1000;
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.finish({ '9': { images: [{ filename: 'ws.png', subfolder: '', type: 'output' }] } });
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([
      expect.objectContaining({ type: 'completed', confirmedBy: 'websocket', outputs: { '9': { images: [expect.objectContaining({ filename: 'ws.png' })] } } }),
    ]);
  });

  it('fails a job that does not finish within jobTimeoutMs with reason timeout, after a last check', async () => {
    const t = setup({ jobTimeoutMs: 60_000, finalCheckLeadMs: 5000 });
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    const before = t.server.requests.length;
    await t.until(() => t.terminal(job.promptId).length > 0, 120_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'failed', reason: 'timeout' })]);
    expect(t.server.requests.slice(before).some((r) => r.path === `/history/${job.promptId}`)).toBe(true);
  });

  it('completes a job through the final check when the end was missed just before the timeout', async () => {
    const t = setup({ jobTimeoutMs: 60_000, finalCheckLeadMs: 5000, healthTimeoutMs: 600_000 });
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    for (const socket of t.server.openSockets) socket.deaf = true; // the end is never delivered
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0, 120_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
  });
});

describe('WindowSession: progress and previews', () => {
  it('coalesces a burst of progress frames and never reports progress backwards within a node', async () => {
    const t = setup({ progressDebounceMs: 50 });
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    for (let v = 1; v <= 10; v++) t.server.step(v);
    await t.wait(200);
    t.server.step(4); // a stale, reordered frame
    await t.wait(200);
    t.server.step(11);
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    const values = t.events.filter((e) => e.type === 'progress').map((e) => (e as { value: number }).value);
    expect(values.length).toBeLessThan(10);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(11);
    const order = t.events.filter((e) => 'promptId' in e).map((e) => e.type);
    expect(order.lastIndexOf('progress')).toBeLessThan(order.indexOf('completed'));
  });

  it('delivers metadata previews (type 4) and type-1 previews to the job that runs', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await t.until(() => t.server.pending.length === 1);
    t.server.start();
    t.server.preview({
      kind: 'preview_image_with_metadata',
      metadata: { node_id: '3', prompt_id: job.promptId, display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/png' },
      image: new Uint8Array([1, 2, 3]),
    });
    t.server.preview({ kind: 'preview_image', format: 'jpeg', image: new Uint8Array([9, 9]) });
    await t.until(() => t.events.filter((e) => e.type === 'preview').length === 2);
    const previews = t.events.filter((e) => e.type === 'preview');
    expect(previews[0]).toMatchObject({ promptId: job.promptId, mimeType: 'image/png', node: '3' });
    expect(previews[1]).toMatchObject({ promptId: job.promptId, mimeType: 'image/jpeg', node: '3' });
    expect(Array.from((previews[1] as { image: Uint8Array }).image)).toEqual([9, 9]);
  });
});

describe('WindowSession: cancel', () => {
  it('deletes a job still pending in the queue and reports it interrupted (cancelled)', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    const result = await waitFor(t, t.session.cancel(job.promptId));
    expect(result).toBe('deleted');
    expect(t.server.pending).toHaveLength(0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'interrupted', cancelled: true })]);
  });

  it('interrupts a running job, which then ends as interrupted', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    const result = await waitFor(t, t.session.cancel(job.promptId));
    expect(result).toBe('interrupted');
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'interrupted', cancelled: false })]);
    expect(t.server.requests.some((r) => r.path === '/interrupt')).toBe(true);
  });

  it('says not_pending for a job that already ended', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(await waitFor(t, t.session.cancel(job.promptId))).toBe('not_pending');
  });
});
