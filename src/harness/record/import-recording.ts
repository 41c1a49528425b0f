import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { traceEvent, type TraceEvent } from '../../protocol/index.ts';
import { scenarioLimits } from '../../protocol/scenario-limits.ts';
import { scenario as scenarioSchema, type Scenario, type ScenarioInput, type ScriptedPromptInput } from '../../scenarios/scenario.ts';
import { inferFaults, type FaultEvidence } from './fault-evidence.ts';
import { recordedProfile, type RecordedProfile } from './recorded-profile.ts';
import { acceptedPrompts, timelineOf, type PromptTimeline } from './server-timeline.ts';

/**
 * Turns recorded traffic (a trace of `comfy-chaos record`, or of `comfy-chaos serve --trace`) into
 * a scenario that fails the way the recording did (issue 16):
 * - the workload is every prompt the client submitted (POST /prompt answered 200), with its real
 *   submit time and window (one per client id); a client's retry of a prompt it had not seen end
 *   is a second script, not a second job;
 * - the `script` is what the server did for each prompt (src/harness/record/server-timeline.ts):
 *   the frames the client received, as their recorded text, and the ones the server sent to
 *   nobody, rebuilt from its history, at the time the history says;
 * - the faults are what the recording shows went wrong (src/harness/record/fault-evidence.ts),
 *   each with its evidence, written as a comment above it;
 * - `comfyui` is the recorded server's release (src/harness/record/recorded-profile.ts).
 * Replayed, the simulator plays those frames instead of running its engine
 * (src/simulator/engine/scripted-prompt.ts), and more faults can be added on top.
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
  /** The server's timeline of each accepted prompt, as reconstructed. */
  timelines: PromptTimeline[];
  /** The faults of `input.faults`, in order, with their evidence; and what is not known. */
  evidence: FaultEvidence;
  /** Why `input.comfyui` is what it is. */
  profile: RecordedProfile;
  /** Recording clock (ms) that the scenario's times count from. */
  origin: number;
}

export interface TraceFile {
  events: TraceEvent[];
  /** Lines that are not trace events (skipped). */
  skipped: number;
}

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
  return isRecording(events) || acceptedPrompts(events, []).length > 0;
}

