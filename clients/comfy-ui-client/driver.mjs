#!/usr/bin/env node
/**
 * A driver for the npm package `comfy-ui-client` (itsKaynine/comfy-ui-client, version 0.1.2 as
 * pinned in package.json): a real third-party client, unmodified, driven only through its public
 * API (`new ComfyUIClient(address, clientId)`, `connect()`, `getImages(prompt)`, `interrupt()`,
 * `disconnect()`). It speaks the driver protocol (src/protocol/driver.ts).
 *
 * What the package does (read in node_modules/comfy-ui-client/dist/index.mjs): it is a port of
 * ComfyUI's `websockets_api_example.py`. `connect()` opens one socket to
 * `ws://<address>/ws?clientId=`; `getImages(prompt)` POSTs /prompt (server-made prompt_id), then
 * listens on that socket for `executing` with `node: null` and its prompt_id, reads
 * `/history/{id}`, downloads every `outputs[node].images` entry from /view, and resolves with
 * `{ [node]: [{ blob, image }] }`.
 *
 * What it does not do, and so what the report card shows:
 * - no reconnect: on close it logs "Connection closed" and nothing else; `getImages` then never
 *   settles (a lost completion, a hang); `connect()` never rejects either, so a server that is
 *   down at start makes the driver miss its ready timeout;
 * - no resync, no polling, no timeouts: a missed `executing {node: null}` is missed for good;
 * - `JSON.parse` of every text frame inside `getImages`' listener: a BOM, garbage prefix, text
 *   heartbeat or truncated frame rejects every pending `getImages` with a SyntaxError, though
 *   the prompts go on running on the server;
 * - it never reads history's status: an errored or interrupted prompt also ends with
 *   `executing {node: null}` and resolves like a success (with no images);
 * - only `images` outputs are kept (text, gifs, audio are dropped), and only with a history
 *   entry: a missing entry rejects with a TypeError;
 * - the only cancel is `interrupt()`, a global POST /interrupt (it stops whatever runs, maybe
 *   another job, and cannot remove a queued one); it also rejects on ComfyUI's empty 200 body.
 *
 * Two things this driver adds around the package, without changing what it does:
 * - `getImages` does not return the prompt_id, which the driver protocol needs: a wrapper on the
 *   global `fetch` reads it from the package's own POST /prompt reply (observation only; the
 *   reply is handed to the package untouched). AsyncLocalStorage tells which job made the call.
 * - the package logs with pino to fd 1, which is the protocol's stdout; so the client runs in a
 *   child process whose stdout is a pipe, each pino line becomes a `log` event, and the events
 *   come back over Node's IPC channel.
 * The driver reports what the package tells its caller: `getImages` resolving is `completed`
 * (outputs rebuilt as `{ [node]: { images: [...] } }`), rejecting is `failed` with reason `error`.
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/comfy-ui-client/driver.mjs
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const INNER = '--inner';

if (process.argv[2] !== INNER) {
  // The outer process: owns the protocol's stdout; stdin goes straight to the inner one.
  const write = (event) => process.stdout.write(JSON.stringify(event) + '\n');
  const child = fork(fileURLToPath(import.meta.url), [INNER], { stdio: ['inherit', 'pipe', 'inherit', 'ipc'] });
  child.on('message', write);
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message = line;
    try {
      const entry = JSON.parse(line);
      message = `${entry.msg ?? line}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
    } catch {
      // not a pino line: passed on as it is
    }
    write({ type: 'log', message: `comfy-ui-client: ${message}` });
  });
  child.on('close', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const base = (process.env.COMFY_URL ?? '').split(',')[0].trim();
  if (!base) {
    console.error('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
    process.exit(2);
  }
  const send = (event) => process.send(event);
  const jobOfCall = new AsyncLocalStorage();
  /** harness job id -> prompt_id, as read from the package's POST /prompt reply */
  const promptIds = new Map();

  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const id = jobOfCall.getStore();
    if (id !== undefined && init?.method === 'POST' && String(input).endsWith('/prompt')) {
      const body = await response.clone().json().catch(() => undefined);
      if (typeof body?.prompt_id === 'string') {
        promptIds.set(id, body.prompt_id);
        send({ type: 'submitted', id, prompt_id: body.prompt_id });
      }
    }
    return response;
  };

  const { ComfyUIClient } = await import('comfy-ui-client');
  // The package wants `host:port` and always speaks ws:// and http://.
  const client = new ComfyUIClient(new URL(base).host, randomUUID());

  async function submit(id, prompt) {
    try {
      const images = await jobOfCall.run(id, () => client.getImages(prompt));
      const outputs = Object.fromEntries(Object.entries(images).map(([node, list]) => [node, { images: list.map((entry) => entry.image) }]));
      send({ type: 'completed', id, prompt_id: promptIds.get(id) ?? 'unknown', outputs });
    } catch (error) {
      send({ type: 'failed', id, prompt_id: promptIds.get(id), reason: 'error', error: `getImages rejected: ${error?.message ?? error}` });
    }
  }

  async function cancel(id) {
    try {
      await client.interrupt();
    } catch (error) {
      send({ type: 'log', message: `${id}: interrupt() rejected (${error?.message ?? error}); the POST /interrupt was sent` });
    }
  }

  await client.connect();
  // One server, one window (one ComfyUIClient); cancel is the library's interrupt(), a global POST /interrupt.
  send({ type: 'ready', capabilities: { cancel: true } });
  const input = createInterface({ input: process.stdin });
  const stop = async () => {
    await client.disconnect();
    process.exit(0);
  };
  input.on('line', (line) => {
    let command;
    try {
      command = JSON.parse(line);
    } catch {
      return;
    }
    if (command.type === 'submit') void submit(command.id, command.prompt);
    else if (command.type === 'cancel') void cancel(command.id);
    else if (command.type === 'shutdown') void stop();
  });
  input.on('close', () => void stop());
}
