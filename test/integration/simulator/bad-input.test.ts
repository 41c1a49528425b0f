import { afterEach, describe, expect, it } from 'vitest';
import { postPromptOk, postPromptRejected } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../helpers/graphs.ts';
import { startSim, type SimFixture, type TransportKind } from '../../helpers/sim-fixture.ts';

describe.each<TransportKind>(['memory', 'network'])('bad input on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function stillServes(): Promise<void> {
    const sock = fx.connect('after');
    const res = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), client_id: 'after' });
    expect(res.status).toBe(200);
    const promptId = postPromptOk.parse(res.body).prompt_id;
    expect(await fx.waitUntil(() => sock.texts().some((t) => t.includes(`"node": null, "prompt_id": "${promptId}"`)))).toBe(true);
  }

  it('answers a non-JSON POST /prompt with a 400 that says what was wrong, and does not advance the counter', async () => {
    fx = await startSim(kind);
    const res = await fx.postJson('/prompt', '{"prompt": ');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/not valid JSON/);
    const empty = await fx.postJson('/prompt', '');
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/empty/);
    const ok = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1) });
    expect(postPromptOk.parse(ok.body).number).toBe(0);
  });

  it('rejects wrong types with ComfyUI error bodies, and they advance the counter', async () => {
    fx = await startSim(kind);
    const missing = await fx.postJson('/prompt', { client_id: 'x' });
    expect(missing.status).toBe(400);
    expect(postPromptRejected.parse(missing.body).error.type).toBe('no_prompt');
    const notObject = await fx.postJson('/prompt', { prompt: 5 });
    expect(postPromptRejected.parse(notObject.body).error.type).toBe('invalid_prompt');
    const unknown = await fx.postJson('/prompt', { prompt: { '1': { class_type: 'NoSuchNode', inputs: {} } } });
    expect(postPromptRejected.parse(unknown.body).error.type).toBe('invalid_prompt');
    const noOutputs = await fx.postJson('/prompt', { prompt: { '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } } } });
    expect(postPromptRejected.parse(noOutputs.body).error.type).toBe('prompt_no_outputs');
    const ok = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1) });
    expect(postPromptOk.parse(ok.body).number).toBe(4);
    const array = await fx.postJson('/prompt', [1, 2]);
    expect(array.status).toBe(400);
    expect(array.text).toMatch(/JSON object/);
  });

  it('answers unknown routes with 404 and bad query values with 400', async () => {
    fx = await startSim(kind);
    expect((await fx.fetch(`${fx.baseUrl}/no/such/route`)).status).toBe(404);
    const bad = await fx.fetch(`${fx.baseUrl}/history?max_items=lots`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/max_items/);
    const badQueue = await fx.postJson('/queue', { delete: 'abc' });
    expect(badQueue.status).toBe(400);
    expect(badQueue.text).toMatch(/delete/);
    await stillServes();
  });

  it('ignores junk on the WebSocket and keeps serving', async () => {
    fx = await startSim(kind);
    const sock = fx.connect('junk');
    await fx.waitUntil(() => sock.opened);
    sock.send('not json at all');
    sock.socket.send(new Uint8Array([0, 1, 2, 3]));
    sock.send('{"type": "feature_flags", "data": {"supports_preview_metadata": true}}');
    sock.send('{"type": "feature_flags", "data": {}}');
    await fx.waitUntil(() => sock.types().includes('feature_flags'));
    await fx.pass(50);
    // One reply only: the first valid-JSON frame used the slot; non-JSON did not.
    expect(sock.types().filter((t) => t === 'feature_flags')).toHaveLength(1);
    expect(sock.closeCode).toBeNull();
    await stillServes();
  });
});

describe('bad input on the network transport only', () => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('closes a socket that sends a frame over 4 MiB and keeps serving others', async () => {
    fx = await startSim('network');
    const sock = fx.connect('big');
    await fx.waitUntil(() => sock.opened);
    sock.send('x'.repeat(4 * 1024 * 1024 + 10));
    expect(await fx.waitUntil(() => sock.closeCode !== null)).toBe(true);
    expect(sock.closeCode).toBe(1009);
    const other = fx.connect('other');
    expect(await fx.waitUntil(() => other.frames.length > 0)).toBe(true);
  });

  it('answers a body over the limit with 413', async () => {
    fx = await startSim('network');
    const big = new Uint8Array(111 * 1024 * 1024);
    const res = await fetch(`${fx.baseUrl}/prompt`, { method: 'POST', body: big }).catch((error: Error) => error);
    // The server answers 413 and closes; depending on timing the client sees the 413 or a reset.
    if (res instanceof Error) expect(res.message).toMatch(/fetch failed|socket|reset/i);
    else expect(res.status).toBe(413);
    const ok = await fx.postJson('/prompt', { prompt: sleepGraph(10, 1) });
    expect(ok.status).toBe(200);
  });
});
