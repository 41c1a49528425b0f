import type { ApiPrompt, HistoryEntry, NodeOutput } from '../../protocol/index.ts';
import type { ServerEvent } from '../faults/fault-injector.ts';
import type { ExecutorHost, PromptOutcome } from './prompt-executor.ts';
import { toQueueItem, type QueuedPrompt } from './prompt-queue.ts';

/**
 * Scripted mode: a prompt that plays back what a real server once sent for it (a recording made
 * by `comfy-chaos record`) instead of running the engine. The core picks the script by the
 * prompt's acceptance order (the n-th accepted prompt plays `script[n-1]`); prompts without a
 * script run the engine as usual. Frames still go through the socket hub, so fault triggers
 * ("before executed of prompt 1") and frame faults apply to recorded traffic exactly as to
 * simulated traffic.
 *
 * The shape mirrors the `script` field of a scenario (src/scenarios/scenario.ts); the two are kept
 * apart because the simulator and the scenarios do not import each other.
 */

/** One recorded server frame of a prompt: a JSON message, or a binary frame (a preview) as base64. */
export type ScriptedFrame =
  | { atMs: number; message: { type: string; data?: unknown } }
  | { atMs: number; text: string }
  | { atMs: number; base64: string };

export interface ScriptedPrompt {
  /** The prompt id in the recording; every string equal to it is replaced by the new prompt's id. */
  promptId: string;
  /** How the prompt ended in the recording. */
  outcome: 'success' | 'error' | 'interrupted';
  /** From `execution_start` to the terminal `execution_*` message; `atMs` counts from the first frame. */
  frames: ScriptedFrame[];
  /** The recorded `/history` entry of the prompt, if the client asked for it. */
  history?: Record<string, unknown>;
  /** How long the prompt ran when no frame says so (the client saw none), in ms [default 0]. */
  durationMs?: number;
  /** The recorded server's clock at the first frame, in ms: recorded `timestamp`s shift from it to this clock. */
  startedAt?: number;
}

/** The script of the n-th accepted prompt (1-based), if there is one. */
export function scriptFor(script: readonly ScriptedPrompt[] | undefined, index: number): ScriptedPrompt | undefined {
  return script?.[index - 1];
}

/**
 * Accepts a scripted prompt that the simulator's node catalogue does not know (a real workflow
 * with model loaders): the real server accepted it, so the replay does too. Output nodes come from
 * the recorded history entry when there is one.
 */
export function acceptScriptedPrompt(body: Record<string, unknown>, script: ScriptedPrompt): { prompt: ApiPrompt; outputs: string[] } | null {
  const prompt = body.prompt;
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) return null;
  const recorded = Array.isArray(script.history?.prompt) ? (script.history.prompt as unknown[])[4] : undefined;
  const outputs = Array.isArray(recorded) ? recorded.filter((id): id is string => typeof id === 'string') : Object.keys(prompt);
  return { prompt: structuredClone(prompt) as ApiPrompt, outputs };
}

/** A scripted prompt's outcome carries the history entry to write (the recorded one, re-addressed). */
export type ScriptedOutcome = PromptOutcome & { history?: HistoryEntry };

/**
 * Plays a prompt's recorded frames to its client with their recorded spacing, prompt ids
 * rewritten. An interrupt between two frames ends it as ComfyUI would (`execution_interrupted`);
 * a restart aborts it like the engine.
 */
