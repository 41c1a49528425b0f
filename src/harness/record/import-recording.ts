import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import { traceEvent, type TraceEvent } from '../../protocol/index.ts';
import { scenario as scenarioSchema, type Scenario, type ScenarioInput, type ScriptedPromptInput } from '../../scenarios/scenario.ts';

/**
 * Turns recorded traffic (a trace of `comfy-chaos record`, or of `comfy-chaos serve --trace`) into
 * a scenario: the workload is every prompt the server accepted (POST /prompt with a 200), with its
 * real submit time and window (one per client id); the `script` is what the server sent for each
 * of them, from `execution_start` to the terminal `execution_*`, with the recorded spacing, and
 * the `/history` entry the client read. Replayed, the simulator plays those frames instead of
 * running its engine (src/simulator/engine/scripted-prompt.ts), and faults can be added on top.
 */

export class RecordingImportError extends Error {
  override name = 'RecordingImportError';
  constructor(
    readonly code: 'CC_ERR_TRACE_FILE' | 'CC_ERR_NOT_A_RECORDING',
    message: string,
  ) {
    super(message);
  }
}

export interface ImportOptions {
  /** The scenario id [default '9.1'] */
  id?: string;
  /** The scenario name (kebab-case) [default `replay-<file name>`] */
  name?: string;
  /** Where the trace came from, for the purpose line. */
  source?: string;
}

export interface ImportedRecording {
  /** Validated, ready to run. */
  scenario: Scenario;
  /** The same before defaults, as written to a scenario file. */
  input: ScenarioInput;
  /** What the import could not carry over (a truncated body, a prompt that never ended). */
  warnings: string[];
}

export interface TraceFile {
  events: TraceEvent[];
  /** Lines that are not trace events (skipped). */
  skipped: number;
}

const TERMINAL = new Set(['execution_success', 'execution_error', 'execution_interrupted']);
const OUTCOME = { execution_success: 'success', execution_error: 'error', execution_interrupted: 'interrupted' } as const;
const PROMPT_PATH = /^(\/api)?\/prompt\/?$/;
const HISTORY_PATH = /^(\/api)?\/history(\/[^/]+)?\/?$/;

export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecordingImportError('CC_ERR_TRACE_FILE', `cannot read trace ${path}: ${(error as Error).message}`);
  }
  const events: TraceEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = traceEvent.safeParse(JSON.parse(line));
      if (parsed.success) events.push(parsed.data);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}

/** A trace written by `comfy-chaos record`: its first note says so. */
export function isRecording(events: readonly TraceEvent[]): boolean {
  return events.some((e) => e.kind === 'note' && e.message.startsWith('recording: '));
}

/** A trace that can be imported: recorded traffic (no `run:` note) with at least one accepted prompt. */
export function isImportable(events: readonly TraceEvent[]): boolean {
  if (events.some((e) => e.kind === 'note' && e.message.startsWith('run: '))) return false;
  return isRecording(events) || acceptedPrompts(events).length > 0;
}

interface AcceptedPrompt {
  promptId: string;
  prompt: Record<string, unknown>;
  clientId: string | null;
  t: number;
}

type HttpEvent = Extract<TraceEvent, { kind: 'http' }>;

