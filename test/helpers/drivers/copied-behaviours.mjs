#!/usr/bin/env node
/**
 * A driver for the verdict tests (issue 12): one small polling client, and one library behaviour
 * copied from the clients the issue found, chosen by the first argument. Each mode is a real
 * pattern, not a strawman; what the harness must say about it is in the test beside it.
 *
 * - `no-client-id`: POST /prompt without client_id (several SDKs poll /history and never open a
 *   socket); ComfyUI then sends the prompt's execution messages to nobody.
 * - `give-up-on-refusal`: a refused POST /prompt (5xx, 429) is reported failed, no retry.
 * - `form-cancel`: cancels with a form-encoded POST /queue (`delete=<id>`), which ComfyUI refuses.
 * - `global-interrupt`: cancels with POST /interrupt and no prompt_id: whatever runs stops.
 * - `no-cancel`: declares cancel but sends nothing to the server (a library whose cancel only
 *   stops waiting locally).
 * Every mode declares the capability `cancel` in `ready`: each claims to cancel, and the harness
 * judges how.
 * - `fail-fast`: reports a job failed (timeout) right after submitting it, whatever the server does.
 * Every mode but `give-up-on-refusal` also gives up on a refusal (none of them retries).
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? '';
const modes = ['no-client-id', 'give-up-on-refusal', 'form-cancel', 'global-interrupt', 'no-cancel', 'fail-fast'];
if (!modes.includes(mode)) {
  console.error(`copied-behaviours.mjs: mode must be one of ${modes.join(', ')} (got "${mode}")`);
  process.exit(2);
}
const base = (process.env.COMFY_URL ?? '').split(',')[0].trim().replace(/\/+$/, '');
const clientId = randomUUID();
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const promptOf = new Map();

async function runJob(id, prompt) {
  const body = mode === 'no-client-id' ? { prompt } : { prompt, client_id: clientId };
  let answer;
  try {
    answer = await fetch(`${base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    return emit({ type: 'failed', id, reason: 'error', error: `POST /prompt: ${error.message}` });
  }
  if (!answer.ok) return emit({ type: 'failed', id, reason: 'error', error: `POST /prompt answered ${answer.status}` });
  const { prompt_id: promptId } = await answer.json();
  promptOf.set(id, promptId);
  emit({ type: 'submitted', id, prompt_id: promptId });
  if (mode === 'fail-fast') return emit({ type: 'failed', id, prompt_id: promptId, reason: 'timeout', error: 'gave up at once' });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await sleep(150);
    const entry = await fetch(`${base}/history/${promptId}`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json()).then((h) => h[promptId], () => undefined);
    if (!entry) continue;
    if (entry.status?.status_str !== 'error') return emit({ type: 'completed', id, prompt_id: promptId, outputs: entry.outputs });
    const interrupted = entry.status.messages?.at(-1)?.[0] === 'execution_interrupted';
    return emit({ type: 'failed', id, prompt_id: promptId, reason: interrupted ? 'interrupted' : 'error' });
  }
  emit({ type: 'failed', id, prompt_id: promptId, reason: 'timeout' });
}

async function cancel(id) {
  const promptId = promptOf.get(id);
  if (mode === 'no-cancel' || !promptId) return;
  const post = (path, init) => fetch(base + path, { method: 'POST', ...init, signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (mode === 'form-cancel') await post('/queue', { body: new URLSearchParams({ delete: promptId }) });
  else if (mode === 'global-interrupt') await post('/interrupt', { headers: { 'content-type': 'application/json' }, body: '{}' });
  else {
    await post('/queue', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delete: [promptId] }) });
    await post('/interrupt', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt_id: promptId }) });
  }
}

emit({ type: 'ready', capabilities: { cancel: true } });
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  if (command.type === 'submit') void runJob(command.id, command.prompt);
  if (command.type === 'cancel') void cancel(command.id);
  if (command.type === 'shutdown') process.exit(0);
});