export async function playScriptedPrompt(host: ExecutorHost, item: QueuedPrompt, script: ScriptedPrompt): Promise<ScriptedOutcome> {
  const { clock } = host;
  const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : null;
  const start = clock.now();
  // Recorded timestamps are the recorded server's clock: move them to ours, as if it ran now.
  const shiftMs = script.startedAt === undefined ? 0 : start - script.startedAt;
  const readdress = <T>(value: T): T => shiftTimestamps(replaceString(value, script.promptId, item.promptId), shiftMs);
  const executedOutputs: Record<string, NodeOutput> = {};
  const executed: string[] = [];
  let currentNode: string | null = null;
  const wait = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  for (const frame of script.frames) {
    const due = start + frame.atMs - clock.now();
    if (due > 0) await wait(due);
    if (!host.alive()) return { status: 'aborted' };
    if (host.interruptRequested()) return interrupted(host, item, currentNode, executed, clientId);
    if ('base64' in frame) {
      host.emitBinary(new Uint8Array(Buffer.from(frame.base64, 'base64')), clientId);
      continue;
    }
    // A recorded text is sent as it was (number forms, a BOM), only its prompt id and timestamps changed.
    const text = 'text' in frame ? shiftTimestampsInText(frame.text.split(script.promptId).join(item.promptId), shiftMs) : undefined;
    const message = 'message' in frame ? { type: frame.message.type, data: readdress(frame.message.data ?? {}) as Record<string, unknown> } : messageOfText(text!);
    // The phases the recording shows, for `prompt` and `node` triggers (a recorded frame stands
    // for the moment: `executing` starts a node, `executed` finishes an output node).
    const phase = phaseOf(message, item.index);
    if (phase) {
      host.phase(phase);
      if (!host.alive()) return { status: 'aborted' };
    }
    if (message.type === 'executing') {
      currentNode = typeof message.data.node === 'string' ? message.data.node : null;
      host.setCurrentNode(currentNode);
    } else if (message.type === 'executed' && typeof message.data.node === 'string') {
      executed.push(message.data.node);
      if (isRecord(message.data.output)) executedOutputs[message.data.node] = message.data.output;
    }
    host.emit(message, clientId, text);
  }
  const endsAt = start + (script.frames.length ? 0 : script.durationMs ?? 0);
  if (endsAt > clock.now()) await wait(endsAt - clock.now());
  if (!host.alive()) return { status: 'aborted' };
  host.setCurrentNode(null);
  const history = script.history ? (readdress(script.history) as Partial<HistoryEntry>) : undefined;
  const outputs = (isRecord(history?.outputs) ? history.outputs : executedOutputs) as Record<string, NodeOutput>;
  const messages = (history?.status?.messages ?? messagesOf(script, readdress)) as Array<[string, Record<string, unknown>]>;
  const entry: HistoryEntry | undefined = history
    ? {
        prompt: toQueueItem(item),
        outputs: script.outcome === 'success' ? outputs : {},
        status: { status_str: script.outcome === 'success' ? 'success' : 'error', completed: script.outcome === 'success', messages },
        meta: (isRecord(history.meta) ? history.meta : {}) as HistoryEntry['meta'],
      }
    : undefined;
  if (script.outcome === 'success') return { status: 'success', outputs, messages, ...(entry ? { history: entry } : {}) };
  return { status: script.outcome, messages, ...(entry ? { history: entry } : {}) };
}

const terminalTypes = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

function phaseOf(message: { type: string; data: Record<string, unknown> }, promptIndex: number): ServerEvent | null {
  if (terminalTypes.has(message.type)) return { kind: 'prompt', event: 'finished', promptIndex };
  const nodeId = typeof message.data.node === 'string' ? message.data.node : null;
  if (nodeId === null) return null;
  if (message.type === 'executing') return { kind: 'node', event: 'started', promptIndex, nodeId, outputNode: false };
  if (message.type === 'executed') return { kind: 'node', event: 'finished', promptIndex, nodeId, outputNode: true };
  return null;
}

function interrupted(host: ExecutorHost, item: QueuedPrompt, node: string | null, executed: string[], clientId: string | null): ScriptedOutcome {
  host.setCurrentNode(null);
  const data = {
    prompt_id: item.promptId,
    node_id: node,
    node_type: node ? (item.prompt[node]?.class_type ?? null) : null,
    executed: [...executed],
    timestamp: host.clock.now(),
  };
  host.emit({ type: 'execution_interrupted', data }, clientId);
  return { status: 'interrupted', messages: [['execution_interrupted', data]] };
}

/** The status messages ComfyUI keeps in history: start, cached and the terminal message. */
function messagesOf(script: ScriptedPrompt, readdress: <T>(v: T) => T): Array<[string, Record<string, unknown>]> {
  const kept = new Set(['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted']);
  return script.frames.flatMap((f) => {
    const message = 'message' in f ? f.message : 'text' in f ? messageOfText(f.text) : null;
    return message && kept.has(message.type) ? [[message.type, readdress((message.data ?? {}) as Record<string, unknown>)] as [string, Record<string, unknown>]] : [];
  });
}

/** The message a recorded text stands for (a BOM or whitespace around it allowed); a text that is not one is `{ type: '' }`. */
function messageOfText(text: string): { type: string; data: Record<string, unknown> } {
  try {
    const value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    if (isRecord(value) && typeof value.type === 'string') return { type: value.type, data: isRecord(value.data) ? value.data : {} };
  } catch {
    // not JSON: sent as it is, a message of no type
  }
  return { type: '', data: {} };
}

/** A deep copy with every numeric `timestamp` moved by `shiftMs`. */
function shiftTimestamps<T>(value: T, shiftMs: number): T {
  if (shiftMs === 0) return value;
  if (Array.isArray(value)) return value.map((v) => shiftTimestamps(v, shiftMs)) as T;
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'timestamp' && typeof v === 'number' ? v + shiftMs : shiftTimestamps(v, shiftMs)])) as T;
  }
  return value;
}

/** The same move inside a frame's text: the number's digits change, the rest of the text does not. */
function shiftTimestampsInText(text: string, shiftMs: number): string {
  if (shiftMs === 0) return text;
  return text.replace(/("timestamp"\s*:\s*)(-?\d+(?:\.\d+)?)/g, (_all, key: string, n: string) => key + String(Math.round(Number(n) + shiftMs)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy with every string equal to `from` replaced by `to` (object keys too: history is keyed by prompt id). */
function replaceString<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return (value === from ? to : value) as T;
  if (Array.isArray(value)) return value.map((v) => replaceString(v, from, to)) as T;
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === from ? to : k, replaceString(v, from, to)])) as T;
  }
  return value;
}
