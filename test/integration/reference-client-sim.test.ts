/**
 * The reference client against the simulator: each behaviour of issue 3 with the fault that
 * makes it necessary. Memory transport in virtual time, then the key cases over real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type ApiPrompt, type FaultInput } from '../../src/protocol/index.ts';
import { nodeWebSocketFactory } from '../../src/reference-client/node.ts';
import { runReferenceDriver } from '../../src/reference-client/driver.ts';
import { ReferenceClient } from '../../src/reference-client/reference-client.ts';
import type { JobOutcome, SessionEvents } from '../../src/reference-client/events.ts';
import { ServerPool } from '../../src/reference-client/server-pool.ts';
import { WindowSession, type WindowSessionOptions } from '../../src/reference-client/window-session.ts';
import { Simulator } from '../../src/simulator/index.ts';

/** SimSleep (with progress steps) feeding PreviewAny, an output node with a text UI. */
function sleepPrompt(durationMs = 2000, steps = 4, label = 'hello'): ApiPrompt {
  return {
    '1': { class_type: 'SimSleep', inputs: { duration_ms: durationMs, steps, value: label } },
    '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
  };
}

const failingPrompt: ApiPrompt = {
  '1': { class_type: 'SimFail', inputs: { fail: true, message: 'told to fail' } },
  '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
};

type Ended = { type: string; promptId: string };

function recordEnds(session: WindowSession): Ended[] {
  const ends: Ended[] = [];
  for (const type of ['completed', 'failed', 'interrupted', 'lost'] as const) {
    session.on(type, (e: SessionEvents[typeof type]) => ends.push({ type, promptId: e.promptId }));
  }
  return ends;
}

/** Prompt ids the simulator really finished with success (ground truth from its trace). */
function succeededOnServer(sim: Simulator): string[] {
  return sim.trace.flatMap((e) => (e.kind === 'prompt' && e.event === 'success' ? [e.promptId] : []));
}

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function memory(faults: FaultInput[] = [], options: Partial<WindowSessionOptions> = {}) {
  const clock = new VirtualClock();
  const sim = new Simulator({ clock, seed: 1, faults });
  sims.push(sim);
  const mem = sim.memoryTransport();
  const session = new WindowSession({
    servers: mem.baseUrl,
    clock,
    fetch: mem.fetch,
    webSocketFactory: mem.webSocketFactory,
    seed: 11,
    ...options,
  });
  const ends = recordEnds(session);
  const run = async (prompt = sleepPrompt(), maxMs = 1_800_000) => {
    const job = session.submit(prompt);
    let outcome: JobOutcome | undefined;
    void job.outcome.then((o) => (outcome = o));
    await clock.runUntil(() => outcome !== undefined, maxMs);
    // Let any late duplicate surface before judging exactly-once.
    await clock.advanceBy(60_000);
    return { job, outcome, ends: ends.filter((e) => e.promptId === job.promptId) };
  };
  return { clock, sim, session, ends, run };
}

