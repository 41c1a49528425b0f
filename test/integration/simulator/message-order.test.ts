import { afterEach, describe, expect, it } from 'vitest';
import { historyReply, getQueueReply, postPromptOk } from '../../../src/protocol/index.ts';
import { failingGraph, sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';
import { startSim, type SimFixture, type TransportKind } from '../../helpers/sim-fixture.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const d = (m: { data: unknown }) => m.data as Record<string, any>;

/** Collapses runs of the same type, so per-step repetition does not matter: a,b,b,c -> a,b,c. */
function collapse(types: string[]): string[] {
  return types.filter((t, i) => i === 0 || types[i - 1] !== t);
}

describe.each<TransportKind>(['memory', 'network'])('simulator message order on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function submit(body: Record<string, unknown>): Promise<string> {
    const res = await fx.postJson('/prompt', body);
    expect(res.status, res.text).toBe(200);
    return postPromptOk.parse(res.body).prompt_id;
  }

  async function waitForEnd(sock: { types(): string[]; messages(): ReturnType<import('../../helpers/sim-fixture.ts').RawSocket['messages']> }, promptId: string) {
    const ended = await fx.waitUntil(() =>
      sock.messages().some((m) => m.type === 'executing' && (m.data as { node: unknown; prompt_id?: string }).node === null && (m.data as { prompt_id?: string }).prompt_id === promptId),
    );
    expect(ended, `prompt ${promptId} did not end; got ${sock.types().join(',')}`).toBe(true);
  }

  it('sends the full ComfyUI order for a fresh prompt, every message valid', async () => {
    fx = await startSim(kind);
    const sock = fx.connect('c1');
    await fx.waitUntil(() => sock.frames.length > 0);
    const promptId = await submit({ prompt: txt2imgGraph({ steps: 3 }), client_id: 'c1' });
    await waitForEnd(sock, promptId);
    const messages = sock.messages();
    expect(messages[0]).toMatchObject({ type: 'status', data: { sid: 'c1' } });
    const types = collapse(messages.slice(1).map((m) => m.type));
    expect(types.slice(0, 4)).toEqual(['status', 'execution_start', 'execution_cached', 'progress_state']);
    expect(types.slice(-3)).toEqual(['execution_success', 'status', 'executing']);
    // Per node: progress_state (running) just before executing; sampler steps alternate state and progress.
    const sampler = messages.filter((m) => m.type === 'progress' && d(m).node === '3').map((m) => d(m).value);
    expect(sampler).toEqual([1, 2, 3]);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.type === 'executing' && d(m).node !== null) {
        expect(messages[i - 1]!.type).toBe('progress_state');
        expect(d(m).prompt_id).toBe(promptId);
        expect(d(m).display_node).toBe(d(m).node);
      }
    }
    const executed = messages.filter((m) => m.type === 'executed');
    expect(executed).toHaveLength(1);
    expect(executed[0]!.data).toMatchObject({ node: '9', output: { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] } });
    const history = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body);
    expect(history[promptId]!.status).toMatchObject({ status_str: 'success', completed: true });
    expect(history[promptId]!.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_cached', 'execution_success']);
    expect(history[promptId]!.outputs['9']).toEqual(d(executed[0]!).output);
    const image = await fx.fetch(`${fx.baseUrl}/view?filename=ComfyUI_00001_.png&type=output`);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer()).slice(1, 4)).toEqual(new TextEncoder().encode('PNG'));
  });

  it('serves an identical rerun from cache with no per-node executing', async () => {
    fx = await startSim(kind);
    const sock = fx.connect('c1');
    const first = await submit({ prompt: txt2imgGraph(), client_id: 'c1' });
    await waitForEnd(sock, first);
    const before = sock.frames.length;
    const second = await submit({ prompt: txt2imgGraph(), client_id: 'c1' });
    await waitForEnd(sock, second);
    const rerun = sock.messages().slice(sock.messages().length - (sock.frames.length - before));
    expect(rerun.map((m) => m.type)).toEqual([
      'status',
      'status',
      'execution_start',
      'execution_cached',
      'executed',
      'progress_state',
      'execution_success',
      'status',
      'executing',
    ]);
    const cached = rerun.find((m) => m.type === 'execution_cached')!;
    expect([...(cached.data as { nodes: string[] }).nodes].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    const state = rerun.find((m) => m.type === 'progress_state')!;
    expect((state.data as { nodes: Record<string, unknown> }).nodes['9']).toMatchObject({ value: 1, max: 1, state: 'finished' });
    const history = historyReply.parse((await fx.getJson(`/history/${second}`)).body);
    expect(history[second]!.outputs['9']).toBeDefined();
  });

  it('reports an error with execution_error, no success, and an error history entry', async () => {
    fx = await startSim(kind);
    const sock = fx.connect('c1');
    const promptId = await submit({ prompt: failingGraph('kaboom'), client_id: 'c1' });
    await waitForEnd(sock, promptId);
    const types = sock.types();
    expect(types).not.toContain('execution_success');
    const tail = collapse(types).slice(-5);
    expect(tail).toEqual(['progress_state', 'executing', 'execution_error', 'status', 'executing']);
    const error = sock.messages().find((m) => m.type === 'execution_error')!;
    expect(error.data).toMatchObject({ prompt_id: promptId, node_id: '1', node_type: 'SimFail', exception_message: 'kaboom\n' });
    const entry = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]!;
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry.outputs).toEqual({});
    expect(entry.status.messages.at(-1)![0]).toBe('execution_error');
  });

  it('interrupts a running prompt by id and ignores an interrupt for another id', async () => {
    fx = await startSim(kind);
    const sock = fx.connect('c1');
    const promptId = await submit({ prompt: sleepGraph(2000, 20), client_id: 'c1' });
    await fx.waitUntil(() => sock.types().includes('progress'));
    await fx.postJson('/interrupt', { prompt_id: 'not-running' });
    await fx.pass(300);
    expect(sock.types()).not.toContain('execution_interrupted');
    const res = await fx.postJson('/interrupt', { prompt_id: promptId });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await waitForEnd(sock, promptId);
    expect(collapse(sock.types()).slice(-3)).toEqual(['execution_interrupted', 'status', 'executing']);
    const entry = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId]!;
    expect(entry.status.status_str).toBe('error');
    expect(entry.status.messages.at(-1)![0]).toBe('execution_interrupted');
  });

  it('broadcasts progress but sends no execution messages for a prompt without client_id', async () => {
    fx = await startSim(kind);
    const a = fx.connect('a');
    const b = fx.connect('b');
    const promptId = await submit({ prompt: sleepGraph(100, 2) });
    const done = await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'history_written'));
    expect(done).toBe(true);
    await fx.waitUntil(() => a.types().filter((t) => t === 'status').length >= 4 && b.types().filter((t) => t === 'status').length >= 4);
    for (const sock of [a, b]) {
      const types = sock.types();
      expect(types).toContain('progress');
      expect(types).toContain('progress_state');
      expect(types).not.toContain('execution_start');
      expect(types).not.toContain('executing');
      expect(types).not.toContain('executed');
    }
    const entry = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId];
    expect(entry?.status.status_str).toBe('success');
  });

  it('replays executing without prompt_id on a same-clientId reconnect mid-prompt', async () => {
    fx = await startSim(kind);
    const first = fx.connect('c1');
    const promptId = await submit({ prompt: sleepGraph(1000, 10), client_id: 'c1' });
    await fx.waitUntil(() => first.types().includes('progress'));
    first.close();
    await fx.waitUntil(() => first.closeCode !== null);
    const second = fx.connect('c1');
    await waitForEnd(second, promptId);
    const messages = second.messages();
    expect(messages[0]).toMatchObject({ type: 'status', data: { sid: 'c1' } });
    expect(messages[1]).toEqual({ type: 'executing', data: { node: '1' } });
    expect(messages.map((m) => m.type)).toContain('execution_success');
  });

  it('sends nothing more about the prompt to a new clientId after a reconnect', async () => {
    fx = await startSim(kind);
    const first = fx.connect('c1');
    const promptId = await submit({ prompt: sleepGraph(500, 5), client_id: 'c1' });
    await fx.waitUntil(() => first.types().includes('progress'));
    first.close();
    const second = fx.connect('c2');
    await fx.waitUntil(() => second.frames.length > 0);
    await fx.waitUntil(() => false, 1500);
    const messages = second.messages();
    expect(messages[0]).toMatchObject({ type: 'status', data: { sid: 'c2' } });
    expect(messages.filter((m) => (m.data as { prompt_id?: string })?.prompt_id === promptId)).toEqual([]);
    // The prompt still finished on the server: only HTTP can tell.
    const entry = historyReply.parse((await fx.getJson(`/history/${promptId}`)).body)[promptId];
    expect(entry?.status.completed).toBe(true);
  });

  it('lists running and pending prompts in /queue and counts them in GET /prompt', async () => {
    fx = await startSim(kind);
    const a = await submit({ prompt: sleepGraph(1000, 1, 'a'), client_id: 'c1' });
    await fx.waitUntil(() => fx.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'started'));
    const b = await submit({ prompt: sleepGraph(1000, 1, 'b'), client_id: 'c1' });
    const c = await submit({ prompt: sleepGraph(1000, 1, 'c'), client_id: 'c1', front: true });
    await fx.pass(100);
    const queue = getQueueReply.parse((await fx.getJson('/queue')).body);
    expect(queue.queue_running.map((i) => i[1])).toEqual([a]);
    expect(queue.queue_pending.map((i) => i[1]).sort()).toEqual([b, c].sort());
    expect(queue.queue_pending.find((i) => i[1] === c)![0]).toBeLessThan(0);
    expect((await fx.getJson('/prompt')).body).toEqual({ exec_info: { queue_remaining: 3 } });
    await fx.postJson('/queue', { delete: [b] });
    const after = getQueueReply.parse((await fx.getJson('/queue')).body);
    expect(after.queue_pending.map((i) => i[1])).toEqual([c]);
  });
});
