import { afterEach, describe, expect, it } from 'vitest';
import { decodeBinaryFrame, historyReply, postPromptOk } from '../../../src/protocol/index.ts';
import type { FaultInput } from '../../../src/protocol/index.ts';
import { sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';
import { startSim, type RawSocket, type SimFixture, type TransportKind } from '../../helpers/sim-fixture.ts';

const beforeExecuted = { on: 'message', type: 'executed', prompt: 1 } as const;

async function runOnePrompt(fx: SimFixture, sock: RawSocket): Promise<string> {
  await fx.waitUntil(() => sock.frames.length > 0);
  const res = await fx.postJson('/prompt', { prompt: txt2imgGraph({ steps: 2 }), client_id: 'c1' });
  expect(res.status).toBe(200);
  const promptId = postPromptOk.parse(res.body).prompt_id;
  await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written'));
  await fx.waitUntil(() => sock.texts().some((t) => t.includes('"node": null')) || sock.closeCode !== null, 2000);
  return promptId;
}

const executedText = (sock: RawSocket) => sock.texts().filter((t) => t.includes('"type": "executed"'));

describe.each<TransportKind>(['memory', 'network'])('frame faults on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function withFault(fault: FaultInput): Promise<RawSocket> {
    fx = await startSim(kind, { faults: [fault] });
    const sock = fx.connect('c1');
    await runOnePrompt(fx, sock);
    expect(fx.sim.trace.some((e) => e.kind === 'fault' && e.faultType === fault.type), 'the fault fired').toBe(true);
    return sock;
  }

  it('puts a UTF-8 BOM before the JSON', async () => {
    const sock = await withFault({ type: 'bom', at: beforeExecuted });
    const frame = sock.texts().find((t) => t.includes('"type": "executed"'))!;
    expect(frame.charCodeAt(0)).toBe(0xfeff);
    expect(JSON.parse(frame.slice(1)).type).toBe('executed');
  });

  it('puts garbage before the {', async () => {
    const sock = await withFault({ type: 'garbage_prefix', at: beforeExecuted, garbage: 'xx' });
    expect(executedText(sock)[0]!.startsWith('xx{"type": "executed"')).toBe(true);
  });

  it('sends a text heartbeat before the frame', async () => {
    const sock = await withFault({ type: 'heartbeat', at: beforeExecuted, text: 'pong' });
    const texts = sock.texts();
    const i = texts.findIndex((t) => t.includes('"type": "executed"'));
    expect(texts[i - 1]).toBe('pong');
  });

  it('truncates the JSON', async () => {
    const sock = await withFault({ type: 'truncate', at: beforeExecuted, keepRatio: 0.5 });
    const cut = sock.texts().find((t) => t.startsWith('{"type": "executed"'))!;
    expect(() => JSON.parse(cut)).toThrow();
  });

  it('sends non-JSON text before the frame', async () => {
    const sock = await withFault({ type: 'non_json', at: beforeExecuted });
    expect(sock.texts()).toContain('<html>502 Bad Gateway</html>');
  });

  it('duplicates, drops and reorders frames', async () => {
    let sock = await withFault({ type: 'duplicate', at: beforeExecuted });
    expect(executedText(sock)).toHaveLength(2);
    await fx.close();
    sock = await withFault({ type: 'drop', at: beforeExecuted });
    expect(executedText(sock)).toHaveLength(0);
    await fx.close();
    sock = await withFault({ type: 'reorder', at: beforeExecuted });
    const types = sock.types();
    const executed = types.indexOf('executed');
    expect(executed).toBeGreaterThan(0);
    expect(types[executed - 1]).toBe('progress_state');
  });

  it('sends an unknown message type and extra fields, both still valid envelopes', async () => {
    let sock = await withFault({ type: 'unknown_type', at: beforeExecuted });
    expect(sock.messages().some((m) => m.type === 'crystools.monitor' && 'unknown' in m)).toBe(true);
    await fx.close();
    sock = await withFault({ type: 'extra_fields', at: beforeExecuted });
    const executed = JSON.parse(executedText(sock)[0]!);
    expect(executed.data.sim_extra).toBe('x');
    expect(executed.data.node).toBe('9');
  });

  it('sends a binary preview where text was expected', async () => {
    const sock = await withFault({ type: 'binary_preview', at: beforeExecuted });
    const binary = sock.frames.find((f) => typeof f !== 'string') as Uint8Array;
    expect(decodeBinaryFrame(binary)).toMatchObject({ kind: 'preview_image', format: 'jpeg' });
  });

  it('sends an oversized frame', async () => {
    const sock = await withFault({ type: 'oversized', at: beforeExecuted, bytes: 5 * 1024 * 1024 });
    expect(Math.max(...sock.texts().map((t) => t.length))).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });
});

