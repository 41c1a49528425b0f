import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { postPromptOk } from '../../../src/protocol/index.ts';
import { route } from '../../../src/simulator/http/comfy-routes.ts';
import { Simulator, type SimulatorOptions } from '../../../src/simulator/index.ts';
import { nodeCatalogue } from '../../../src/simulator/nodes/catalogue.ts';
import { sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';
import { startSim, type SimFixture, type TransportKind } from '../../helpers/sim-fixture.ts';

/** Issue 11: every limit answers with a clear error, says so in the trace, and the simulator goes on. */

const fastNodes = { stepMs: 1, pickupMs: 1, nodeMs: Object.fromEntries(Object.keys(nodeCatalogue).map((name) => [name, 1])) };

describe.each<TransportKind>(['memory', 'network'])('limits and internal errors on the %s transport', (kind) => {
  let fx: SimFixture;
  afterEach(async () => {
    await fx?.close();
  });

  const start = (options: SimulatorOptions = {}) => startSim(kind, { timing: fastNodes, ...options });

  it('answers a prompt past maxQueueLength with a 429 saying which limit, notes it, and queues again once there is room', async () => {
    fx = await startSim(kind, { limits: { maxQueueLength: 2 } });
    // A minute-long prompt holds the worker; once it runs, two more wait and the next finds the queue full.
    expect((await fx.postJson('/prompt', { prompt: sleepGraph(60_000, 1, 'holds') })).status).toBe(200);
    expect(await fx.waitUntil(() => fx.sim.core.queue.running !== null)).toBe(true);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fx.postJson('/prompt', { prompt: sleepGraph(60_000, 1, `q${i}`) })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(fx.sim.core.queue.pending.length).toBe(2);
    const refused = await fx.postJson('/prompt', { prompt: sleepGraph(200, 1, 'late') });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { type: 'queue_full', message: expect.stringMatching(/limits\.maxQueueLength 2/) } });
    expect(fx.sim.trace.some((e) => e.kind === 'note' && e.message.startsWith('limit: POST /prompt refused with 429'))).toBe(true);
    await fx.postJson('/queue', { clear: true });
    expect((await fx.postJson('/prompt', { prompt: sleepGraph(10, 1, 'room') })).status).toBe(200);
  });

  it('answers a prompt past maxQueueBytes with a 429', async () => {
    fx = await startSim(kind, { limits: { maxQueueBytes: 2000 } });
    const big = { prompt: sleepGraph(60_000, 1, 'x'.repeat(1500)) };
    expect((await fx.postJson('/prompt', big)).status).toBe(200);
    const second = await fx.postJson('/prompt', big);
    expect(second.status).toBe(429);
    expect(JSON.stringify(second.body)).toMatch(/limits\.maxQueueBytes 2000/);
  });

  it('fails a SaveImage with no room left in maxFileBytes with an OSError execution_error (a full disk in ComfyUI)', async () => {
    fx = await start({ limits: { maxFileBytes: 100 } });
    const res = await fx.postJson('/prompt', { prompt: txt2imgGraph({ steps: 1 }), client_id: 'c' });
    const promptId = postPromptOk.parse(res.body).prompt_id;
    expect(await fx.waitUntil(() => fx.sim.core.history.get(promptId) !== undefined)).toBe(true);
    const entry = fx.sim.core.history.get(promptId)!;
    expect(entry.status.status_str).toBe('error');
    const error = entry.status.messages.find(([type]) => type === 'execution_error')?.[1];
    expect(error).toMatchObject({ node_type: 'SaveImage', exception_type: 'OSError', exception_message: expect.stringMatching(/No space left on device/) });
    expect(fx.sim.trace.filter((e) => e.kind === 'internal_error')).toEqual([]);
  });

  it('answers a body over maxBodyBytes with the 413 aiohttp gives, and goes on serving', async () => {
    fx = await start({ limits: { maxBodyBytes: 1024 } });
    const res = await fx.fetch(`${fx.baseUrl}/prompt`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Maximum request body size 1024 exceeded, actual body size 4096');
    expect((await fx.postJson('/prompt', { prompt: sleepGraph(10, 1) })).status).toBe(200);
  });

  it('answers a handler that throws with a 500, writes internal_error with the stack, and goes on serving', async () => {
    fx = await start({ routes: [route.get('/boom', () => { throw new Error('kaput'); })] });
    const res = await fx.fetch(`${fx.baseUrl}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/Internal simulator error: kaput/);
    const internal = fx.sim.trace.filter((e) => e.kind === 'internal_error');
    expect(internal).toEqual([expect.objectContaining({ where: 'http', message: 'kaput', stack: expect.stringMatching(/kaput/) })]);
    expect((await fx.postJson('/prompt', { prompt: sleepGraph(10, 1) })).status).toBe(200);
  });
});

describe('limits of the network transport', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('answers a body over maxBodyBytes with 413 before reading it, as aiohttp does, and goes on serving', async () => {
    sim = new Simulator({ limits: { maxBodyBytes: 1024 } });
    const { url } = await sim.listen();
    const res = await fetch(`${url}/prompt`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Maximum request body size 1024 exceeded, actual body size 4096');
    expect((await fetch(`${url}/queue`)).status).toBe(200);
  });

  /** 300 PrimitiveString -> PreviewAny pairs: progress_state lists every node so far, some 70 MB in all. */
  function widePrompt(): Record<string, unknown> {
    const prompt: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) {
      prompt[`s${i}`] = { class_type: 'PrimitiveString', inputs: { value: `node ${i}` } };
      prompt[`p${i}`] = { class_type: 'PreviewAny', inputs: { source: [`s${i}`, 0] } };
    }
    return prompt;
  }

  it('drops a WebSocket whose client does not read once maxSendBufferBytes is waiting, and says so in the trace', { timeout: 60_000 }, async () => {
    sim = new Simulator({ limits: { maxSendBufferBytes: 64 * 1024 }, timing: fastNodes });
    const { port, url } = await sim.listen();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /ws?clientId=deaf HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      socket.pause(); // never reads
    });
    socket.on('error', () => undefined);
    try {
      const deadline = Date.now() + 30_000;
      while (!sim.trace.some((e) => e.kind === 'ws_connect') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: widePrompt(), client_id: 'deaf' }) });
      const dropped = () => sim!.trace.some((e) => e.kind === 'note' && e.message.startsWith('limit: maxSendBufferBytes (65536) exceeded'));
      while (!dropped() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(dropped()).toBe(true);
      while (!sim.trace.some((e) => e.kind === 'ws_close') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sim.trace.some((e) => e.kind === 'ws_close')).toBe(true);
      expect((await fetch(`${url}/queue`)).status).toBe(200);
    } finally {
      socket.destroy();
    }
  });

  it('still sends a single frame larger than maxSendBufferBytes to a client that reads', async () => {
    sim = new Simulator({
      limits: { maxSendBufferBytes: 64 * 1024 },
      faults: [{ type: 'oversized', at: { on: 'message', type: 'status' }, bytes: 4 * 1024 * 1024 }],
    });
    const { port } = await sim.listen();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?clientId=reader`);
    const sizes: number[] = [];
    ws.on('message', (data: Buffer) => sizes.push(data.length));
    ws.on('error', () => undefined);
    try {
      const deadline = Date.now() + 15_000;
      while (sizes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sizes[0]).toBeGreaterThanOrEqual(4 * 1024 * 1024); // the oversized frame, then status
      expect(sizes.length).toBe(2);
      expect(sim.trace.some((e) => e.kind === 'note' && e.message.startsWith('limit:'))).toBe(false);
    } finally {
      ws.close();
    }
  });
});

describe('the trace under a flood of client frames', () => {
  it('keeps client frames whole up to maxTracedClientFrameBytes, then as digests, with a note', async () => {
    const fx = await startSim('memory', { limits: { maxTracedClientFrameBytes: 1000 } });
    try {
      const sock = fx.connect('flooder');
      await fx.waitUntil(() => sock.opened);
      for (let i = 0; i < 10; i++) sock.send('x'.repeat(300));
      await fx.pass(10);
      const frames = fx.sim.trace.flatMap((e) => (e.kind === 'ws_recv' ? [e.frame] : []));
      expect(frames).toHaveLength(10);
      expect(frames.slice(0, 4).every((f) => 'text' in f)).toBe(true); // 4 x 300 passes 1,000
      expect(frames.slice(4).every((f) => 'digest' in f && f.bytes === 300)).toBe(true);
      expect(fx.sim.trace.filter((e) => e.kind === 'note' && e.message.startsWith('limit: maxTracedClientFrameBytes'))).toHaveLength(1);
    } finally {
      await fx.close();
    }
  });
});
