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
import WebSocket from 'ws';
import { comfyBase, emit, jobBook, readCommands } from './driver-io.mjs';

const base = comfyBase();
const clientId = randomUUID();
const { pending, finish, submit, cancel } = jobBook(base, clientId);

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

readCommands({
  submit,
  cancel,
  stop: () => {
    ws.terminate();
    process.exit(0);
  },
});
emit({ type: 'ready', capabilities: { cancel: true } }); // one server, one window (one clientId), cancel by queue delete + interrupt
