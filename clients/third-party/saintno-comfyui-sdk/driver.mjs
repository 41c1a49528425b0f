#!/usr/bin/env node
/**
 * A driver for the npm package @saintno/comfyui-sdk 0.3.1 (tctien342/comfyui-sdk), unmodified,
 * pinned in package.json beside this file (installed by scripts/install-npm-clients.sh), through
 * its public API: `new ComfyApi(host, clientId).init()`, `waitForReady()`, `PromptBuilder`,
 * `new CallWrapper(api, builder).onPending().onProgress().onFailed().run()`, `getQueue()`,
 * `manageQueue({ delete })`, `interrupt()`. What the package does and where it is weak:
 * README.md beside this file.
 *
 * Faithful to the package, not better:
 * - one ComfyApi (one clientId, one socket that it re-opens with backoff) per window; each job is
 *   one CallWrapper `run()`, awaited as its README does;
 * - CallWrapper wants the prompt's output nodes named (`PromptBuilder.setOutputNode`): they are the
 *   nodes whose class is an output node in the server's /object_info (`api.getNodeDefs()`), each
 *   under its own node id, so the result is node-keyed like history's outputs;
 * - `onPending(prompt_id)` is reported as `submitted` at once;
 * - `run()` resolving with outputs is `completed` with them as it returns them; resolving with
 *   false (or nothing) is `failed`, its reason from the last error `onFailed` was given:
 *   WentMissingError -> lost, ExecutionInterruptedError -> interrupted, DisconnectedError ->
 *   disconnected, anything else (EnqueueFailedError, CustomEventError of an execution_error,
 *   ExecutionFailedError, FailedCacheError) -> error; an `onFailed` while `run()` still waits (it
 *   says DisconnectedError on every drop and goes on) is a `log` event, as `run()` has not ended;
 * - progress: what it passes to `onProgress` ({ value, max, node });
 * - cancel: `manageQueue({ delete: [id] })` when `getQueue()` shows the prompt pending, else its
 *   `interrupt()`, which is a global POST /interrupt (it has no other);
 * - its own `log` events about the socket become `log` events;
 * - the scenario's hint healthTimeoutMs sets its own `wsTimeout` (default 10 s).
 *
 * Run: COMFY_URL=http://127.0.0.1:8188 node clients/third-party/saintno-comfyui-sdk/driver.mjs
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { CallWrapper, ComfyApi, PromptBuilder } from '@saintno/comfyui-sdk';

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const base = (process.env.COMFY_URL ?? '').split(',')[0].trim().replace(/\/+$/, '');
if (!base) {
  console.error('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
  process.exit(2);
}

let hints = {};
try {
  hints = JSON.parse(process.env.COMFY_CHAOS_HINTS || '{}') ?? {};
} catch {
  // no hints: the package's defaults
}
/** Its own knob for a silent socket (re-open after that long without a frame), default 10 s. */
const wsTimeout = typeof hints.healthTimeoutMs === 'number' ? hints.healthTimeoutMs : undefined;

const apis = new Map(); // window -> Promise<ComfyApi>

function apiFor(window) {
  if (!apis.has(window)) {
    const api = new ComfyApi(base, randomUUID(), wsTimeout ? { wsTimeout } : {});
    api.on('log', (ev) => {
      if (ev.detail?.fnName === 'socket') emit({ type: 'log', message: `comfyui-sdk (${window}): ${ev.detail.message}` });
    });
    apis.set(window, api.init().waitForReady());
  }
  return apis.get(window);
}

let nodeDefs; // Promise of /object_info, asked once
const outputNodesOf = async (api, prompt) => {
  nodeDefs ??= api.getNodeDefs();
  const defs = (await nodeDefs) ?? {};
  return Object.entries(prompt).flatMap(([id, node]) => (defs[node?.class_type]?.output_node ? [id] : []));
};

const reasons = { WentMissingError: 'lost', ExecutionInterruptedError: 'interrupted', DisconnectedError: 'disconnected' };
const promptIds = new Map(); // harness job id -> prompt_id
/** Jobs the harness asked to cancel before their POST /prompt reply came. */
const cancelWanted = new Set();

async function submit(id, prompt, window) {
  const api = await apiFor(window);
  let builder;
  try {
    const outputs = await outputNodesOf(api, prompt);
    builder = new PromptBuilder(prompt, [], outputs);
    for (const node of outputs) builder = builder.setOutputNode(node, node);
  } catch (error) {
    return emit({ type: 'failed', id, reason: 'error', error: `could not build the prompt: ${error?.message ?? error}` });
  }
  let lastError;
  const wrapper = new CallWrapper(api, builder)
    .onPending((promptId) => {
      if (promptId && !promptIds.has(id)) {
        promptIds.set(id, promptId);
        emit({ type: 'submitted', id, prompt_id: promptId });
        if (cancelWanted.delete(id)) void cancel(id); // asked before the id was known: the package needs it
      }
    })
    .onProgress((info) => emit({ type: 'progress', id, value: info.value, max: info.max, ...(info.node ? { node: String(info.node) } : {}) }))
    .onFailed((error) => {
      lastError = error;
      emit({ type: 'log', message: `${id}: onFailed(${error?.name ?? 'Error'}: ${error?.message ?? error})` });
    });
  let result;
  try {
    result = await wrapper.run();
  } catch (error) {
    lastError = error;
  }
  const promptId = promptIds.get(id);
  if (result) return emit({ type: 'completed', id, prompt_id: promptId ?? 'unknown', outputs: result });
  const reason = promptId === undefined ? 'error' : (reasons[lastError?.name] ?? 'error');
  emit({ type: 'failed', id, ...(promptId ? { prompt_id: promptId } : {}), reason, error: `run() ended with ${JSON.stringify(result)}${lastError ? ` after ${lastError.name}: ${lastError.message}` : ''}` });
}

async function cancel(id) {
  const promptId = promptIds.get(id);
  if (promptId === undefined) {
    // The package cancels by prompt id only: the cancel is made as soon as the POST /prompt reply names it.
    cancelWanted.add(id);
    return emit({ type: 'log', message: `${id}: no prompt_id yet; cancelling once the reply names it` });
  }
  try {
    const api = await apiFor('main');
    const queue = await api.getQueue();
    if (queue.queue_pending.some((item) => item[1] === promptId)) await api.manageQueue({ delete: [promptId] });
    else await api.interrupt();
  } catch (error) {
    emit({ type: 'log', message: `${id}: cancel failed: ${error?.message ?? error}` });
  }
}

await apiFor('main');
emit({ type: 'ready', capabilities: { windows: 8, cancel: true } }); // a ComfyApi (own clientId) per window; manageQueue delete and interrupt
const input = createInterface({ input: process.stdin });
const stop = async () => {
  for (const api of apis.values()) (await api).destroy();
  process.exit(0);
};
input.on('line', (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    return;
  }
  if (command.type === 'submit') void submit(command.id, command.prompt, command.window ?? 'main');
  else if (command.type === 'cancel') void cancel(command.id);
  else if (command.type === 'shutdown') void stop();
});
input.on('close', () => void stop());
