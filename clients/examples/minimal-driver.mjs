#!/usr/bin/env node
// A minimal comfy-chaos driver (docs/write-a-driver.md): Node >= 20, no dependencies.
// The harness writes commands on stdin and reads events on stdout, one JSON object per line.
// `runJob` is where your client goes; this stand-in submits over HTTP, then polls /history.
// Run: comfy-chaos run --client "node clients/examples/minimal-driver.mjs" --scenario 6.1
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

const base = process.env.COMFY_URL.split(',')[0].replace(/\/+$/, '');
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(path, body) { // GET, or POST with a JSON body
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

async function runJob(id, prompt) {
  let promptId;
  try {
    ({ prompt_id: promptId } = await call('/prompt', { prompt, client_id: randomUUID() }));
  } catch (error) {
    return emit({ type: 'failed', id, reason: 'error', error: error.message });
  }
  emit({ type: 'submitted', id, prompt_id: promptId });
  for (;;) { // no WebSocket: ask history until the prompt is there (a restart that loses it: for ever)
    await sleep(250);
    const entry = await call(`/history/${promptId}`).then((history) => history[promptId], () => undefined);
    if (!entry) continue;
    if (entry.status?.status_str !== 'error') return emit({ type: 'completed', id, prompt_id: promptId, outputs: entry.outputs });
    const interrupted = entry.status.messages.at(-1)?.[0] === 'execution_interrupted';
    return emit({ type: 'failed', id, prompt_id: promptId, reason: interrupted ? 'interrupted' : 'error' });
  }
}

emit({ type: 'ready' });
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const command = JSON.parse(line);
    if (command.type === 'submit') void runJob(command.id, command.prompt);
    if (command.type === 'shutdown') process.exit(0);
  })
  .on('close', () => process.exit(0));
