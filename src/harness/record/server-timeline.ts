import type { TraceEvent } from '../../protocol/index.ts';
import type { ScriptedPromptInput } from '../../scenarios/scenario.ts';
import {
  clientIdsByConn,
  HISTORY_PATH,
  isRecord,
  jsonOf,
  messageOfText,
  ms,
  PROMPT_PATH,
  QUEUE_PATH,
  TERMINAL_TYPES,
  type HttpEvent,
  type SendEvent,
} from './recorded-traffic.ts';

/**
 * What the recorded server did with each prompt, not only what the client saw (issue 16). A
 * client whose socket was gone received nothing, but the server went on: its later answers
 * (`/history`'s entry and the `status.messages` timestamps in it, `/queue`) tell how the prompt
 * ended and when. The frames it sent to nobody (the output nodes' `executed`, the terminal
 * message) are rebuilt from that entry; progress in between is not known and is not invented.
 */

export interface TimelineEntry {
  /** Recording clock, ms. */
  t: number;
  what: string;
  /** `received`: the client got it; `server`: the server did it, known from a later answer. */
  source: 'received' | 'server';
}

export interface PromptTimeline {
  /** 1-based, in acceptance order (as scripts and fault triggers count prompts). */
  index: number;
  promptId: string;
  /** The prompt_id the client sent, when it sent one. */
  sentPromptId: string | null;
  clientId: string | null;
  prompt: Record<string, unknown>;
  acceptedAt: number;
  /** How it ended on the server; `lost` when a later answer shows the server forgot it (a restart); `unknown` when nothing says. */
  outcome: 'success' | 'error' | 'interrupted' | 'lost' | 'unknown';
  /** When the server started and ended it, on the recording clock (from frames, or history timestamps). */
  startedAt?: number;
  endedAt?: number;
  /** Prompt frames the client received, in order, with their text. */
  received: SendEvent[];
  entries: TimelineEntry[];
  /** What the replay plays for it; undefined when nothing says what the server did. */
  script?: ScriptedPromptInput;
  /** The earlier prompt this one repeats (same client, same graph, sent while that one had not ended for the client). */
  resubmitOf?: number;
}

/** Every prompt the server accepted (POST /prompt answered 200 with a prompt_id). */
export function acceptedPrompts(events: readonly TraceEvent[], warnings: string[]): Array<Pick<PromptTimeline, 'index' | 'promptId' | 'sentPromptId' | 'clientId' | 'prompt' | 'acceptedAt'>> {
  const out: Array<Pick<PromptTimeline, 'index' | 'promptId' | 'sentPromptId' | 'clientId' | 'prompt' | 'acceptedAt'>> = [];
  for (const e of events) {
    if (e.kind !== 'http' || e.method !== 'POST' || !PROMPT_PATH.test(e.path)) continue;
    if (e.status !== 200) {
      warnings.push(`POST ${e.path} at ${ms(e.t)} was answered ${e.status}${e.fault ? ` by the recording proxy (${e.fault})` : ''}: not part of the workload`);
      continue;
    }
    const body = jsonOf(e.request);
    const reply = jsonOf(e.response);
    if (!isRecord(body) || !isRecord(body.prompt) || !isRecord(reply) || typeof reply.prompt_id !== 'string') {
      warnings.push(`POST ${e.path} at ${ms(e.t)}: the trace does not hold its whole body or answer (truncated?); skipped`);
      continue;
    }
    out.push({
      index: out.length + 1,
      promptId: reply.prompt_id,
      sentPromptId: typeof body.prompt_id === 'string' ? body.prompt_id : null,
      clientId: typeof body.client_id === 'string' ? body.client_id : null,
      prompt: body.prompt,
      acceptedAt: e.t,
    });
  }
  return out;
}

/**
 * The last history entry the server gave for the prompt, or when the server showed it no longer
 * knew it: `GET /history/{id}` answers `{}` for an unknown, unfinished, evicted or lost prompt
 * alike, so only "in neither `/history` nor `/queue`" (both asked, neither listing it) means lost.
 */