/** Builds the scenario of a recorded trace (see the module comment). */
export function scenarioFromRecording(events: readonly TraceEvent[], options: ImportOptions = {}): ImportedRecording {
  const warnings: string[] = [];
  const accepted = acceptedPrompts(events, warnings);
  if (!accepted.length) {
    throw new RecordingImportError('CC_ERR_NOT_A_RECORDING', `the trace${options.source ? ` ${options.source}` : ''} has no accepted POST /prompt: nothing to replay`);
  }
  const origin = events.find((e) => e.kind === 'http' || e.kind === 'ws_connect')?.t ?? accepted[0]!.acceptedAt;
  const timelines = accepted.map((p) => timelineOf(events, p, warnings));
  markResubmissions(timelines);
  const windows = new Map<string | null, string>();
  const windowOf = (clientId: string | null) => {
    if (!windows.has(clientId)) windows.set(clientId, windows.size === 0 ? 'main' : `window-${windows.size + 1}`);
    return windows.get(clientId)!;
  };
  const script: ScriptedPromptInput[] = [];
  const jobs: ScenarioInput['jobs'] = [];
  const expect: Record<string, 'failed' | 'interrupted' | 'lost'> = {};
  let end = 0;
  for (const p of timelines) {
    // Scripts match prompts by acceptance order: after one without a script, the rest run on the engine too.
    if (script.length === p.index - 1 && p.script) script.push(p.script);
    else if (script.length === p.index - 1 && p.index < timelines.length) warnings.push(`prompts ${p.index + 1}-${timelines.length} run on the simulator's engine as well (scripts match prompts by order)`);
    end = Math.max(end, (p.endedAt ?? p.acceptedAt) - origin + (p.script?.durationMs ?? 0));
    if (p.resubmitOf !== undefined) continue;
    const id = `j${jobs.length + 1}`;
    jobs.push({ id, prompt: p.prompt as ScenarioInput['jobs'][number]['prompt'], window: windowOf(p.clientId), submitAtMs: Math.max(0, Math.round(p.acceptedAt - origin)) });
    const final = timelines.filter((q) => q.index === p.index || q.resubmitOf === p.index).at(-1)!;
    if (final.outcome === 'error' || final.outcome === 'interrupted' || final.outcome === 'lost') expect[id] = final.outcome === 'error' ? 'failed' : final.outcome;
  }
  // A run is bounded at scenarioLimits.maxRunMs (6 h of real time on the network): a recording that
  // cannot be replayed within it is refused here, said plainly, rather than by the schema's path.
  const needed = Math.ceil(end) + 20_000;
  if (needed > scenarioLimits.maxRunMs) {
    throw new RecordingImportError(
      'CC_ERR_NOT_A_RECORDING',
      `the recorded work spans ${(end / 3_600_000).toFixed(1)} h; a replay runs at most ${scenarioLimits.maxRunMs / 3_600_000} h: record a shorter session, or cut the trace file to the part to replay (its lines are in time order)`,
    );
  }
  const evidence = inferFaults(events, timelines, origin);
  const profile = recordedProfile(events, timelines);
  const faults = evidence.faults.map((f) => f.fault);
  const network = faults.some((f) => f.type === 'partition' || f.type === 'toxic');
  const file = options.source ? basename(options.source).replace(/\.[^.]*$/, '') : 'recording';
  const name = options.name ?? `replay-${file.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'recording'}`;
  const faultWords = faults.length ? `, ${faults.length} fault${faults.length === 1 ? '' : 's'} from its evidence` : '';
  const input: ScenarioInput = {
    id: options.id ?? '9.1',
    name,
    purpose: `Recorded traffic${options.source ? ` of ${basename(options.source)}` : ''} replayed: ${jobs.length} job${jobs.length === 1 ? '' : 's'}, what the server did and when${faultWords}`,
    jobs,
    ...(faults.length ? { faults } : {}),
    ...(Object.keys(expect).length ? { expect } : {}),
    latencyBoundMs: 5_000,
    recoveryBoundMs: 10_000,
    // Long enough for the recorded work three times over, whatever faults add, within the limit.
    maxRunMs: Math.min(scenarioLimits.maxRunMs, Math.max(30_000, Math.ceil(end * 3) + 20_000)),
    // A partition is Toxiproxy's: it needs the network transport.
    transports: network ? ['network'] : ['memory', 'network'],
    ...(profile.name ? { comfyui: profile.name } : {}),
    script,
  };
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new RecordingImportError('CC_ERR_NOT_A_RECORDING', `the scenario made from the trace is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { scenario: parsed.data, input, warnings, timelines, evidence, profile, origin };
}

/**
 * A prompt that repeats an earlier one of the same client (same graph) that the server lost or
 * never ended is the client's retry, not a new job of its user (two jobs of one graph that both
 * ended stay two jobs).
 */
function markResubmissions(timelines: PromptTimeline[]): void {
  for (const p of timelines) {
    const same = JSON.stringify(p.prompt);
    const earlier = timelines.find((q) => q.index < p.index && q.resubmitOf === undefined && q.clientId === p.clientId && JSON.stringify(q.prompt) === same && (q.outcome === 'lost' || q.outcome === 'unknown'));
    if (earlier) p.resubmitOf = earlier.index;
  }
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

/** What the import knows about the scenario beyond the scenario itself: written as comments. */
export type ImportNotes = Pick<ImportedRecording, 'evidence' | 'profile' | 'timelines'>;

const comment = (lines: readonly string[]) => lines.map((l) => ` ${l}`).join('\n');

/**
 * The scenario as YAML, one line per frame and per node so a recording reads like a script; with
 * `notes`, each inferred fault carries its evidence in a comment above it, and so do `comfyui` and
 * what the recording could not tell.
 */
export function scenarioToYaml(input: ScenarioInput, notes?: ImportNotes): string {
  // No anchors: a rebuilt frame shares its output with the history entry, and a reader wants both spelled out.
  const doc = new Document(input, { aliasDuplicateObjects: false });
  const flowItems = (path: Array<string | number>) => {
    const node = doc.getIn(path, true);
    if (isSeq(node)) for (const item of node.items) if (isMap(item)) item.flow = true;
    if (isMap(node)) for (const pair of node.items) if (isMap(pair.value)) pair.value.flow = true;
  };
  input.jobs.forEach((_, i) => flowItems(['jobs', i, 'prompt']));
  (input.script ?? []).forEach((_, i) => flowItems(['script', i, 'frames']));
  (input.faults ?? []).forEach((_, i) => flowItems(['faults', i]));
  if (notes) {
    const keyComment = (key: string, lines: string[]) => {
      const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
      if (pair && isScalar(pair.key) && lines.length) pair.key.commentBefore = comment(lines);
    };
    notes.evidence.faults.forEach((f, i) => {
      const node = doc.getIn(['faults', i], true);
      if (isMap(node)) node.commentBefore = comment(f.evidence);
    });
    const unknown = notes.evidence.undetermined.map((u) => `not inferred: ${u}`);
    if (notes.evidence.faults.length || unknown.length) keyComment('faults', ['faults from the recording\'s evidence (comfy-chaos import --explain shows the timeline)', ...unknown]);
    else keyComment('script', ['no fault inferred: the recording shows no drop, refusal or failed request', ...unknown]);
    keyComment('comfyui', notes.profile.evidence);
    notes.timelines.forEach((p, i) => {
      const rebuilt = p.entries.filter((e) => e.source === 'server').map((e) => `server only: ${e.what}`);
      const bad = notes.evidence.malformedFrames.filter((m) => m.includes(`prompt ${p.index} `));
      const node = doc.getIn(['script', i], true);
      if (isMap(node) && (rebuilt.length || bad.length)) node.commentBefore = comment([`prompt ${p.index}: ${p.outcome} on the server`, ...rebuilt, ...bad]);
    });
  }
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
