#!/usr/bin/env node
/**
 * A client that takes `execution_success` as the end of a job and reads GET /history/{id} once,
 * right then: what ComfyUI#11540 is about. Under `history_late` the entry does not exist yet, so it
 * reports the job completed with no outputs.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { comfyBase, emit, jobBook, readCommands } from '../../../clients/naive/driver-io.mjs';

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
  const promptId = message?.data?.prompt_id;
  const id = pending.get(promptId);
  if (id !== undefined && message.type === 'execution_success') void finish(promptId, id);
});
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
emit({ type: 'ready' });
readCommands({ submit, cancel, stop: () => { ws.terminate(); process.exit(0); } });
