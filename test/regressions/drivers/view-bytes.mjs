#!/usr/bin/env node
/**
 * An SDK that hands its user the images themselves: after `executing {node: null}` it reads
 * /history/{id} (ComfyUI's websocket example) and then GET /view for each image, and reports the
 * bytes as base64 under the node id, with no file names. With `--preview` it reports the last binary
 * preview frame of the socket instead (a real bug: the preview is not the saved image).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { comfyBase, emit, readCommands } from '../../../clients/naive/driver-io.mjs';

const base = comfyBase();
const clientId = randomUUID();
const usePreview = process.argv.includes('--preview');
const pending = new Map();
let lastPreview = null;

const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
ws.on('message', async (data, isBinary) => {
  if (isBinary) {
    lastPreview = Buffer.from(data).subarray(8); // type and format words, then the JPEG
    return;
  }
  let message;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return;
  }
  const d = message?.data ?? {};
  const id = pending.get(d.prompt_id);
  if (id === undefined || message.type !== 'executing' || d.node !== null) return;
  pending.delete(d.prompt_id);
  const entry = (await (await fetch(`${base}/history/${d.prompt_id}`)).json())[d.prompt_id];
  const outputs = {};
  for (const [node, output] of Object.entries(entry?.outputs ?? {})) {
    for (const image of output.images ?? []) {
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
      const bytes = usePreview && lastPreview ? lastPreview : Buffer.from(await (await fetch(`${base}/view?${query}`)).arrayBuffer());
      (outputs[node] ??= []).push(bytes.toString('base64'));
    }
  }
  emit({ type: 'completed', id, prompt_id: d.prompt_id, outputs });
});
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
// Ask for previews with metadata off, so they come as plain binary frames.
emit({ type: 'ready' });

readCommands({
  submit: async (id, prompt) => {
    const promptId = randomUUID();
    pending.set(promptId, id);
    const res = await fetch(`${base}/prompt`, { method: 'POST', body: JSON.stringify({ prompt, client_id: clientId, prompt_id: promptId }) });
    if (res.ok) emit({ type: 'submitted', id, prompt_id: promptId });
    else {
      pending.delete(promptId);
      emit({ type: 'failed', id, prompt_id: promptId, reason: 'error', error: `POST /prompt answered ${res.status}` });
    }
  },
  cancel: () => {},
  stop: () => {
    ws.terminate();
    process.exit(0);
  },
});