describe.each<TransportKind>(['memory', 'network'])('connection faults on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('terminates with 1006 before executed while the prompt still succeeds', async () => {
    fx = await startSim(kind, { faults: [{ type: 'terminate', at: beforeExecuted }] });
    const sock = fx.connect('c1');
    const promptId = await runOnePrompt(fx, sock);
    expect(sock.closeCode).toBe(1006);
    expect(executedText(sock)).toHaveLength(0);
    const entry = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId];
    expect(entry?.status.status_str).toBe('success');
  });

  it('closes with the given code', async () => {
    fx = await startSim(kind, { faults: [{ type: 'close', code: 4001, at: { on: 'message', type: 'execution_start' } }] });
    const sock = fx.connect('c1');
    await runOnePrompt(fx, sock);
    expect(sock.closeCode).toBe(4001);
  });

  it('refuses upgrades with 503 for a while, then accepts', async () => {
    fx = await startSim(kind, { faults: [{ type: 'refuse_upgrades', durationMs: 1000, at: { on: 'time', afterMs: 0 } }] });
    await fx.pass(10);
    const refused = fx.connect('c1');
    await fx.waitUntil(() => refused.closeCode !== null || refused.opened);
    expect(refused.opened).toBe(false);
    expect(fx.sim.trace.some((e) => e.kind === 'ws_refused' && e.status === 503)).toBe(true);
    await fx.pass(1100);
    const accepted = fx.connect('c1');
    expect(await fx.waitUntil(() => accepted.frames.length > 0)).toBe(true);
  });

  it('goes silent without closing (half-open)', async () => {
    fx = await startSim(kind, { faults: [{ type: 'silence', durationMs: 0, at: { on: 'message', type: 'execution_start', when: 'after' } }] });
    const sock = fx.connect('c1');
    const promptId = await runOnePrompt(fx, sock);
    expect(sock.closeCode).toBeNull();
    expect(sock.types().at(-1)).toBe('execution_start');
    expect(historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]).toBeDefined();
  });

  it('restarts losing queue and history: the prompt is lost and /history answers {}', async () => {
    fx = await startSim(kind, { faults: [{ type: 'restart', downMs: 500, at: { on: 'message', type: 'progress', prompt: 1 } }] });
    const sock = fx.connect('c1');
    await fx.waitUntil(() => sock.frames.length > 0);
    const res = await fx.postJson('/prompt', { prompt: sleepGraph(1000, 5), client_id: 'c1' });
    const promptId = postPromptOk.parse(res.body).prompt_id;
    await fx.waitUntil(() => sock.closeCode !== null);
    expect(sock.closeCode).toBe(1006);
    await expect(fx.getJson('/queue')).rejects.toThrow();
    await fx.pass(600);
    expect((await fx.getJson(`/history/${promptId}`)).body).toEqual({});
    expect((await fx.getJson('/queue')).body).toEqual({ queue_running: [], queue_pending: [] });
    expect(fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'lost' && e.promptId === promptId)).toBe(true);
    const again = fx.connect('c1');
    expect(await fx.waitUntil(() => again.frames.length > 0)).toBe(true);
    // The counter restarted too.
    const next = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), client_id: 'c1' });
    expect(postPromptOk.parse(next.body).number).toBe(0);
  });

  it('leaves a same-clientId reconnect deaf (ComfyUI#16010)', async () => {
    fx = await startSim(kind, { faults: [{ type: 'deaf_reconnect', at: { on: 'time', afterMs: 0 } }] });
    const first = fx.connect('c1');
    await fx.waitUntil(() => first.frames.length > 0);
    first.close();
    await fx.waitUntil(() => first.closeCode !== null);
    const second = fx.connect('c1');
    await fx.waitUntil(() => second.frames.length > 0);
    const res = await fx.postJson('/prompt', { prompt: sleepGraph(100, 2), client_id: 'c1' });
    const promptId = postPromptOk.parse(res.body).prompt_id;
    await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written'));
    await fx.pass(100);
    expect(second.types()).toEqual(['status']);
    expect(second.closeCode).toBeNull();
    expect(historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]).toBeDefined();
  });

  it('stalls delivery to every socket while HTTP keeps working (ComfyUI#15240)', async () => {
    fx = await startSim(kind, { faults: [{ type: 'stalled_peer', durationMs: 3000, at: { on: 'message', type: 'execution_start' } }] });
    const sock = fx.connect('c1');
    await fx.waitUntil(() => sock.frames.length > 0);
    const res = await fx.postJson('/prompt', { prompt: sleepGraph(100, 2), client_id: 'c1' });
    const promptId = postPromptOk.parse(res.body).prompt_id;
    await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written'));
    expect(sock.types()).not.toContain('execution_start');
    expect(historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]).toBeDefined();
    await fx.waitUntil(() => sock.types().includes('execution_success'), 5000);
    expect(sock.types()).toContain('execution_start');
  });
});

