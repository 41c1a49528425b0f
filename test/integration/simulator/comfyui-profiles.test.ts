import { afterEach, describe, expect, it } from 'vitest';
import { decodeBinaryFrame, getQueueReply, postPromptOk } from '../../../src/protocol/index.ts';
import { comfyui0344, comfyui0364, comfyuiCurrent, gatewayApiPrefix } from '../../../src/simulator/profiles/index.ts';
import { sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';
import { RawSocket, startSim, type SimFixture } from '../../helpers/sim-fixture.ts';

/**
 * One test (at least) per row of the version table in docs/comfyui-protocol.md: each drives the
 * simulator under a profile with raw fetch and WebSocket frames, on the memory transport, and
 * shows the difference against the 0.3.64 baseline where it has one.
 */

const CLIENT_ID = 'c1';
const CHOSEN_ID = 'a1b2c3d4-2222-4333-8444-55555555555f';

let fx: SimFixture;
afterEach(async () => {
  await fx?.close();
});

async function status(path: string, init: { method?: string; body?: string } = {}): Promise<number> {
  return (await fx.fetch(fx.baseUrl + path, init)).status;
}

async function connected(clientId = CLIENT_ID): Promise<RawSocket> {
  const sock = fx.connect(clientId);
  await fx.waitUntil(() => sock.frames.length > 0);
  return sock;
}

async function runToEnd(sock: RawSocket, body: Record<string, unknown>): Promise<string> {
  const reply = await fx.postJson('/prompt', body);
  expect(reply.status, reply.text).toBe(200);
  const promptId = postPromptOk.parse(reply.body).prompt_id;
  const ended = await fx.waitUntil(() => sock.messages().some((m) => m.type === 'executing' && (m.data as { node: unknown; prompt_id?: string }).node === null && (m.data as { prompt_id?: string }).prompt_id === promptId));
  expect(ended, `prompt ${promptId} did not end`).toBe(true);
  return promptId;
}

describe('ComfyUI 0.3.44 profile (before commit 260a5ca5)', () => {
  it('row 1: ignores the prompt_id the client sends and names the prompt with a fresh uuid4', async () => {
    fx = await startSim('memory', { profile: comfyui0344 });
    const sock = await connected();
    const promptId = await runToEnd(sock, { prompt: sleepGraph(10, 1), client_id: CLIENT_ID, prompt_id: CHOSEN_ID });
    expect(promptId).not.toBe(CHOSEN_ID);
    expect(promptId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sock.messages().filter((m) => (m.data as { prompt_id?: string })?.prompt_id === CHOSEN_ID)).toEqual([]);
    expect(Object.keys((await fx.getJson(`/history/${CHOSEN_ID}`)).body as object)).toEqual([]);
  });

  it('the baseline keeps the client-chosen id (the difference row 1 is about)', async () => {
    fx = await startSim('memory', { profile: comfyui0364 });
    const sock = await connected();
    expect(await runToEnd(sock, { prompt: sleepGraph(10, 1), client_id: CLIENT_ID, prompt_id: CHOSEN_ID })).toBe(CHOSEN_ID);
  });

  it('row 2: does not answer a client feature_flags frame (0.3.64 does)', async () => {
    for (const profile of [comfyui0344, comfyui0364]) {
      fx = await startSim('memory', { profile });
      const sock = await connected();
      sock.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      await fx.pass(200);
      expect(sock.types().includes('feature_flags'), profile.name).toBe(profile === comfyui0364);
      await fx.close();
    }
  });

  it('row 3: GET /features and /api/features are 404', async () => {
    fx = await startSim('memory', { profile: comfyui0344 });
    expect(await status('/features')).toBe(404);
    expect(await status('/api/features')).toBe(404);
  });

  it('row 4: sends no progress_state frame, while executing and progress still come', async () => {
    fx = await startSim('memory', { profile: comfyui0344 });
    const sock = await connected();
    await runToEnd(sock, { prompt: txt2imgGraph({ steps: 3 }), client_id: CLIENT_ID });
    const types = sock.types();
    expect(types).not.toContain('progress_state');
    expect(types).toContain('progress');
    expect(types).toContain('executing');
  });

  it('row 5: previews are binary type 1 even for a client that asked for preview metadata', async () => {
    fx = await startSim('memory', { profile: comfyui0344, previews: true });
    const sock = await connected();
    sock.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await runToEnd(sock, { prompt: txt2imgGraph({ steps: 3 }), client_id: CLIENT_ID });
    const kinds = sock.frames.filter((f): f is Uint8Array => typeof f !== 'string').map((f) => decodeBinaryFrame(f).kind);
    expect(kinds).toHaveLength(3);
    expect(new Set(kinds)).toEqual(new Set(['preview_image']));
  });

  it('row 6: POST /interrupt with another prompt_id still interrupts the running prompt (global)', async () => {
    for (const profile of [comfyui0344, comfyui0364]) {
      fx = await startSim('memory', { profile });
      const sock = await connected();
      const reply = await fx.postJson('/prompt', { prompt: sleepGraph(2_000, 20), client_id: CLIENT_ID });
      const promptId = postPromptOk.parse(reply.body).prompt_id;
      await fx.waitUntil(() => sock.types().includes('progress'));
      expect(await status('/interrupt', { method: 'POST', body: JSON.stringify({ prompt_id: 'some-other-prompt' }) })).toBe(200);
      await fx.waitUntil(() => sock.types().some((t) => t === 'execution_interrupted' || t === 'execution_success'), 10_000);
      const ended = sock.messages().find((m) => m.type === 'execution_interrupted' || m.type === 'execution_success');
      expect(ended?.type, profile.name).toBe(profile === comfyui0344 ? 'execution_interrupted' : 'execution_success');
      expect((ended?.data as { prompt_id: string }).prompt_id).toBe(promptId);
      await fx.close();
    }
  });

  it('row 7: /system_stats reports 0.3.44 without the frontend and templates version fields', async () => {
    fx = await startSim('memory', { profile: comfyui0344 });
    const system = ((await fx.getJson('/system_stats')).body as { system: Record<string, unknown> }).system;
    expect(system.comfyui_version).toBe('0.3.44');
    for (const key of ['required_frontend_version', 'installed_templates_version', 'required_templates_version']) expect(system, key).not.toHaveProperty(key);
    expect(system).toHaveProperty('python_version');
  });
});

describe('current ComfyUI profile (Comfy-Org/ComfyUI server.py 5e14d797)', () => {
  it('row 8: a prompt_id that is not a canonical UUID is refused with 400 invalid_prompt_id; a duplicate with 409', async () => {
    fx = await startSim('memory', { profile: comfyuiCurrent });
    const bad = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), prompt_id: 'my-own-id' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { type: 'invalid_prompt_id' }, node_errors: {} });
    const upper = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), prompt_id: CHOSEN_ID.toUpperCase() });
    expect(upper.status).toBe(400);
    const ok = await fx.postJson('/prompt', { prompt: sleepGraph(5_000, 5), prompt_id: CHOSEN_ID });
    expect(ok.status).toBe(200);
    expect(postPromptOk.parse(ok.body).prompt_id).toBe(CHOSEN_ID);
    const again = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), prompt_id: CHOSEN_ID });
    expect(again.status).toBe(409);
    expect(postPromptOk.parse((await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), prompt_id: null })).body).prompt_id).not.toBe(CHOSEN_ID);
  });

  it('row 9: the feature_flags reply and /features carry the newer keys', async () => {
    fx = await startSim('memory', { profile: comfyuiCurrent });
    const sock = await connected();
    sock.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await fx.waitUntil(() => sock.types().includes('feature_flags'));
    const reply = sock.messages().find((m) => m.type === 'feature_flags')!.data;
    expect(reply).toMatchObject({ supports_preview_metadata: true, supports_model_type_tags: true, node_replacements: true, extension: { manager: { supports_v4: true } } });
    expect((await fx.getJson('/features')).body).toEqual(reply);
  });

  it('row 10: queue items and history entries carry extra_data.create_time (the baseline has none)', async () => {
    for (const profile of [comfyuiCurrent, comfyui0364]) {
      fx = await startSim('memory', { profile });
      const sock = await connected();
      const reply = await fx.postJson('/prompt', { prompt: sleepGraph(1_000, 2), client_id: CLIENT_ID });
      const promptId = postPromptOk.parse(reply.body).prompt_id;
      const queue = getQueueReply.parse((await fx.getJson('/queue')).body);
      const item = [...queue.queue_running, ...queue.queue_pending].find((i) => i[1] === promptId)!;
      expect(item).toHaveLength(5);
      expect('create_time' in item[3], profile.name).toBe(profile === comfyuiCurrent);
      await fx.waitUntil(() => sock.types().includes('execution_success'));
      await fx.pass(50);
      const entry = ((await fx.getJson(`/history/${promptId}`)).body as Record<string, { prompt: [number, string, unknown, Record<string, unknown>] }>)[promptId]!;
      expect('create_time' in entry.prompt[3], profile.name).toBe(profile === comfyuiCurrent);
      await fx.close();
    }
  });

  it('row 11: the jobs API answers under /api only, and is absent from the baseline', async () => {
    fx = await startSim('memory', { profile: comfyuiCurrent });
    const sock = await connected();
    const done = await runToEnd(sock, { prompt: txt2imgGraph({ steps: 1 }), client_id: CLIENT_ID });
    const pending = postPromptOk.parse((await fx.postJson('/prompt', { prompt: sleepGraph(5_000, 5), client_id: CLIENT_ID })).body).prompt_id;
    const list = (await fx.getJson('/api/jobs')).body as { jobs: Array<Record<string, unknown>>; pagination: Record<string, unknown> };
    expect(list.pagination).toMatchObject({ offset: 0, limit: null, total: 2, has_more: false });
    expect(list.jobs.map((j) => [j.id, j.status])).toEqual([[pending, expect.stringMatching(/^(pending|in_progress)$/)], [done, 'completed']]);
    expect(list.jobs[1]).toMatchObject({ outputs_count: 1, preview_output: { nodeId: '9', mediaType: 'images', type: 'output' } });
    const one = (await fx.getJson(`/api/jobs/${done}`)).body as Record<string, unknown>;
    expect(one).toMatchObject({ id: done, status: 'completed', execution_status: { status_str: 'success' } });
    expect(await status('/api/jobs/no-such-job')).toBe(404);
    expect(await status('/jobs')).toBe(404);
    expect(await status('/api/jobs?status=done')).toBe(400);
    const cancel = await fx.postJson(`/api/jobs/${pending}/cancel`, {});
    expect(cancel.body).toEqual({ cancelled: true });
    await fx.close();
    fx = await startSim('memory', { profile: comfyui0364 });
    expect(await status('/api/jobs')).toBe(404);
  });

  it('row 12: /system_stats reports os from sys.platform and the current version', async () => {
    fx = await startSim('memory', { profile: comfyuiCurrent });
    const system = ((await fx.getJson('/system_stats')).body as { system: Record<string, unknown> }).system;
    expect(system).toMatchObject({ os: 'linux', comfyui_version: comfyuiCurrent.comfyuiVersion });
    expect(system).toHaveProperty('required_frontend_version');
  });
});

