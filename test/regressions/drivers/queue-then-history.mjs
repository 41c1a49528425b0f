#!/usr/bin/env node
/**
 * A polling-only client (no socket), as several SDKs are: every 150 ms it reads GET /queue and
 * then GET /history/{id}. In the queue: still going. Not in the queue but in history: done. In
 * neither: it declares the job lost at once. That is right against ComfyUI (a prompt is in
 * `currently_running` until task_done writes its history under the same lock, ComfyUI#11540
 * included) and wrong behind a lagging history replica (scenario 3.12).
 * With `--no-client-id` it submits without client_id: the server then sends it no `execution_*`
 * message at all. With `--socket` it also keeps a WebSocket open without a clientId (re-opened
 * 200 ms after it drops), as a UI that only shows the broadcast progress does; it reads nothing
 * from it.
 */
import WebSocket from 'ws';
import { comfyBase, emit, jobBook, readCommands } from '../../../clients/naive/driver-io.mjs';

const base = comfyBase();
const { pending, report, submit: post, cancel } = jobBook(base, process.argv.includes('--no-client-id') ? undefined : 'queue-then-history');
const getJson = async (path) => (await fetch(`${base}${path}`)).json();
/** Jobs whose POST /prompt was answered: before that, a prompt in neither is just not queued yet. */
const accepted = new Set();
const submit = async (id, prompt) => {
  await post(id, prompt);
  accepted.add(id);
};

const timer = setInterval(async () => {
  for (const [promptId, id] of [...pending]) {
    if (!accepted.has(id)) continue;
    try {
      const queue = await getJson('/queue');
      const queued = [...queue.queue_running, ...queue.queue_pending].some((item) => item[1] === promptId);
      if (queued) continue;
      const history = await getJson(`/history/${promptId}`);
      if (history[promptId]) report(promptId, id, history[promptId]);
      else if (pending.delete(promptId)) emit({ type: 'failed', id, prompt_id: promptId, reason: 'lost', error: 'in neither /queue nor /history' });
    } catch {
      // The server is unreachable for a moment: ask again on the next round.
    }
  }
}, 150);

let socket = null;
let stopping = false;
function openSocket() {
  socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
  socket.on('error', () => {});
  socket.on('close', () => {
    if (!stopping) setTimeout(openSocket, 200);
  });
}
if (process.argv.includes('--socket')) openSocket();

emit({ type: 'ready' });
readCommands({
  submit,
  cancel,
  stop: () => {
    stopping = true;
    clearInterval(timer);
    socket?.terminate();
    process.exit(0);
  },
});
