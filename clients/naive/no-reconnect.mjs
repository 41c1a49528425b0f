#!/usr/bin/env node
/**
 * A deliberately naive driver: ComfyUI's own `script_examples/websockets_api_example.py`, ported
 * line for line to the driver protocol (src/protocol/driver.ts). It exists to prove the harness
 * has teeth; do not copy it.
 *
 * What it does, like the example (comfyui-protocol.md §5):
 * - one WebSocket to /ws?clientId=<uuid4 made here>, opened once at start;
 * - POST /prompt with { prompt, client_id, prompt_id: <uuid4 made here> };
 * - waits for `executing` with node null and its prompt_id, then GET /history/{id} and reports
 *   the job completed with the history's outputs (or failed, if history says so);
 * - skips binary frames and frames that are not JSON (the example's level of tolerance).
 *
 * What it gets wrong, on purpose: no reconnect, no timeout, no heartbeat, no polling. When the
 * socket dies, every pending job waits for ever and is never reported: the harness must see a
 * lost completion (`no-lost-completion`) or a hang (`no-hang`).
 * Field reports of this very bug (comfyui-protocol.md §6): Comfy-Org/ComfyUI#3128 and #3390
 * (the example's `recv()` hangs mid-run), aws-solutions-library-samples/guidance-for-asynchronous-
 * inference-with-stable-diffusion-on-aws#50 (the queue agent never reconnects after the WS closes),
 * roadmaus/ComfyUI-Continuity#24 and SaladTechnologies/comfyui-api#186 (a missed completion event
 * leaves the client stuck with no recovery).
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/naive/no-reconnect.mjs
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const base = (process.env.COMFY_URL ?? '').split(',')[0].trim().replace(/\/+$/, '');
if (!base) {
  console.error('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
  process.exit(2);
}
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const clientId = randomUUID();
/** prompt_id -> harness job id */
const pending = new Map();

const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
ws.on('message', (data, isBinary) => {
  if (isBinary) return;
  let message;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return;
  }
  const d = message?.data ?? {};
  const id = pending.get(d.prompt_id);
  if (id === undefined) return;
  if (message.type === 'progress') emit({ type: 'progress', id, value: d.value, max: d.max, node: d.node ?? undefined });
  if (message.type === 'executing' && d.node === null) void finish(d.prompt_id, id);
});
// Like the example, nothing happens when the socket dies: the pending jobs just never end.
ws.on('close', (code) => emit({ type: 'log', message: `socket closed (${code}); this driver never reconnects` }));
ws.on('error', (error) => console.error(`websocket error: ${error.message}`));
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});

async function finish(promptId, id) {
  pending.delete(promptId);
  try {
    const history = await (await fetch(`${base}/history/${promptId}`)).json();
    const entry = history[promptId];
    if (entry?.status?.status_str === 'error') {
      const last = entry.status.messages?.at(-1);
      const interrupted = last?.[0] === 'execution_interrupted';
      emit({ type: 'failed', id, prompt_id: promptId, reason: interrupted ? 'interrupted' : 'error', error: last?.[1]?.exception_message });
    } else {
      emit({ type: 'completed', id, prompt_id: promptId, outputs: entry?.outputs ?? {} });
    }
  } catch (error) {
    emit({ type: 'failed', id, prompt_id: promptId, reason: 'error', error: `GET /history failed: ${error.message}` });
  }
}

async function submit(id, prompt) {
  const promptId = randomUUID();
  pending.set(promptId, id);
  try {
    const res = await fetch(`${base}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, client_id: clientId, prompt_id: promptId }),
    });
    if (!res.ok) throw new Error(`POST /prompt answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    emit({ type: 'submitted', id, prompt_id: promptId });
  } catch (error) {
    pending.delete(promptId);
    emit({ type: 'failed', id, prompt_id: promptId, reason: 'error', error: error.message });
  }
}

async function cancel(id) {
  const promptId = [...pending].find(([, job]) => job === id)?.[0];
  if (!promptId) return;
  const post = (path, body) => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) }).catch(() => {});
  await post('/queue', { delete: [promptId] });
  await post('/interrupt', { prompt_id: promptId });
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    return;
  }
  if (command.type === 'submit') void submit(command.id, command.prompt);
  else if (command.type === 'cancel') void cancel(command.id);
  else if (command.type === 'shutdown') {
    ws.terminate();
    process.exit(0);
  }
});
input.on('close', () => {
  ws.terminate();
  process.exit(0);
});
emit({ type: 'ready' });