describe.each<TransportKind>(['memory', 'network'])('HTTP faults on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('answers a status for the next requests to a path, then recovers', async () => {
    fx = await startSim(kind, { faults: [{ type: 'http_status', path: '/history/*', status: 503, times: 2, at: { on: 'time', afterMs: 0 } }] });
    await fx.pass(1);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await fx.fetch(`${fx.baseUrl}/api/history/x`)).status);
    expect(codes).toEqual([503, 503, 200]);
  });

  it('fires on the n-th request and delays or hangs requests', async () => {
    fx = await startSim(kind, {
      faults: [
        { type: 'http_status', path: '/prompt', status: 429, at: { on: 'request', path: '/prompt', occurrence: 2 } },
        { type: 'http_hang', path: '/queue', at: { on: 'time', afterMs: 0 } },
      ],
    });
    await fx.pass(1);
    expect((await fx.fetch(`${fx.baseUrl}/prompt`)).status).toBe(200);
    expect((await fx.fetch(`${fx.baseUrl}/prompt`)).status).toBe(429);
    expect((await fx.fetch(`${fx.baseUrl}/prompt`)).status).toBe(200);
    const controller = new AbortController();
    const hung = fx.fetch(`${fx.baseUrl}/queue`, { signal: controller.signal });
    await fx.pass(200);
    controller.abort();
    await expect(hung).rejects.toThrow();
  });

  it('writes history late after success, the prompt still running meanwhile (ComfyUI#11540)', async () => {
    fx = await startSim(kind, { faults: [{ type: 'history_late', delayMs: 1000, at: { on: 'time', afterMs: 0 } }] });
    const sock = fx.connect('c1');
    const promptId = postPromptOk.parse((await fx.postJson('/prompt', { prompt: sleepGraph(50, 1), client_id: 'c1' })).body).prompt_id;
    await fx.waitUntil(() => sock.types().includes('execution_success'));
    expect((await fx.getJson(`/history/${promptId}`)).body).toEqual({});
    const queue = (await fx.getJson('/queue')).body as { queue_running: unknown[][] };
    expect(queue.queue_running.map((item) => item[1])).toEqual([promptId]);
    expect(sock.texts().some((t) => t.includes('"node": null')), 'executing{node:null} waits for history').toBe(false);
    await fx.waitUntil(() => sock.texts().some((t) => t.includes('"node": null')));
    expect(historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]).toBeDefined();
  });
});
