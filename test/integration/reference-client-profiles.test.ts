/**
 * The reference client on ComfyUI releases other than the baseline (issue 13): it takes the prompt
 * id from the POST /prompt reply, holds frames that beat the reply until the reply names their
 * prompt, finds a prompt whose reply was lost by the submit id it put in extra_data, and detects
 * every other version difference instead of assuming it. Memory transport, virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type ApiPrompt, type ComfyuiProfile } from '../../src/protocol/index.ts';
import type { SessionEvents } from '../../src/reference-client/events.ts';
import { SUBMIT_ID_KEY } from '../../src/reference-client/submit-lookup.ts';
import { WindowSession } from '../../src/reference-client/window-session.ts';
import { route, Simulator, type Route, type SimResponse } from '../../src/simulator/index.ts';
import { comfyui0344, comfyuiCurrent } from '../../src/simulator/profiles/index.ts';

function sleepPrompt(durationMs = 400, steps = 4, label = 'x'): ApiPrompt {
  return {
    '1': { class_type: 'SimSleep', inputs: { duration_ms: durationMs, steps, value: label } },
    '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
  };
}

const sims: Simulator[] = [];
const sessions: WindowSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function setup(profile: ComfyuiProfile, routes: Route[] = [], previews = false) {
  const clock = new VirtualClock();
  const sim = new Simulator({ clock, seed: 1, profile, routes, previews });
  sims.push(sim);
  const mem = sim.memoryTransport();
  const session = new WindowSession({ servers: mem.baseUrl, clock, fetch: mem.fetch, webSocketFactory: mem.webSocketFactory, seed: 5 });
  sessions.push(session);
  const events: Array<{ type: keyof SessionEvents; promptId?: string }> = [];
  for (const type of ['submitted', 'progress', 'preview', 'completed', 'failed', 'interrupted', 'lost'] as const) {
    session.on(type, (e: SessionEvents[typeof type]) => events.push({ type, promptId: (e as { promptId?: string }).promptId }));
  }
  return { clock, sim, session, events };
}

/** POST /prompt answered only once the prompt's whole run has been sent on the socket (the race of comfyui-protocol.md §2, at its worst). */
function replyAfterTheRun(clock: VirtualClock, delayMs: number): Route {
  return route.post('/prompt', (request, _p, core) => {
    const reply = core.acceptPrompt(JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>);
    return new Promise<SimResponse>((resolve) => clock.setTimeout(() => resolve(reply), delayMs));
  });
}