describe('gateway-api-prefix profile (a proxy at /comfyui forwarding /api only)', () => {
  it('row 13: only <prefix>/api/... reaches ComfyUI; bare and unprefixed paths are 404, and so is an unprefixed /ws', async () => {
    fx = await startSim('memory', { profile: gatewayApiPrefix });
    expect(await status('/comfyui/api/queue')).toBe(200);
    expect(await status('/comfyui/queue')).toBe(404);
    expect(await status('/queue')).toBe(404);
    expect(await status('/api/queue')).toBe(404);
    const plain = fx.connect(CLIENT_ID);
    await fx.waitUntil(() => plain.closeCode !== null || plain.frames.length > 0);
    expect(plain.frames).toEqual([]);
    expect(plain.closeCode).toBe(1006);
    const url = `${fx.baseUrl.replace(/^http/, 'ws')}/comfyui/api/ws?clientId=${CLIENT_ID}`;
    const through = new RawSocket(fx.sim.memoryTransport().webSocketFactory(url));
    await fx.waitUntil(() => through.frames.length > 0);
    expect(through.types()[0]).toBe('status');
    const posted = await fx.postJson('/comfyui/api/prompt', { prompt: sleepGraph(10, 1), client_id: CLIENT_ID });
    expect(posted.status).toBe(200);
  });
});
