import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RecordingProxy } from '../../../src/harness/record/recording-proxy.ts';
import type { FaultInput, TraceEvent } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';
import { Simulator } from '../../../src/simulator/index.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxied(faults: FaultInput[] = [], options: { previews?: boolean; maxTraceBodyBytes?: number } = {}) {
  const sim = new Simulator({ seed: 1, faults, previews: options.previews });
  const upstream = await sim.listen({ port: 0 });
  const proxy = new RecordingProxy({ upstream: upstream.url, port: 0, keepTrace: true, maxTraceBodyBytes: options.maxTraceBodyBytes });
  const { url } = await proxy.listen();
  cleanups.push(() => sim.close(), () => proxy.close());
  return { sim, proxy, url, ws: url.replace('http', 'ws') };
}

function collect(socket: WebSocket) {
  const frames: Array<{ data: Buffer; isBinary: boolean }> = [];
  socket.on('message', (data, isBinary) => frames.push({ data: data as Buffer, isBinary }));
  return frames;
}

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

const of = <K extends TraceEvent['kind']>(events: readonly TraceEvent[], kind: K) => events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);

describe('RecordingProxy', () => {
  it('passes binary preview frames through untouched and records them as base64', async () => {
    const { proxy, url, ws } = await proxied([], { previews: true });
    const socket = new WebSocket(`${ws}/ws?clientId=c1`);
    const frames = collect(socket);
    await new Promise((r) => socket.once('open', r));
    await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: sleepGraph(100, 2, 'p'), client_id: 'c1' }) });
    await until(() => frames.some((f) => !f.isBinary && f.data.toString().includes('execution_success')));
    socket.close();
    const binary = frames.filter((f) => f.isBinary);
    expect(binary).toHaveLength(2);
    const recorded = of(proxy.events, 'ws_send').filter((e) => e.msgType === 'binary');
    expect(recorded.map((e) => ('base64' in e.frame ? e.frame.base64 : ''))).toEqual(binary.map((f) => f.data.toString('base64')));
  });

  it('passes a refused upgrade on with its status, recorded as ws_refused', async () => {
    const { proxy, ws } = await proxied([{ type: 'refuse_upgrades', durationMs: 60_000, status: 503, at: { on: 'time', afterMs: 0 } }]);
    await new Promise((r) => setTimeout(r, 20));
    const socket = new WebSocket(`${ws}/ws?clientId=c2`);
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(503);
    expect(of(proxy.events, 'ws_refused')).toEqual([expect.objectContaining({ status: 503, clientId: 'c2' })]);
  });

  it('passes the server close code on, and records who closed', async () => {
    const { proxy, ws } = await proxied([{ type: 'close', code: 4000, reason: 'relay moved', at: { on: 'connect', occurrence: 1 } }]);
    const socket = new WebSocket(`${ws}/ws?clientId=c3`);
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4000);
    await until(() => of(proxy.events, 'ws_close').length > 0);
    expect(of(proxy.events, 'ws_close')).toEqual([expect.objectContaining({ conn: 1, code: 4000, by: 'server' })]);
  });

  it('forwards a whole large body but keeps only its start in the trace', async () => {
    const { proxy, url } = await proxied([], { maxTraceBodyBytes: 1024 });
    const value = 'x'.repeat(5000);
    const res = await fetch(`${url}/api/prompt`, { method: 'POST', body: JSON.stringify({ prompt: sleepGraph(10, 1, value) }) });
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { prompt_id: string }).prompt_id;
    await until(() => false, 100);
    const history = (await (await fetch(`${url}/history/${id}`)).json()) as Record<string, { prompt: [number, string, Record<string, { inputs: { value: string } }>] }>;
    expect(history[id]!.prompt[2]['1']!.inputs.value).toBe(value);
    const post = of(proxy.events, 'http').find((e) => e.method === 'POST')!;
    expect(post.path).toBe('/api/prompt');
    expect(post.request).toHaveLength(1025);
    expect(post.request!.endsWith('…')).toBe(true);
  });

  it('answers 502 naming the upstream when it cannot be reached, and traces it as an HTTP event with the reason and timing', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const proxy = new RecordingProxy({ upstream: `http://127.0.0.1:${port}`, port: 0, keepTrace: true });
    const { url } = await proxy.listen();
    cleanups.push(() => proxy.close());
    const res = await fetch(`${url}/queue`);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(new RegExp(`^comfy-chaos record: upstream http://127.0.0.1:${port} unreachable: .*ECONNREFUSED`));
    const [event] = of(proxy.events, 'http');
    expect(event).toMatchObject({ method: 'GET', path: '/queue', status: 502, response: expect.stringMatching(/^comfy-chaos record: upstream/) });
    expect(event!.fault).toMatch(/^record: upstream unreachable after \d+ ms: .*ECONNREFUSED/);
    // A WebSocket upgrade that cannot reach the upstream is a refused upgrade, with the reason beside it.
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=c9`);
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => resolve(-1));
    });
    expect(status).toBe(502);
    await until(() => of(proxy.events, 'ws_refused').length > 0);
    expect(of(proxy.events, 'ws_refused')).toEqual([expect.objectContaining({ status: 502, clientId: 'c9' })]);
    expect(of(proxy.events, 'note').at(-1)!.message).toMatch(/^record: upstream WebSocket \/ws unreachable after \d+ ms: .*ECONNREFUSED.* \(answered 502\)$/);
  });

  it('refuses a bad upstream at construction, naming it', () => {
    expect(() => new RecordingProxy({ upstream: 'not a url' })).toThrow('RecordingProxy: upstream must be a URL such as http://127.0.0.1:8188 (got "not a url")');
  });
});