function jsonOf(text: string | undefined): unknown {
  if (text === undefined || text.endsWith('…')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function acceptedPrompts(events: readonly TraceEvent[], warnings: string[] = []): AcceptedPrompt[] {
  const out: AcceptedPrompt[] = [];
  for (const e of events) {
    if (e.kind !== 'http' || e.method !== 'POST' || !PROMPT_PATH.test(e.path)) continue;
    if (e.status !== 200) {
      warnings.push(`POST ${e.path} at ${Math.round(e.t)} ms was answered ${e.status}: not part of the workload`);
      continue;
    }
    const body = jsonOf(e.request);
    const reply = jsonOf(e.response);
    if (!isRecord(body) || !isRecord(body.prompt) || !isRecord(reply) || typeof reply.prompt_id !== 'string') {
      warnings.push(`POST ${e.path} at ${Math.round(e.t)} ms: the trace does not hold its whole body or answer (truncated?); skipped`);
      continue;
    }
    out.push({ promptId: reply.prompt_id, prompt: body.prompt, clientId: typeof body.client_id === 'string' ? body.client_id : null, t: e.t });
  }
  return out;
}

/** The last history entry the server gave for the prompt, from GET /history/{id} or GET /history. */
function historyOf(events: readonly TraceEvent[], promptId: string): Record<string, unknown> | undefined {
  let entry: Record<string, unknown> | undefined;
  for (const e of events) {
    if (e.kind !== 'http' || e.method !== 'GET' || e.status !== 200 || !HISTORY_PATH.test(e.path)) continue;
    const reply = jsonOf((e as HttpEvent).response);
    if (isRecord(reply) && isRecord(reply[promptId])) entry = reply[promptId] as Record<string, unknown>;
  }
  return entry;
}

/** The frames the server sent for one prompt, from its first frame to its terminal message. */
function scriptOf(events: readonly TraceEvent[], accepted: AcceptedPrompt, warnings: string[]): ScriptedPromptInput | undefined {
  const conns = new Map<number, string | null>();
  for (const e of events) if (e.kind === 'ws_connect') conns.set(e.conn, e.clientId);
  // Frames go to the prompt's client; a prompt without one was broadcast to every socket: take one socket's copy.
  const mine = (e: Extract<TraceEvent, { kind: 'ws_send' }>) => (accepted.clientId === null ? true : conns.get(e.conn) === accepted.clientId);
  const sends = events.filter((e): e is Extract<TraceEvent, { kind: 'ws_send' }> => e.kind === 'ws_send' && mine(e));
  const first = sends.findIndex((e) => e.promptId === accepted.promptId);
  const history = historyOf(events, accepted.promptId);
  const frames: ScriptedPromptInput['frames'] = [];
  let outcome: ScriptedPromptInput['outcome'] | undefined;
  if (first >= 0) {
    const conn = accepted.clientId === null ? sends[first]!.conn : undefined;
    const start = sends[first]!.t;
    for (const e of sends.slice(first)) {
      if (conn !== undefined && e.conn !== conn) continue;
      const atMs = Math.max(0, Math.round((e.t - start) * 1000) / 1000);
      if (e.msgType === 'binary' && 'base64' in e.frame) frames.push({ atMs, base64: e.frame.base64 });
      if (e.promptId !== accepted.promptId || !('text' in e.frame)) continue;
      const message = jsonOf(e.frame.text);
      if (!isRecord(message) || typeof message.type !== 'string') continue;
      if (message.type === 'executing' && isRecord(message.data) && message.data.node === null) continue; // the simulator sends its own
      frames.push({ atMs, message: { type: message.type, data: message.data } });
      if (TERMINAL.has(message.type)) {
        outcome = OUTCOME[message.type as keyof typeof OUTCOME];
        break;
      }
    }
    // Binary frames after the terminal message belong to no one.
    while (frames.length && 'base64' in frames[frames.length - 1]!) frames.pop();
  }
  const status = isRecord(history?.status) ? history.status : undefined;
  if (!outcome && status) {
    const messages = Array.isArray(status.messages) ? (status.messages as unknown[]) : [];
    outcome = messages.some((m) => Array.isArray(m) && m[0] === 'execution_interrupted') ? 'interrupted' : status.status_str === 'success' ? 'success' : 'error';
  }
  if (!outcome) {
    warnings.push(`prompt ${accepted.promptId}: the recording never saw it end (no terminal frame, no history); the simulator's engine will run it`);
    return undefined;
  }
  if (first < 0) warnings.push(`prompt ${accepted.promptId}: no frame of it was recorded (the client was not connected); replayed from its history only`);
  const script: ScriptedPromptInput = { promptId: accepted.promptId, outcome, frames };
  if (history) script.history = history;
  if (!frames.length) script.durationMs = durationFromHistory(status) ?? 0;
  return script;
}

/** From the `execution_start` and terminal timestamps ComfyUI keeps in history, in ms. */
function durationFromHistory(status: Record<string, unknown> | undefined): number | undefined {
  const messages = Array.isArray(status?.messages) ? (status.messages as unknown[]) : [];
  const stamp = (type: (t: string) => boolean) => {
    const m = messages.find((x) => Array.isArray(x) && typeof x[0] === 'string' && type(x[0])) as [string, { timestamp?: unknown }] | undefined;
    return typeof m?.[1]?.timestamp === 'number' ? m[1].timestamp : undefined;
  };
  const start = stamp((t) => t === 'execution_start');
  const end = stamp((t) => TERMINAL.has(t));
  return start !== undefined && end !== undefined && end >= start ? end - start : undefined;
}

/** Builds the scenario of a recorded trace (see the module comment). */
export function scenarioFromRecording(events: readonly TraceEvent[], options: ImportOptions = {}): ImportedRecording {
  const warnings: string[] = [];
  const prompts = acceptedPrompts(events, warnings);
  if (!prompts.length) {
    throw new RecordingImportError('CC_ERR_NOT_A_RECORDING', `the trace${options.source ? ` ${options.source}` : ''} has no accepted POST /prompt: nothing to replay`);
  }
  const firstActivity = events.find((e) => e.kind === 'http' || e.kind === 'ws_connect')?.t ?? prompts[0]!.t;
  const windows = new Map<string | null, string>();
  const windowOf = (clientId: string | null) => {
    if (!windows.has(clientId)) windows.set(clientId, windows.size === 0 ? 'main' : `window-${windows.size + 1}`);
    return windows.get(clientId)!;
  };
  const script: ScriptedPromptInput[] = [];
  const jobs: ScenarioInput['jobs'] = [];
  const expect: Record<string, 'failed' | 'interrupted'> = {};
  let end = 0;
  for (const [i, p] of prompts.entries()) {
    const id = `j${i + 1}`;
    jobs.push({ id, prompt: p.prompt as ScenarioInput['jobs'][number]['prompt'], window: windowOf(p.clientId), submitAtMs: Math.max(0, Math.round(p.t - firstActivity)) });
    if (script.length !== i) continue;
    const scripted = scriptOf(events, p, warnings);
    if (!scripted) {
      // Scripts match prompts by acceptance order: after a gap, the rest run on the engine too.
      if (i < prompts.length - 1) warnings.push(`prompts ${i + 2}-${prompts.length} run on the simulator's engine as well (scripts match prompts by order)`);
      continue;
    }
    script.push(scripted);
    if (scripted.outcome !== 'success') expect[id] = scripted.outcome === 'error' ? 'failed' : 'interrupted';
    const last = scripted.frames.at(-1)?.atMs ?? scripted.durationMs ?? 0;
    end = Math.max(end, p.t - firstActivity + last);
  }
  const file = options.source ? basename(options.source).replace(/\.[^.]*$/, '') : 'recording';
  const name = options.name ?? `replay-${file.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'recording'}`;
  const input: ScenarioInput = {
    id: options.id ?? '9.1',
    name,
    purpose: `Recorded traffic${options.source ? ` of ${basename(options.source)}` : ''} replayed: ${jobs.length} job${jobs.length === 1 ? '' : 's'}, the server's real frames and timing`,
    jobs,
    ...(Object.keys(expect).length ? { expect } : {}),
    latencyBoundMs: 5_000,
    recoveryBoundMs: 10_000,
    // Long enough for the recorded work three times over, whatever faults add.
    maxRunMs: Math.max(30_000, Math.ceil(end * 3) + 20_000),
    transports: ['memory', 'network'],
    script,
  };
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new RecordingImportError('CC_ERR_NOT_A_RECORDING', `the scenario made from the trace is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { scenario: parsed.data, input, warnings };
}

/** Reads a recorded trace file and builds its scenario. */
export function importRecording(path: string, options: Omit<ImportOptions, 'source'> = {}): ImportedRecording {
  const { events, skipped } = readTraceFile(path);
  if (events.some((e) => e.kind === 'note' && e.message.startsWith('run: '))) {
    throw new RecordingImportError('CC_ERR_NOT_A_RECORDING', `${path} is the trace of a comfy-chaos run, not a recording; replay it with comfy-chaos replay ${path}`);
  }
  const imported = scenarioFromRecording(events, { ...options, source: path });
  if (skipped) imported.warnings.unshift(`${skipped} line${skipped === 1 ? '' : 's'} of ${path} are not trace events; skipped`);
  return imported;
}

/** The scenario as YAML, one line per frame and per node so a recording reads like a script. */
export function scenarioToYaml(input: ScenarioInput): string {
  const doc = new Document(input);
  const flowItems = (path: Array<string | number>) => {
    const node = doc.getIn(path, true);
    if (isSeq(node)) for (const item of node.items) if (isMap(item)) item.flow = true;
    if (isMap(node)) for (const pair of node.items) if (isMap(pair.value)) pair.value.flow = true;
  };
  input.jobs.forEach((_, i) => flowItems(['jobs', i, 'prompt']));
  (input.script ?? []).forEach((_, i) => flowItems(['script', i, 'frames']));
  return `# made by comfy-chaos import; run it with: comfy-chaos run --scenario <this file> --client ...\n${doc.toString({ lineWidth: 0 })}`;
}

/** True when the file is recorded traffic to import (not the trace of a `comfy-chaos run`). */
export function isRecordedTraceFile(path: string): boolean {
  try {
    return isImportable(readTraceFile(path).events);
  } catch {
    return false;
  }
}