function serverAnswersOf(events: readonly TraceEvent[], promptId: string, after: number): { entry?: Record<string, unknown>; forgottenAt?: number } {
  let entry: Record<string, unknown> | undefined;
  let notInHistory: number | undefined;
  let notInQueue: number | undefined;
  let forgottenAt: number | undefined;
  for (const e of events) {
    if (e.kind !== 'http' || e.method !== 'GET' || e.status !== 200 || e.t < after) continue;
    const reply = jsonOf((e as HttpEvent).response);
    if (!isRecord(reply)) continue;
    if (HISTORY_PATH.test(e.path)) {
      if (isRecord(reply[promptId])) entry = reply[promptId] as Record<string, unknown>;
      else if (e.path.endsWith(`/${promptId}`)) notInHistory = e.t;
    } else if (QUEUE_PATH.test(e.path)) {
      const listed = JSON.stringify([reply.queue_running, reply.queue_pending]).includes(JSON.stringify(promptId));
      notInQueue = listed ? undefined : e.t;
      if (listed) notInHistory = undefined; // still queued or running: an empty history said nothing
    }
    if (forgottenAt === undefined && notInHistory !== undefined && notInQueue !== undefined) forgottenAt = Math.max(notInHistory, notInQueue);
  }
  return entry ? { entry } : forgottenAt !== undefined ? { forgottenAt } : {};
}

/** ComfyUI's `status.messages`: `[type, data]` pairs with server timestamps. */
function statusMessages(entry: Record<string, unknown> | undefined): Array<[string, Record<string, unknown>]> {
  const status = isRecord(entry?.status) ? entry.status : undefined;
  const list = Array.isArray(status?.messages) ? (status.messages as unknown[]) : [];
  return list.filter((m): m is [string, Record<string, unknown>] => Array.isArray(m) && typeof m[0] === 'string' && isRecord(m[1]));
}

const stampOf = (data: Record<string, unknown> | undefined) => (typeof data?.timestamp === 'number' ? data.timestamp : undefined);

