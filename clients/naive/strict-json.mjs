#!/usr/bin/env node
/**
 * A deliberately naive driver: reconnects (fixed 300 ms, same clientId, like the official
 * frontend) and resyncs after every reconnect (GET /history/{id} for each pending job, then
 * GET /queue; a job in neither is reported lost), but parses every text frame with a bare
 * `JSON.parse` and no try/catch. It exists to prove the harness has teeth; do not copy it.
 *
 * What it gets wrong, on purpose: any text frame that is not exactly one JSON document (a UTF-8
 * BOM before the `{`, a garbage prefix, a text heartbeat like `ping`, a truncated frame, an HTML
 * error page from a proxy) throws inside the socket's message handler, and nothing catches it:
 * the process dies with a SyntaxError on stderr and every pending job dies with it. The harness
 * must see a crash, with that stack in the stderr tail.
 * Binary frames are skipped: the bug modelled here is JSON strictness, not binary decoding.
 * Field reports (comfyui-protocol.md §6): Comfy-Org/ComfyUI#2435 and vinavfx/ComfyUI-for-Nuke#4
 * (frames that are not the JSON the client expected crash it), Comfy-Org/ComfyUI#5674 and
 * StableCanvas/comfyui-client#4 (clients that break on what they did not expect on the socket).
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/naive/strict-json.mjs
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { comfyBase, emit, jobBook, readCommands } from './driver-io.mjs';

const base = comfyBase();
const RECONNECT_MS = 300;
const clientId = randomUUID();
const { pending, report, finish, submit, cancel } = jobBook(base, clientId);
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
      void resync();
    }
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(data.toString()); // the bug: one odd frame and the process is gone
    const d = message.data ?? {};
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

/** After a reconnect: what finished while we were away is in /history; what is still going is in /queue. */
async function resync() {
  try {
    const queue = await (await fetch(`${base}/queue`)).json();
    const queued = new Set([...(queue.queue_running ?? []), ...(queue.queue_pending ?? [])].map((item) => item[1]));
    for (const [promptId, id] of [...pending]) {
      const history = await (await fetch(`${base}/history/${promptId}`)).json();
      if (history[promptId]) report(promptId, id, history[promptId]);
      else if (!queued.has(promptId)) {
        pending.delete(promptId);
        emit({ type: 'failed', id, prompt_id: promptId, reason: 'lost', error: 'in neither /queue nor /history after a reconnect' });
      }
    }
  } catch (error) {
    emit({ type: 'log', message: `resync failed: ${error.message}` });
  }
}

function stop() {
  stopping = true;
  socket?.terminate();
  process.exit(0);
}

readCommands({ submit, cancel, stop });
connect();
