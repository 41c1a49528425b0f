#!/usr/bin/env node
/**
 * A deliberately naive driver: the canonical example (see no-reconnect.mjs) plus the official
 * frontend's reconnect (comfyui-protocol.md §5: a fixed 300 ms, forever, no backoff, the same
 * clientId), but without the frontend's resync. It exists to prove the harness has teeth; do not
 * copy it.
 *
 * What it gets right: a socket drop mid-run is survived. Reconnecting with the same clientId,
 * ComfyUI keeps routing the rest of the prompt's events to it, so a job whose `executing{null}`
 * comes after the reconnect is still reported.
 *
 * What it gets wrong, on purpose: it never asks GET /history or GET /queue about jobs that were
 * pending while it was disconnected. ComfyUI replays nothing (only `executing{node}` of a running
 * prompt, without prompt_id), so a job that finished during the gap (its `execution_success`,
 * `status` and `executing{null}` sent to nobody) stays pending for ever: a lost completion
 * (`no-lost-completion`), or a hang (`no-hang`) when the server is gone for good.
 * Field reports (comfyui-protocol.md §6): Comfy-Org/ComfyUI#7033 (nothing is replayed after a
 * reconnect), roadmaus/ComfyUI-Continuity#24 and SaladTechnologies/comfyui-api#186 (a missed
 * completion event leaves the client stuck), aws-samples/comfyui-on-eks#37 (idle drops every minute
 * behind an ALB make the gap a daily event).
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/naive/reconnect-no-resync.mjs
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { comfyBase, emit, jobBook, readCommands } from './driver-io.mjs';

const base = comfyBase();
/** The official frontend waits a fixed 300 ms before every reconnect. */
const RECONNECT_MS = 300;
const clientId = randomUUID();
const { pending, finish, submit, cancel } = jobBook(base, clientId);
let socket = null;
let stopping = false;
let announced = false;

function connect() {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
  socket = ws;
  ws.on('open', () => {
    if (!announced) {
      announced = true;
      emit({ type: 'ready', capabilities: { cancel: true } }); // one server, one window (one clientId), cancel by queue delete + interrupt
    } else {
      // This is where the frontend would run queueStore.update(); this driver does not.
      emit({ type: 'log', message: `reconnected as ${clientId}; not checking /history or /queue for ${pending.size} pending job(s)` });
    }
  });
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
  ws.on('error', (error) => console.error(`websocket error: ${error.message}`));
  ws.on('close', (code) => {
    if (stopping) return;
    emit({ type: 'log', message: `socket closed (${code}); reconnecting in ${RECONNECT_MS} ms` });
    setTimeout(connect, RECONNECT_MS);
  });
}

function stop() {
  stopping = true;
  socket?.terminate();
  process.exit(0);
}

readCommands({ submit, cancel, stop });
connect();