describe('the reference client on a server that names prompts itself (ComfyUI 0.3.44)', () => {
  it('reports under the reply id, the submit id kept as handle; a job whose every frame beat the reply still completes once, with its progress', async () => {
    let clock!: VirtualClock;
    const routes: Route[] = [{ method: 'POST', path: '/prompt', handle: (r, p, c) => replyAfterTheRun(clock, 2_000).handle(r, p, c) }];
    const t = setup(comfyui0344, routes);
    clock = t.clock;
    const job = t.session.submit(sleepPrompt(400, 4));
    const accepted = await (async () => {
      await clock.runUntil(() => t.events.some((e) => e.type === 'completed' || e.type === 'failed' || e.type === 'lost'), 30_000);
      return job.accepted;
    })();
    expect(accepted.ok).toBe(true);
    const serverId = (accepted as { promptId: string }).promptId;
    expect(serverId).not.toBe(job.promptId);
    // The whole run (start to executing{null}) was on the socket before the reply.
    const reply = t.sim.trace.find((e) => e.kind === 'http' && e.path === '/prompt')!;
    const lastFrame = t.sim.trace.filter((e) => e.kind === 'ws_send' && e.promptId === serverId).at(-1)!;
    expect(lastFrame.seq).toBeLessThan(reply.seq);
    expect(t.events[0]).toEqual({ type: 'submitted', promptId: serverId });
    expect(t.events.filter((e) => e.type === 'completed')).toEqual([{ type: 'completed', promptId: serverId }]);
    expect(t.events.some((e) => e.type === 'progress' && e.promptId === serverId)).toBe(true);
    expect(t.events.every((e) => e.promptId === serverId)).toBe(true);
    expect((await job.outcome).type).toBe('completed');
  });

  it("frames of someone else's prompt that arrive while the POST is in flight are held, then dropped: never reported as ours", async () => {
    let clock!: VirtualClock;
    const routes: Route[] = [
      {
        method: 'POST',
        path: '/prompt',
        // Only this window's POST (it carries a client_id) waits; the other prompt is answered at once.
        handle: (r, p, c) => (JSON.parse(new TextDecoder().decode(r.body)).client_id ? replyAfterTheRun(clock, 1_500).handle(r, p, c) : undefined),
      },
    ];
    const t = setup(comfyui0344, routes);
    clock = t.clock;
    // A prompt without client_id: its progress frames are broadcast to every socket (shared page §2).
    const mem = t.sim.memoryTransport();
    const foreign = await mem.fetch(`${mem.baseUrl}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: sleepPrompt(600, 6, 'foreign') }) });
    const foreignId = ((await foreign.json()) as { prompt_id: string }).prompt_id;
    t.session.connect();
    await clock.advanceBy(50);
    const job = t.session.submit(sleepPrompt(300, 3, 'mine'));
    await clock.runUntil(() => t.events.some((e) => e.type === 'completed'), 30_000);
    const mine = ((await job.accepted) as { promptId: string }).promptId;
    expect(t.sim.trace.some((e) => e.kind === 'ws_send' && e.promptId === foreignId && e.msgType === 'progress')).toBe(true);
    expect(t.events.every((e) => e.promptId === mine)).toBe(true);
    expect(t.events.filter((e) => e.type === 'completed')).toEqual([{ type: 'completed', promptId: mine }]);
  });

  it('a lost POST reply: finds the queued prompt by its submit id in extra_data and follows it, without posting twice', async () => {
    let posts = 0;
    let body: { extra_data: Record<string, unknown> } | undefined;
    const loseFirstReply: Route = route.post('/prompt', (request, _p, core) => {
      posts++;
      body = JSON.parse(new TextDecoder().decode(request.body));
      const reply = core.acceptPrompt(body as unknown as Record<string, unknown>);
      if (posts > 1) return reply;
      return new Promise<SimResponse>(() => undefined); // queued, but never answered: the client times out
    });
    const t = setup(comfyui0344, [loseFirstReply]);
    const clock = t.clock;
    const job = t.session.submit(sleepPrompt(300, 3));
    await clock.runUntil(() => t.events.some((e) => e.type === 'completed' || e.type === 'failed' || e.type === 'lost'), 60_000);
    const accepted = await job.accepted;
    expect(accepted.ok, JSON.stringify(accepted)).toBe(true);
    expect(posts).toBe(1);
    const queued = t.sim.trace.filter((e) => e.kind === 'prompt' && e.event === 'queued');
    expect(queued).toHaveLength(1);
    const serverId = (queued[0] as { promptId: string }).promptId;
    expect((accepted as { promptId: string }).promptId).toBe(serverId);
    expect(t.events.filter((e) => e.type === 'completed')).toEqual([{ type: 'completed', promptId: serverId }]);
    expect(body?.extra_data[SUBMIT_ID_KEY]).toBe(job.promptId);
  });

  it('cancel by the submit handle deletes the pending prompt under the server id', async () => {
    const t = setup(comfyui0344);
    const first = t.session.submit(sleepPrompt(2_000, 4, 'a'));
    const second = t.session.submit(sleepPrompt(2_000, 4, 'b'));
    await t.clock.runUntil(() => t.events.filter((e) => e.type === 'submitted').length === 2, 10_000);
    const result = t.session.cancel(second.promptId);
    await t.clock.advanceBy(500);
    expect(await result).toBe('deleted');
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'completed'), 20_000);
    const secondId = ((await second.accepted) as { promptId: string }).promptId;
    expect(t.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'deleted' && e.promptId === secondId)).toBe(true);
    expect((await second.outcome).type).toBe('interrupted');
    expect((await first.outcome).type).toBe('completed');
  });

  it('previews: with no feature flags negotiated it takes the type-1 frames, attributed to the running job', async () => {
    const t = setup(comfyui0344, [], true);
    const job = t.session.submit(sleepPrompt(400, 4));
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'completed'), 20_000);
    const id = ((await job.accepted) as { promptId: string }).promptId;
    expect(t.sim.trace.some((e) => e.kind === 'ws_recv')).toBe(true); // it did offer its flags
    expect(t.sim.trace.some((e) => e.kind === 'ws_send' && e.msgType === 'feature_flags')).toBe(false);
    expect(t.events.filter((e) => e.type === 'preview').map((e) => e.promptId)).toEqual([id, id, id, id]);
  });
});

describe('the reference client on a current ComfyUI', () => {
  it('its own prompt id is a canonical UUID, so the server keeps it', async () => {
    const t = setup(comfyuiCurrent);
    const job = t.session.submit(sleepPrompt(200, 2));
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'completed'), 20_000);
    expect(job.promptId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(((await job.accepted) as { promptId: string }).promptId).toBe(job.promptId);
    expect(t.events.filter((e) => e.type === 'completed')).toEqual([{ type: 'completed', promptId: job.promptId }]);
  });

  it('an id the server refuses (invalid_prompt_id) is dropped: posted again without it, followed under the server-made id', async () => {
    const t = setup(comfyuiCurrent);
    const job = t.session.submit(sleepPrompt(200, 2), { promptId: 'my-own-id' });
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'completed' || e.type === 'failed'), 20_000);
    const accepted = (await job.accepted) as { ok: boolean; promptId: string };
    expect(accepted.ok).toBe(true);
    expect(accepted.promptId).not.toBe('my-own-id');
    const posts = t.sim.trace.filter((e) => e.kind === 'http' && e.method === 'POST' && e.path === '/prompt').map((e) => (e as { status: number }).status);
    expect(posts).toEqual([400, 200]);
    expect(t.events.filter((e) => e.type === 'completed')).toEqual([{ type: 'completed', promptId: accepted.promptId }]);
  });
});