/** Reconstructs one prompt's server timeline and its script. */
export function timelineOf(events: readonly TraceEvent[], accepted: ReturnType<typeof acceptedPrompts>[number], warnings: string[]): PromptTimeline {
  const conns = clientIdsByConn(events);
  // Frames go to the prompt's client (on any of its sockets, across reconnects); a prompt without
  // one was broadcast to every socket: take the first socket's copy.
  const mine = (e: SendEvent) => (accepted.clientId === null ? true : conns.get(e.conn) === accepted.clientId);
  const sends = events.filter((e): e is SendEvent => e.kind === 'ws_send' && mine(e) && e.t >= accepted.acceptedAt - 1_000);
  const ofPrompt = (e: SendEvent) => e.promptId === accepted.promptId || ('text' in e.frame && e.promptId === null && messageOfText(e.frame.text)?.data.prompt_id === accepted.promptId);
  const firstIndex = sends.findIndex(ofPrompt);
  const firstConn = accepted.clientId === null && firstIndex >= 0 ? sends[firstIndex]!.conn : undefined;
  const received: SendEvent[] = [];
  const frames: ScriptedPromptInput['frames'] = [];
  let terminal: string | undefined;
  const t0 = firstIndex >= 0 ? sends[firstIndex]!.t : undefined;
  for (const e of firstIndex >= 0 ? sends.slice(firstIndex) : []) {
    if (firstConn !== undefined && e.conn !== firstConn) continue;
    const atMs = Math.max(0, Math.round((e.t - t0!) * 1000) / 1000);
    if (e.msgType === 'binary' && 'base64' in e.frame) {
      frames.push({ atMs, base64: e.frame.base64 });
      continue;
    }
    if (!ofPrompt(e) || !('text' in e.frame)) continue;
    const message = messageOfText(e.frame.text);
    if (message?.type === 'executing' && message.data.node === null) continue; // the simulator sends its own, after history
    received.push(e);
    frames.push({ atMs, text: e.frame.text });
    if (message && TERMINAL_TYPES.has(message.type)) {
      terminal = message.type;
      break;
    }
  }
  // Binary frames after the last prompt frame belong to no one.
  while (frames.length && 'base64' in frames[frames.length - 1]!) frames.pop();

  const { entry, forgottenAt } = serverAnswersOf(events, accepted.promptId, accepted.acceptedAt);
  const messages = statusMessages(entry);
  const entries: TimelineEntry[] = [{ t: accepted.acceptedAt, what: `POST /prompt accepted: prompt ${accepted.index} ${accepted.promptId}${accepted.sentPromptId && accepted.sentPromptId !== accepted.promptId ? ` (the client sent prompt_id ${accepted.sentPromptId}; the server named it itself)` : ''}`, source: 'received' }];
  for (const e of received) entries.push({ t: e.t, what: `${e.msgType ?? 'frame'} (conn ${e.conn})`, source: 'received' });

  // Server clock -> recording clock: from a received frame that carries a server timestamp.
  const stamped = received.find((e) => 'text' in e.frame && stampOf(messageOfText(e.frame.text)?.data) !== undefined);
  const startStamp = stampOf(messages.find(([type]) => type === 'execution_start')?.[1]) ?? (stamped && 'text' in stamped.frame ? stampOf(messageOfText(stamped.frame.text)?.data) : undefined);
  const offset = stamped && 'text' in stamped.frame ? stamped.t - stampOf(messageOfText(stamped.frame.text)!.data)! : undefined;
  const toRecording = (stamp: number) => (offset !== undefined ? stamp + offset : t0 !== undefined && startStamp !== undefined ? t0 + stamp - startStamp : undefined);

  const base: PromptTimeline = { ...accepted, outcome: 'unknown', received, entries };
  if (t0 !== undefined) base.startedAt = t0;
  const history = entry;
  const status = isRecord(history?.status) ? history.status : undefined;
  if (terminal) base.outcome = terminal === 'execution_success' ? 'success' : terminal === 'execution_error' ? 'error' : 'interrupted';
  else if (status) {
    base.outcome = messages.some(([type]) => type === 'execution_interrupted') ? 'interrupted' : status.status_str === 'success' ? 'success' : 'error';
  } else if (forgottenAt !== undefined) {
    base.outcome = 'lost';
    entries.push({ t: forgottenAt, what: `the server no longer knows the prompt (not in /history, not in /queue): it lost it`, source: 'server' });
  }

  if (!terminal && status) {
    // What the server sent to nobody: the output nodes' `executed` and the terminal message, at the time history says.
    const seenExecuted = new Set(received.flatMap((e) => ('text' in e.frame && messageOfText(e.frame.text)?.type === 'executed' ? [String(messageOfText(e.frame.text)!.data.node)] : [])));
    const end = messages.find(([type]) => TERMINAL_TYPES.has(type));
    const endStamp = stampOf(end?.[1]);
    const lastAt = frames.at(-1)?.atMs ?? 0;
    const endAt = endStamp !== undefined && startStamp !== undefined && t0 !== undefined ? Math.max(lastAt, Math.round(toRecording(endStamp)! - t0)) : lastAt;
    const outputs = isRecord(history?.outputs) ? history.outputs : {};
    if (base.outcome === 'success') {
      for (const [node, output] of Object.entries(outputs)) {
        if (seenExecuted.has(node)) continue;
        frames.push({ atMs: endAt, message: { type: 'executed', data: { node, display_node: node, output, prompt_id: accepted.promptId } } });
        entries.push({ t: (t0 ?? accepted.acceptedAt) + endAt, what: `executed node ${node} (from history's outputs; sent to no socket)`, source: 'server' });
      }
    }
    if (end) {
      frames.push({ atMs: endAt, message: { type: end[0], data: end[1] } });
      entries.push({ t: (t0 ?? accepted.acceptedAt) + endAt, what: `${end[0]} (from history's status.messages${endStamp !== undefined ? `, server time ${endStamp}` : ''}; sent to no socket)`, source: 'server' });
    }
    if (t0 !== undefined) base.endedAt = t0 + endAt;
  } else if (terminal) base.endedAt = received.at(-1)!.t;

  if (base.outcome === 'unknown') {
    warnings.push(`prompt ${accepted.index} ${accepted.promptId}: the recording never shows how it ended (no terminal frame, no history entry, nothing showing it lost); the simulator's engine will run it`);
    return base;
  }
  if (firstIndex < 0 && base.outcome !== 'lost') warnings.push(`prompt ${accepted.index} ${accepted.promptId}: no frame of it was recorded (the client was not connected); replayed from its history only`);
  const outcome = base.outcome === 'lost' ? 'error' : base.outcome; // a lost prompt's script is cut by the restart inferred for it
  const script: ScriptedPromptInput = { promptId: accepted.promptId, outcome, frames };
  if (history) script.history = history;
  if (!frames.length) {
    const endStamp = stampOf(messages.find(([type]) => TERMINAL_TYPES.has(type))?.[1]);
    script.durationMs = endStamp !== undefined && startStamp !== undefined && endStamp >= startStamp ? endStamp - startStamp : 0;
  }
  const firstStamp = received.length && 'text' in received[0]!.frame ? stampOf(messageOfText(received[0]!.frame.text)?.data) : undefined;
  if (firstStamp !== undefined || startStamp !== undefined) script.startedAt = (firstStamp ?? startStamp)!;
  base.script = script;
  return base;
}
