import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postPromptOk } from '../../src/protocol/index.ts';
import type { TraceEvent } from '../../src/protocol/index.ts';
import { txt2imgGraph, sleepGraph } from '../helpers/graphs.ts';
import { Simulator } from '../../src/simulator/index.ts';
import { nodeCatalogue } from '../../src/simulator/nodes/catalogue.ts';

/**
 * Issue 11: each of these five inputs killed `comfy-chaos serve` (exit 1, stack trace). Each now
 * gets ComfyUI's answer or a clear 4xx, the simulator goes on serving, and nothing escapes the
 * process (an uncaught exception or unhandled rejection fails the test below).
 */

let sim: Simulator;
let base: string;
let port: number;
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeAll(() => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterAll(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

afterEach(async () => {
  await sim?.close();
});

async function start(): Promise<void> {
  // Every node takes 1 ms: these tests are about answers, not timing.
  sim = new Simulator({ timing: { stepMs: 1, pickupMs: 1, nodeMs: Object.fromEntries(Object.keys(nodeCatalogue).map((name) => [name, 1])) } });
  const server = await sim.listen();
  base = server.url;
  port = server.port;
}

/** Writes `request` on a raw TCP socket and returns what came back before the server closed it (bounded). */
function rawRequest(request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let reply = '';
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

async function post(body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

async function waitFor<T>(find: () => T | undefined, maxMs = 10_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A normal prompt still runs to success, its client told on its socket. */
async function stillServes(): Promise<void> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?clientId=after`);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const res = await post({ prompt: sleepGraph(10, 1), client_id: 'after' });
  expect(res.status).toBe(200);
  const promptId = postPromptOk.parse(JSON.parse(res.text)).prompt_id;
  await waitFor(() => (frames.some((f) => f.includes('execution_success') && f.includes(promptId)) ? true : undefined));
  ws.close();
  expect((await fetch(`${base}/queue`)).status).toBe(200);
  expect(escaped).toEqual([]);
}

const internalErrors = (): TraceEvent[] => sim.trace.filter((e) => e.kind === 'internal_error');

function executionError(promptId: string): Record<string, unknown> | undefined {
  const entry = sim.core.history.get(promptId);
  const message = entry?.status.messages.find(([type]) => type === 'execution_error');
  return message?.[1] as Record<string, unknown> | undefined;
}

describe('issue 11: inputs that used to kill the simulator', () => {
  it('answers an HTTP path that starts with // and a bad authority with 404, as a path (aiohttp reads it so)', async () => {
    await start();
    for (const target of ['//%zz', '//[', '//a:b:c', '//:99999']) {
      const reply = await rawRequest(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(reply, target).toMatch(/^HTTP\/1\.1 404 /);
    }
    expect(internalErrors()).toEqual([]);
    await stillServes();
  });

  it('answers a WebSocket upgrade on //%zz/ws with 404, and still upgrades /ws', async () => {
    await start();
    const upgrade = (target: string) =>
      rawRequest(
        `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    expect(await upgrade('//%zz/ws')).toMatch(/^HTTP\/1\.1 404 /);
    expect(await upgrade('//[/ws')).toMatch(/^HTTP\/1\.1 404 /);
    expect(internalErrors()).toEqual([]);
    await stillServes();
  });

  it('fails a prompt whose undeclared input closes a cycle with ComfyUI\'s DependencyCycleError execution_error', async () => {
    await start();
    const res = await post({ prompt: { '1': { class_type: 'PreviewAny', inputs: { source: 'a', x: ['1', 0] } } }, client_id: 'c' });
    expect(res.status).toBe(200); // validation reads declared inputs only, as ComfyUI's does
    const promptId = postPromptOk.parse(JSON.parse(res.text)).prompt_id;
    const error = await waitFor(() => executionError(promptId));
    expect(error).toMatchObject({
      node_id: '1',
      node_type: 'PreviewAny',
      exception_type: 'graph.DependencyCycleError',
      exception_message: 'Dependency cycle detected',
      traceback: [],
      current_inputs: [],
      executed: [],
    });
    expect(sim.core.history.get(promptId)?.status.status_str).toBe('error');
    expect(internalErrors()).toEqual([]);
    await stillServes();
  });

  it('fails SaveImage prefixes outside the output folder with an execution_error, and saves ".." as ComfyUI does', async () => {
    await start();
    for (const prefix of ['../x', '/tmp/x', 'a/../../x']) {
      const res = await post({ prompt: txt2imgGraph({ steps: 1, prefix }) });
      expect(res.status, prefix).toBe(200);
      const promptId = postPromptOk.parse(JSON.parse(res.text)).prompt_id;
      const error = await waitFor(() => executionError(promptId));
      expect(error, prefix).toMatchObject({ node_id: '9', node_type: 'SaveImage', exception_type: 'Exception' });
      expect(String(error!.exception_message)).toMatch(/^\*\*\*\* ERROR: Saving image outside the output folder is not allowed\./);
    }
    // get_save_image_path refuses only the folder: a prefix of ".." is the file name ".._00001_.png".
    const dots = await post({ prompt: txt2imgGraph({ steps: 1, prefix: '..' }) });
    const dotsId = postPromptOk.parse(JSON.parse(dots.text)).prompt_id;
    const entry = await waitFor(() => sim.core.history.get(dotsId));
    expect(entry.status.status_str).toBe('success');
    expect(entry.outputs['9']).toEqual({ images: [{ filename: '.._00001_.png', subfolder: '', type: 'output' }] });
    expect(internalErrors()).toEqual([]);
    await stillServes();
  });

  it('refuses an input array nested 2,500 deep with a 400 before anything is queued; /queue keeps working', async () => {
    await start();
    const deep = '['.repeat(2500) + ']'.repeat(2500);
    const res = await post(`{"prompt": {"1": {"class_type": "PreviewAny", "inputs": {"source": ${deep}}}}}`);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/deeper than 512 levels/);
    expect(sim.trace.some((e) => e.kind === 'prompt' && e.event === 'queued')).toBe(false);
    const queue = await fetch(`${base}/queue`);
    expect(queue.status).toBe(200);
    expect(await queue.json()).toEqual({ queue_running: [], queue_pending: [] });
    expect(internalErrors()).toEqual([]);
    await stillServes();
  });
});
