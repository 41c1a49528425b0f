#!/usr/bin/env node
/**
 * A driver for the npm package @stable-canvas/comfyui-client 1.5.9 (StableCanvas/comfyui-client),
 * unmodified, pinned in package.json beside this file (installed by scripts/install-npm-clients.sh),
 * through its public API: `new Client({ api_host, clientId, WebSocket, fetch })`, `connect()`,
 * `enqueue(prompt, { progress, timeout_ms })`, `deleteItem('queue', id)`, `interrupt(id)`.
 * What the package does and where it is weak: README.md beside this file.
 *
 * Faithful to the package, not better:
 * - one Client (one clientId, one socket, which the package re-opens 300 ms after each close) per
 *   window; each job is one `enqueue` call, the package's WebSocket way to run a prompt;
 * - `enqueue` returns the prompt_id only at the end: the driver hands the package a `fetch` (its own
 *   option for that) that calls the global fetch and reads the prompt_id from the POST /prompt reply,
 *   which it passes on untouched (AsyncLocalStorage tells which job's enqueue made the call);
 * - `enqueue` resolving is `completed`, with outputs as it resolves them: `{ images: [{ type: 'url',
 *   data: <a /view URL> }] }` (and `{ type: 'buff', data, mime }` for the previews it collects, the
 *   bytes as base64); rejecting is `failed`: before the prompt_id -> error (a refused
 *   submission), PromptTimeoutError -> timeout, anything else (WorkflowExecutionError...) -> error;
 * - progress: what it passes to the `progress` callback, filtered by prompt_id as it does;
 * - cancel: the package's two calls, `deleteItem('queue', id)` (a pending prompt) and
 *   `interrupt(id)` (the running one, by prompt_id);
 * - no handler for unhandled rejections, as an application with Node's defaults has none;
 * - the scenario's hint jobTimeoutMs sets its `timeout_ms` (default 5 minutes).
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/third-party/stable-canvas-comfyui-client/driver.mjs
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Client, PromptTimeoutError } from '@stable-canvas/comfyui-client';
import WebSocket from 'ws';

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const base = (process.env.COMFY_URL ?? '').split(',')[0].trim();
if (!base) {
  console.error('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
  process.exit(2);
}
let hints = {};
try {
  hints = JSON.parse(process.env.COMFY_CHAOS_HINTS || '{}') ?? {};
} catch {
  // no hints: the package's defaults
}
const timeoutMs = typeof hints.jobTimeoutMs === 'number' ? hints.jobTimeoutMs : 5 * 60 * 1000;

/** harness job id -> prompt_id, once the package's POST /prompt was answered */
const promptIds = new Map();
/** Jobs the harness asked to cancel before their POST /prompt reply came. */
const cancelWanted = new Set();
/** Which job a fetch call of the package belongs to (it runs inside that job's enqueue call). */
const jobOfCall = new AsyncLocalStorage();

/** The package's `fetch` option: the global fetch, also reading the prompt_id of a POST /prompt reply. */
async function observingFetch(url, init) {
  const response = await fetch(url, init);
  const id = jobOfCall.getStore();
  if (id !== undefined && init?.method === 'POST' && new URL(String(url)).pathname.endsWith('/prompt')) {
    const body = await response.clone().json().catch(() => undefined);
    if (typeof body?.prompt_id === 'string') {
      promptIds.set(id, body.prompt_id);
      emit({ type: 'submitted', id, prompt_id: body.prompt_id });
      if (cancelWanted.delete(id)) void cancel(id); // asked before the id was known: the package needs it
    }
  }
  return response;
}

const clients = new Map(); // window -> { client, ready }

async function clientFor(window) {
  if (!clients.has(window)) {
    // The package builds http(s):// and ws(s):// from api_host and its `ssl` option: an https:// base (gateway-tls) needs ssl.
    const client = new Client({ api_host: new URL(base).host, ssl: new URL(base).protocol === 'https:', clientId: randomUUID(), WebSocket, fetch: observingFetch });
    clients.set(window, { client, ready: client.connect() });
  }
  const { client, ready } = clients.get(window);
  await ready;
  return client;
}

/** A result image as JSON: a URL as it is, a preview's bytes (`type: 'buff'`, an ArrayBuffer) as base64. */
const asJson = (image) => (image?.data instanceof ArrayBuffer ? { ...image, data: Buffer.from(image.data).toString('base64') } : image);

async function submit(id, prompt, window) {
  let client;
  try {
    client = await clientFor(window);
  } catch (error) {
    return emit({ type: 'failed', id, reason: 'error', error: `connect() rejected: ${error?.message ?? error}` });
  }
  const progress = (data) => emit({ type: 'progress', id, value: data.value, max: data.max, ...(data.node ? { node: String(data.node) } : {}) });
  try {
    const result = await jobOfCall.run(id, () => client.enqueue(prompt, { progress, timeout_ms: timeoutMs }));
    emit({ type: 'completed', id, prompt_id: promptIds.get(id) ?? result.prompt_id, outputs: { images: result.images.map(asJson) } });
  } catch (error) {
    const promptId = promptIds.get(id);
    const reason = promptId === undefined ? 'error' : error instanceof PromptTimeoutError ? 'timeout' : 'error';
    emit({ type: 'failed', id, ...(promptId ? { prompt_id: promptId } : {}), reason, error: `enqueue rejected: ${error?.constructor?.name ?? 'Error'}: ${error?.message ?? error}` });
  }
}

async function cancel(id) {
  const promptId = promptIds.get(id);
  if (promptId === undefined) {
    // The package cancels by prompt id only: the cancel is made as soon as the POST /prompt reply names it.
    cancelWanted.add(id);
    return emit({ type: 'log', message: `${id}: no prompt_id yet; cancelling once the reply names it` });
  }
  const { client } = clients.get('main');
  for (const call of [() => client.deleteItem('queue', promptId), () => client.interrupt(promptId)]) {
    try {
      await call();
    } catch (error) {
      emit({ type: 'log', message: `${id}: cancel call rejected: ${error?.message ?? error}` });
    }
  }
}

try {
  await clientFor('main');
} catch (error) {
  console.error(`connect() rejected: ${error?.message ?? error}`);
  process.exit(1);
}
emit({ type: 'ready', capabilities: { windows: 8, cancel: true } }); // a Client (own clientId) per window; deleteItem and interrupt
const input = createInterface({ input: process.stdin });
const stop = () => {
  for (const { client } of clients.values()) client.close();
  process.exit(0);
};
input.on('line', (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    return;
  }
  if (command.type === 'submit') void submit(command.id, command.prompt, command.window ?? 'main');
  else if (command.type === 'cancel') void cancel(command.id);
  else if (command.type === 'shutdown') stop();
});
input.on('close', stop);