describe('reference client on the simulator (memory transport, virtual time)', () => {
  it('completes a normal job once with the outputs from history', async () => {
    const t = memory();
    const { job, outcome, ends } = await t.run();
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    expect(outcome).toMatchObject({ type: 'completed', confirmedBy: 'history', outputs: { '2': { text: expect.any(Array) } } });
    expect(succeededOnServer(t.sim)).toEqual([job.promptId]);
  });

  it('completes exactly once via resync when the socket is terminated between executing and executed', async () => {
    const t = memory([{ type: 'terminate', at: { on: 'message', type: 'executed', when: 'before' } }]);
    const { job, ends } = await t.run();
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    expect(t.session.status().counters.connection.reconnects).toBeGreaterThanOrEqual(1);
    expect(t.session.status().counters.recovery.resyncs).toBeGreaterThanOrEqual(1);
  });

  it('completes a job after a 10-minute outage (server down, state kept)', async () => {
    const t = memory([{ type: 'restart', at: { on: 'message', type: 'progress' }, downMs: 600_000, loseState: false }]);
    const { job, ends, outcome } = await t.run(sleepPrompt(5000, 4), 3_600_000);
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    // It kept trying through the outage and did not give up.
    expect(t.session.status().counters.connection.drops).toBeGreaterThan(10);
    expect(t.clock.now() - 1_700_000_000_000).toBeGreaterThan(600_000);
    expect(outcome).toMatchObject({ outputs: { '2': { text: expect.any(Array) } } });
  });

  it('reports lost after a server restart that lost the queue', async () => {
    const t = memory([{ type: 'restart', at: { on: 'message', type: 'progress' }, downMs: 2000, loseState: true }]);
    const { job, ends } = await t.run();
    expect(ends).toEqual([{ type: 'lost', promptId: job.promptId }]);
    expect(succeededOnServer(t.sim)).toEqual([]);
  });

  it('detects a deaf socket (ComfyUI#16010) and recovers the job', async () => {
    const t = memory(
      [
        { type: 'deaf_reconnect', at: { on: 'time', afterMs: 0 } },
        { type: 'terminate', at: { on: 'message', type: 'execution_start' } },
      ],
      { healthTimeoutMs: 5000 },
    );
    const { job, ends } = await t.run(sleepPrompt(20_000, 2));
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    expect(t.session.status().counters.connection.deafDetections).toBeGreaterThanOrEqual(1);
  });

  it('recovers from a silent (half-open) socket through polling and reconnect', async () => {
    const t = memory([{ type: 'silence', at: { on: 'message', type: 'progress' }, durationMs: 0 }], { healthTimeoutMs: 5000 });
    const { job, ends } = await t.run(sleepPrompt(20_000, 4));
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    expect(t.session.status().counters.connection.deafDetections).toBeGreaterThanOrEqual(1);
  });

  it('ignores and counts garbage frames, and the job completes', async () => {
    const at = { on: 'message' as const, type: 'progress' };
    const t = memory([
      { type: 'bom', at, frames: 2 },
      { type: 'garbage_prefix', at: { ...at, occurrence: 2 } },
      { type: 'heartbeat', at: { ...at, occurrence: 3 } },
      { type: 'non_json', at: { ...at, occurrence: 3 } },
      { type: 'truncate', at: { ...at, occurrence: 4 } },
      { type: 'unknown_type', at: { on: 'message', type: 'execution_start' } },
      { type: 'binary_preview', at: { on: 'message', type: 'executing' } },
    ]);
    const { job, ends } = await t.run(sleepPrompt(2000, 6));
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    const frames = t.session.status().counters.frames;
    expect(frames.bomStripped).toBeGreaterThanOrEqual(1);
    expect(frames.heartbeats + frames.nonJson + frames.truncated + frames.unknownTypes).toBeGreaterThanOrEqual(3);
    expect(t.session.status().counters.connection.drops).toBe(0);
  });

  it('confirms completion by history when history is written late (ComfyUI#11540)', async () => {
    const t = memory([{ type: 'history_late', at: { on: 'time', afterMs: 0 }, delayMs: 1500 }]);
    const { job, ends, outcome } = await t.run();
    expect(ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
    expect(outcome).toMatchObject({ confirmedBy: 'history', outputs: { '2': { text: expect.any(Array) } } });
  });

  it('reports an execution error as failed and an interrupt as interrupted', async () => {
    const t = memory();
    const failed = await t.run(failingPrompt);
    expect(failed.ends).toEqual([{ type: 'failed', promptId: failed.job.promptId }]);
    expect(failed.outcome).toMatchObject({ reason: 'error', error: expect.stringContaining('told to fail') });
    const job = t.session.submit(sleepPrompt(60_000, 10));
    await t.clock.runUntil(() => t.session.status().pendingJobs[0]?.state === 'running', 60_000);
    let cancelled: string | undefined;
    void t.session.cancel(job.promptId).then((r) => (cancelled = r));
    let outcome: JobOutcome | undefined;
    void job.outcome.then((o) => (outcome = o));
    await t.clock.runUntil(() => outcome !== undefined, 120_000);
    expect(cancelled).toBe('interrupted');
    expect(outcome).toMatchObject({ type: 'interrupted' });
  });

  it('keeps two windows isolated on one server', async () => {
    const clock = new VirtualClock();
    const sim = new Simulator({ clock, seed: 2 });
    sims.push(sim);
    const mem = sim.memoryTransport();
    const client = new ReferenceClient({ servers: mem.baseUrl, clock, fetch: mem.fetch, webSocketFactory: mem.webSocketFactory, seed: 4 });
    const w1 = client.window('1');
    const w2 = client.window('2');
    const seen1 = new Set<string>();
    const seen2 = new Set<string>();
    for (const type of ['progress', 'completed', 'failed', 'interrupted', 'lost'] as const) {
      w1.on(type, (e: { promptId: string }) => seen1.add(e.promptId));
      w2.on(type, (e: { promptId: string }) => seen2.add(e.promptId));
    }
    const j1 = w1.submit(sleepPrompt(1000, 3, 'one'));
    const j2 = w2.submit(sleepPrompt(1000, 3, 'two'));
    const outcomes: JobOutcome[] = [];
    void j1.outcome.then((o) => outcomes.push(o));
    void j2.outcome.then((o) => outcomes.push(o));
    await clock.runUntil(() => outcomes.length === 2, 120_000);
    expect(seen1).toEqual(new Set([j1.promptId]));
    expect(seen2).toEqual(new Set([j2.promptId]));
    expect(outcomes.map((o) => o.type)).toEqual(['completed', 'completed']);
    client.close();
  });

  it('keeps a window on its locked server across two servers and releases the lock afterwards', async () => {
    const clock = new VirtualClock();
    const simA = new Simulator({ clock, seed: 3 });
    const simB = new Simulator({ clock, seed: 4 });
    sims.push(simA, simB);
    const a = simA.memoryTransport('http://comfy-a:8188');
    const b = simB.memoryTransport('http://comfy-b:8188');
    const pick = (url: string) => (url.includes('comfy-a') ? a : b);
    const pool = new ServerPool([a.baseUrl, b.baseUrl]);
    const transport = {
      clock,
      fetch: ((url, init) => pick(url).fetch(url, init)) as typeof a.fetch,
      webSocketFactory: ((url) => pick(url).webSocketFactory(url)) as typeof a.webSocketFactory,
    };
    const w = new WindowSession({ servers: pool, ...transport, seed: 5, lockReleaseDelayMs: 1000 });
    const jobs = [w.submit(sleepPrompt(1000, 2)), w.submit(sleepPrompt(1000, 2)), w.submit(sleepPrompt(1000, 2))];
    const locked = w.status().lockedServer;
    const outcomes: JobOutcome[] = [];
    for (const job of jobs) void job.outcome.then((o) => outcomes.push(o));
    await clock.runUntil(() => outcomes.length === 3, 120_000);
    expect(outcomes.every((o) => o.type === 'completed' && o.server === locked)).toBe(true);
    const onA = succeededOnServer(simA);
    const onB = succeededOnServer(simB);
    expect(locked === a.baseUrl ? onA : onB).toHaveLength(3);
    expect(locked === a.baseUrl ? onB : onA).toHaveLength(0);
    await clock.advanceBy(2000);
    expect(w.status().lockedServer).toBeUndefined();
    expect(pool.lockCount(locked!)).toBe(0);
  });
});

describe('reference client on the simulator (network transport, real sockets)', () => {
  const fast = { reconnectPendingBaseMs: 50, historyRetryDelayMs: 100, lostRecheckDelayMs: 200, pollIntervalMs: 200, healthTimeoutMs: 2000, seed: 9 };

  async function network(faults: FaultInput[]) {
    const sim = new Simulator({ seed: 1, faults, timing: { pickupMs: 5 } });
    sims.push(sim);
    const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
    const session = new WindowSession({ servers: url, webSocketFactory: nodeWebSocketFactory, ...fast });
    const ends = recordEnds(session);
    return { sim, session, ends };
  }

  it('completes a job exactly once over real sockets when the socket is terminated before executed', async () => {
    const t = await network([{ type: 'terminate', at: { on: 'message', type: 'executed' } }]);
    const job = t.session.submit(sleepPrompt(300, 3));
    const outcome = await job.outcome;
    await new Promise((r) => setTimeout(r, 300));
    const reconnects = t.session.status().counters.connection.reconnects;
    t.session.close();
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(outcome).toMatchObject({ type: 'completed', outputs: { '2': { text: expect.any(Array) } } });
    expect(t.ends).toEqual([{ type: 'completed', promptId: job.promptId }]);
  });

  it('reports lost over real sockets after a restart that lost the queue', async () => {
    const t = await network([{ type: 'restart', at: { on: 'message', type: 'progress' }, downMs: 300, loseState: true }]);
    const job = t.session.submit(sleepPrompt(2000, 4));
    const outcome = await job.outcome;
    t.session.close();
    expect(outcome.type).toBe('lost');
  });

  it('ignores garbage frames over real sockets and completes the job', async () => {
    const at = { on: 'message' as const, type: 'progress' };
    const t = await network([
      { type: 'garbage_prefix', at },
      { type: 'heartbeat', at: { ...at, occurrence: 2 } },
      { type: 'truncate', at: { ...at, occurrence: 3 } },
    ]);
    const job = t.session.submit(sleepPrompt(300, 4));
    const outcome = await job.outcome;
    const frames = t.session.status().counters.frames;
    t.session.close();
    expect(outcome.type).toBe('completed');
    expect(frames.garbagePrefixStripped + frames.heartbeats + frames.truncated).toBeGreaterThanOrEqual(2);
  });

  it('runs the driver over real sockets: ready, submitted, completed', async () => {
    const sim = new Simulator({ seed: 1, faults: [{ type: 'terminate', at: { on: 'message', type: 'executed' } }], timing: { pickupMs: 5 } });
    sims.push(sim);
    const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
    const lines: Record<string, unknown>[] = [];
    let completed!: () => void;
    const done = new Promise<void>((resolve) => (completed = resolve));
    const output = {
      write(chunk: string) {
        for (const line of chunk.split('\n').filter(Boolean)) {
          const event = JSON.parse(line) as Record<string, unknown>;
          lines.push(event);
          if (event.type === 'completed' || event.type === 'failed') completed();
        }
      },
    };
    async function* input() {
      yield `${JSON.stringify({ type: 'submit', id: 'j1', prompt: sleepPrompt(300, 3) })}\n`;
      await done;
      yield '{"type":"shutdown"}\n';
    }
    const code = await runReferenceDriver({ input: input(), output, env: { COMFY_URL: url }, clientOptions: fast });
    expect(code).toBe(0);
    expect(lines[0]).toEqual({ type: 'ready', capabilities: { servers: 64, windows: 1024, cancel: true, base_path: true } });
    expect(lines.map((l) => l.type).filter((t) => t !== 'progress' && t !== 'log')).toEqual(['ready', 'submitted', 'completed']);
    expect(lines.find((l) => l.type === 'completed')).toMatchObject({ id: 'j1', outputs: { '2': expect.anything() } });
  });
});
