/**
 * What the three naive drivers share: the driver protocol's plumbing and the job bookkeeping
 * (submit with a client-chosen prompt_id, report from /history, cancel). Their bugs are all in how
 * they handle the socket, which each driver keeps in its own file, in plain sight.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

/** The first ComfyUI base URL of COMFY_URL; exits with a message when it is not set. */
export function comfyBase() {
  const base = (process.env.COMFY_URL ?? '').split(',')[0].trim().replace(/\/+$/, '');
  if (!base) {
    console.error('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
    process.exit(2);
  }
  return base;
}

/** Writes one driver event as a JSON line on stdout. */
export const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

/** Jobs in flight: `pending` maps prompt_id -> harness job id. */
export function jobBook(base, clientId) {
  const pending = new Map();

  /** Reports a job from its history entry, once (later reports of the same job are ignored). */
  function report(promptId, id, entry) {
    if (!pending.delete(promptId)) return;
    if (entry?.status?.status_str === 'error') {
      const last = entry.status.messages?.at(-1);
      const interrupted = last?.[0] === 'execution_interrupted';
      emit({ type: 'failed', id, prompt_id: promptId, reason: interrupted ? 'interrupted' : 'error', error: last?.[1]?.exception_message });
    } else {
      emit({ type: 'completed', id, prompt_id: promptId, outputs: entry?.outputs ?? {} });
    }
  }

  /** The socket said the job is done: read its history, like the canonical example does. */
  async function finish(promptId, id) {
    try {
      const history = await (await fetch(`${base}/history/${promptId}`)).json();
      report(promptId, id, history[promptId]);
    } catch (error) {
      if (!pending.delete(promptId)) return;
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

  return { pending, report, finish, submit, cancel };
}

/** Reads driver commands from stdin until `shutdown` or the end of input, which call `stop`. */
export function readCommands({ submit, cancel, stop }) {
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
    else if (command.type === 'shutdown') stop();
  });
  input.on('close', stop);
}
