import { describe, expect, it } from 'vitest';
import { setup, tinyPrompt, waitFor } from './fakes/session-harness.ts';

describe('WindowSession: recovery', () => {
  it('completes exactly once via resync when the socket is terminated between executing and executed', async () => {
    const t = setup({ clientId: 'c1' });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start(); // ... executing{3}
    await t.wait(5);
    t.server.terminateAll();
    t.server.finish(); // executed, execution_success, executing{null}: all to nobody
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(30_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
    const status = t.session.status();
    expect(status.counters.recovery.resyncs).toBeGreaterThanOrEqual(1);
    expect(status.counters.jobs.completed).toBe(1);
    // Same clientId on the new socket, so ComfyUI keeps routing the prompt's events to it.
    expect(new Set(t.server.allSockets.map((s) => s.clientId))).toEqual(new Set(['c1']));
  });

  it('reports a job completed once even when the socket, a bare status, resync and polling all see its end', async () => {
    const t = setup({ clientId: 'c1', pollIntervalMs: 100 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish(); // execution_success + status{0} + executing{null}: three triggers
    await t.wait(2); // delivered; history reads in flight
    t.server.terminateAll(); // reconnect -> resync; polling while down
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(60_000);
    expect(t.terminal(job.promptId)).toHaveLength(1);
    expect(t.session.status().counters.jobs).toMatchObject({ completed: 1, failed: 0, interrupted: 0, lost: 0 });
  });

  it('ignores duplicated and contradicting terminal frames that arrive after a job ended', async () => {
    const t = setup({ clientId: 'c1' });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    const id = job.promptId;
    t.server.sendMessage('c1', 'execution_success', { prompt_id: id, timestamp: 1 });
    t.server.sendMessage('c1', 'execution_interrupted', { prompt_id: id, node_id: '3', node_type: 'K', executed: [], timestamp: 1 });
    t.server.sendMessage('c1', 'execution_error', {
      prompt_id: id, node_id: '3', node_type: 'K', executed: [], exception_message: 'x', exception_type: 'E',
      traceback: [], current_inputs: {}, current_outputs: [], timestamp: 1,
    });
    t.server.sendMessage('c1', 'executing', { node: null, prompt_id: id });
    await t.wait(60_000);
    expect(t.terminal(id)).toEqual([expect.objectContaining({ type: 'completed' })]);
  });

  it('completes a job after a 10-minute outage once the server is reachable again', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.down = true;
    t.server.terminateAll();
    await t.wait(5 * 60_000);
    t.server.finish(); // finishes during the outage; nobody hears it
    await t.wait(5 * 60_000);
    expect(t.terminal(job.promptId)).toHaveLength(0);
    expect(t.session.status().connection).not.toBe('failed');
    t.server.down = false;
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed', confirmedBy: 'history' })]);
  });

  it('reports lost, not completed and not pending forever, for a job the restarted server forgot', async () => {
    const t = setup();
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.restart();
    await t.until(() => t.terminal(job.promptId).length > 0);
    await t.wait(30_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'lost' })]);
    expect(t.session.status().pendingJobs).toHaveLength(0);
  });

  it('does not call a job lost on one absent reading (it needs lostConfirmations in a row)', async () => {
    const t = setup({ lostConfirmations: 3, lostRecheckDelayMs: 1000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    const fake = t.server.pending.pop()!; // hidden from /queue for a moment
    t.server.terminateAll();
    await t.until(() => t.session.status().counters.recovery.resyncs >= 1 && t.session.status().healthy);
    await t.wait(20);
    t.server.pending.push(fake);
    await t.wait(10_000);
    expect(t.terminal(job.promptId)).toHaveLength(0);
  });

  it('detects a deaf socket (open, silent while a job runs), polls, reconnects and completes the job', async () => {
    const t = setup({ healthTimeoutMs: 10_000, pollIntervalMs: 1000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    for (const socket of t.server.openSockets) socket.deaf = true; // ComfyUI#16010 / #15240
    await t.wait(10_500);
    const status = t.session.status();
    expect(status.counters.connection.deafDetections).toBe(1);
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed' })]);
    expect(t.server.allSockets.length).toBeGreaterThanOrEqual(2);
  });

  it('does not treat an idle silent socket as deaf', async () => {
    const t = setup({ healthTimeoutMs: 10_000 });
    t.session.connect();
    await t.until(() => t.session.status().healthy);
    await t.wait(120_000);
    expect(t.session.status().counters.connection.deafDetections).toBe(0);
    expect(t.server.allSockets).toHaveLength(1);
  });

  it('polls over HTTP while the socket is down and stops once it is healthy again', async () => {
    const t = setup({ pollIntervalMs: 500, reconnectPendingBaseMs: 60_000, reconnectCapMs: 60_000, reconnectJitterRatio: 0 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.refuseUpgrades = true;
    t.server.terminateAll();
    await t.wait(3000);
    expect(t.session.status().polling).toBe(true);
    const polls = t.session.status().counters.recovery.polls;
    expect(polls).toBeGreaterThanOrEqual(4);
    t.server.refuseUpgrades = false;
    await t.until(() => t.session.status().healthy, 200_000);
    await t.wait(10);
    expect(t.session.status().polling).toBe(false);
    const after = t.session.status().counters.recovery.polls;
    await t.wait(5000);
    expect(t.session.status().counters.recovery.polls).toBe(after);
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    expect(t.terminal(job.promptId)[0]!.type).toBe('completed');
  });

  it('completes a job by polling alone while the socket cannot reconnect', async () => {
    const t = setup({ pollIntervalMs: 1000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.refuseUpgrades = true;
    t.server.terminateAll();
    await t.wait(2000);
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0, 10_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed' })]);
  });

  it('fails pending jobs with reason disconnected once the attempt limit is reached and the server is gone', async () => {
    const t = setup({ maxReconnectAttempts: 5, reconnectCapMs: 2000 });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.down = true;
    t.server.terminateAll();
    await t.until(() => t.terminal(job.promptId).length > 0, 600_000);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'failed', reason: 'disconnected' })]);
    expect(t.session.status().connection).toBe('failed');
    expect(t.server.allSockets.length).toBe(1 + 5 - 1);
  });

  it('reconnects with a shorter delay while a job is pending than when idle', async () => {
    const idle = setup({ reconnectBaseMs: 5000, reconnectPendingBaseMs: 100, reconnectJitterRatio: 0 });
    idle.session.connect();
    await idle.until(() => idle.session.status().healthy);
    idle.server.terminateAll();
    await idle.wait(1000);
    expect(idle.server.allSockets).toHaveLength(1);

    const busy = setup({ reconnectBaseMs: 5000, reconnectPendingBaseMs: 100, reconnectJitterRatio: 0 });
    const job = busy.session.submit(tinyPrompt);
    await waitFor(busy, job.accepted);
    busy.server.terminateAll();
    await busy.wait(1000);
    expect(busy.server.allSockets).toHaveLength(2);
  });
});

describe('WindowSession: tolerant parsing on the wire', () => {
  it('ignores and counts garbage frames, and the job still completes', async () => {
    const t = setup({ clientId: 'c1' });
    const job = t.session.submit(tinyPrompt);
    await waitFor(t, job.accepted);
    t.server.start();
    t.server.sendRaw('ping', 'c1');
    t.server.sendRaw('<html>502 Bad Gateway</html>', 'c1');
    t.server.sendRaw('{"type": "progress", "data": {"va', 'c1');
    t.server.sendRaw(JSON.stringify({ type: 'crystools.monitor', data: { cpu: 3 } }), 'c1');
    t.server.sendRaw(new Uint8Array([0, 0, 0, 9, 1, 2]), 'c1');
    t.server.sendRaw(`\uFEFF${JSON.stringify({ type: 'progress', data: { value: 2, max: 20, prompt_id: job.promptId, node: '3' } })}`, 'c1');
    t.server.sendRaw(`garbage${JSON.stringify({ type: 'progress', data: { value: 3, max: 20, prompt_id: job.promptId, node: '3' } })}`, 'c1');
    t.server.finish();
    await t.until(() => t.terminal(job.promptId).length > 0);
    const frames = t.session.status().counters.frames;
    expect(frames).toMatchObject({ heartbeats: 1, nonJson: 1, truncated: 1, unknownTypes: 1, unknownBinary: 1, bomStripped: 1, garbagePrefixStripped: 1 });
    expect(t.events.filter((e) => e.type === 'progress').map((e) => (e as { value: number }).value)).toContain(3);
    expect(t.terminal(job.promptId)).toEqual([expect.objectContaining({ type: 'completed' })]);
    expect(t.session.status().counters.connection.drops).toBe(0);
  });
});
