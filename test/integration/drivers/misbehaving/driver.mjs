#!/usr/bin/env node
// A correct little driver (it polls /history, like clients/examples/minimal-driver.mjs) that
// misbehaves towards the harness in one way, chosen by its first argument:
//   ignore-shutdown   never exits on {"type":"shutdown"} or the end of stdin (nor on SIGTERM)
//   flood-progress    sends 100,000 progress events for each job before its completion
//   junk-lines        prints lines that are not driver events (plain text, JSON that is no event)
//   capabilities=JSON declares these capabilities in ready, and logs COMFY_URL and COMFY_URLS
//   well-behaved      none of the above
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'well-behaved';
const base = (process.env.COMFY_URL ?? '').replace(/\/+$/, '');
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runJob(id, prompt) {
  const reply = await fetch(`${base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt, client_id: 'misbehaving' }) });
  if (!reply.ok) return emit({ type: 'failed', id, reason: 'error', error: `POST /prompt answered ${reply.status}` });
  const { prompt_id: promptId } = await reply.json();
  emit({ type: 'submitted', id, prompt_id: promptId });
  if (mode === 'junk-lines') {
    process.stdout.write('Submitting... done!\n');
    process.stdout.write('{"status": "queued"}\n');
  }
  for (let i = 0; i < 400; i++) {
    await sleep(100);
    const history = await fetch(`${base}/history/${promptId}`).then((r) => r.json(), () => ({}));
    const entry = history[promptId];
    if (!entry) continue;
    if (mode === 'flood-progress') {
      // One write: the flood arrives as fast as the pipe takes it.
      const line = (n) => JSON.stringify({ type: 'progress', id, value: n, max: 100_000 });
      process.stdout.write(Array.from({ length: 100_000 }, (_, n) => line(n + 1)).join('\n') + '\n');
    }
    if (entry.status?.status_str === 'error') return emit({ type: 'failed', id, prompt_id: promptId, reason: 'error' });
    return emit({ type: 'completed', id, prompt_id: promptId, outputs: entry.outputs });
  }
  emit({ type: 'failed', id, prompt_id: promptId, reason: 'timeout' });
}

if (mode === 'ignore-shutdown') process.on('SIGTERM', () => {});
const declared = mode.startsWith('capabilities=') ? JSON.parse(mode.slice('capabilities='.length)) : undefined;
emit(declared ? { type: 'ready', capabilities: declared } : { type: 'ready' });
if (declared) emit({ type: 'log', message: JSON.stringify({ COMFY_URL: process.env.COMFY_URL ?? null, COMFY_URLS: process.env.COMFY_URLS ?? null }) });
if (mode === 'junk-lines') process.stdout.write('Loading the SDK (v1.2.3)\n');
createInterface({ input: process.stdin })
  .on('line', (text) => {
    const command = JSON.parse(text);
    if (command.type === 'submit') void runJob(command.id, command.prompt);
    if (command.type === 'shutdown' && mode !== 'ignore-shutdown') process.exit(0);
  })
  .on('close', () => {
    if (mode === 'ignore-shutdown') setInterval(() => {}, 1_000);
    else process.exit(0);
  });
