import type { TraceEvent, TraceFrame } from '../../protocol/index.ts';
import type { Finding, RunCounts, ScenarioResult, Verdict } from '../result.ts';
import { clientsOf, clip, columnOf, failureTitle, groupOf, groupTitle, sortResults, traceFileName, verdictCounts, verdictNote } from './format.ts';
import type { ReportMeta } from './report-writer.ts';

/** Limits that keep index.html small enough to open with hundreds of results. */
export interface HtmlDataLimits {
  /** Trace events kept per result for the timeline and wire log; evidence events are kept beyond it [default 3000]. */
  eventsPerResult?: number;
  /** Characters of a frame, request or response kept per event [default 300]. */
  textChars?: number;
}

/** Timeline lanes, top to bottom: cause above effect. */
export const timelineLanes = ['faults', 'connections', 'server frames', 'http', 'server jobs', 'client', 'downstream'] as const;

/** Relay runs: what the users' browsers heard and what happened to them, in the `downstream` lane. */
const downstreamTypes = new Set(['downstream', 'downstream_state', 'downstream_unattributed', 'harness_browser', 'refund']);
export type TimelineLane = (typeof timelineLanes)[number];

/** One trace event as the page shows it (short keys: there can be thousands). */
export interface HtmlEvent {
  /** seq */
  s: number;
  /** Run ms. */
  t: number;
  /** Trace kind. */
  k: TraceEvent['kind'];
  /** Lane index into `timelineLanes`. */
  l: number;
  /** Short label (a frame's msgType, `GET /history 503`, a client event's type). */
  n: string;
  /** Detail: the frame text or event body, clipped. */
  x: string;
  /** Marker colour. */
  c: string;
  /** WebSocket connection number. */
  w?: number;
}

export interface HtmlResult {
  id: string;
  name: string;
  purpose: string;
  cites?: string;
  group: number;
  client: string;
  transport: ScenarioResult['transport'];
  seed: number;
  verdict: Verdict;
  reason?: string;
  /** The failed invariant (or reason) of a failure. */
  failed?: string;
  /** Harness errors (with the stack) and inconclusive runs (every fault that never fired): shown as a block. */
  note?: string;
  findings: Finding[];
  counts: RunCounts;
  runMs: number;
  wallMs: number;
  replay: string;
  traceFile: string;
  /** Events in the trace, and of those in `events`. */
  total: number;
  events: HtmlEvent[];
}

export interface HtmlData {
  meta: ReportMeta;
  verdicts: Record<Verdict, number>;
  clients: string[];
  groups: { group: number; title: string }[];
  lanes: readonly string[];
  limits: Required<HtmlDataLimits>;
  results: HtmlResult[];
}

const colour = {
  grey: '#94a3b8',
  slate: '#64748b',
  blue: '#2563eb',
  sky: '#0ea5e9',
  violet: '#8b5cf6',
  lilac: '#c4b5fd',
  green: '#16a34a',
  red: '#dc2626',
  orange: '#ea580c',
  amber: '#d97706',
  teal: '#0d9488',
  pink: '#db2777',
};

/** Server frame colours by message type; other types get one of the spare colours by hash. */
const frameColours: Record<string, string> = {
  status: colour.grey,
  feature_flags: '#cbd5e1',
  execution_start: colour.blue,
  execution_cached: '#60a5fa',
  executing: colour.sky,
  progress: colour.violet,
  progress_state: colour.lilac,
  executed: colour.teal,
  execution_success: colour.green,
  execution_error: colour.red,
  execution_interrupted: colour.orange,
  binary: colour.pink,
  '(not a message)': colour.amber,
};
const spare = ['#a16207', '#4d7c0f', '#0369a1', '#7e22ce', '#be123c', '#115e59'];

function frameColour(type: string): string {
  if (frameColours[type]) return frameColours[type];
  let h = 0;
  for (const ch of type) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return spare[h % spare.length]!;
}

function frameText(frame: TraceFrame, max: number): string {
  if ('text' in frame) return clip(frame.text, max);
  if ('base64' in frame) return `binary, ${frame.bytes} bytes: ${clip(frame.base64, Math.min(max, 80))}`;
  return `binary or large, ${frame.bytes} bytes, sha256 ${frame.digest.slice(0, 16)}…`;
}

function clientMessageType(frame: TraceFrame): string {
  if (!('text' in frame)) return 'binary';
  try {
    const type = (JSON.parse(frame.text) as { type?: unknown }).type;
    return typeof type === 'string' ? type : '(not a message)';
  } catch {
    return '(not JSON)';
  }
}

const lane = (name: TimelineLane) => timelineLanes.indexOf(name);

/** How the page shows one trace event. */
export function htmlEvent(e: TraceEvent, max: number): HtmlEvent {
  const at = { s: e.seq, t: e.t, k: e.kind };
  switch (e.kind) {
    case 'ws_send': {
      const type = e.msgType ?? '(not a message)';
      return { ...at, l: lane('server frames'), n: type, x: frameText(e.frame, max), c: frameColour(type), w: e.conn };
    }
    case 'ws_recv':
      return { ...at, l: lane('connections'), n: `↑ ${clientMessageType(e.frame)}`, x: frameText(e.frame, max), c: colour.slate, w: e.conn };
    case 'ws_connect':
      return { ...at, l: lane('connections'), n: `connect #${e.conn}`, x: `clientId ${e.clientId ?? '(none)'}, sid ${e.sid}`, c: colour.green, w: e.conn };
    case 'ws_refused':
      return { ...at, l: lane('connections'), n: `refused ${e.status}`, x: `upgrade refused with ${e.status}, clientId ${e.clientId ?? '(none)'}`, c: colour.red };
    case 'ws_close':
      return {
        ...at,
        l: lane('connections'),
        n: `close #${e.conn} ${e.code}`,
        x: `closed by the ${e.by} with ${e.code}`,
        c: e.code === 1000 || e.code === 1001 ? colour.grey : colour.red,
        w: e.conn,
      };
    case 'http': {
      const parts = [
        e.query ? `?${e.query}` : '',
        e.fault ? `fault: ${e.fault}` : '',
        e.request ? `request: ${clip(e.request, max)}` : '',
        e.response ? `response: ${clip(e.response, max)}` : '',
      ].filter(Boolean);
      const c = e.fault ? colour.amber : e.status >= 400 ? colour.red : colour.blue;
      return { ...at, l: lane('http'), n: `${e.method} ${clip(e.path, 60)} ${e.status}`, x: parts.join('\n'), c };
    }
    case 'fault':
      return { ...at, l: lane('faults'), n: e.faultType, x: `${e.fault}${e.detail ? ` (${e.detail})` : ''}`, c: colour.red };
    case 'toxic':
      return { ...at, l: lane('faults'), n: `toxic ${e.action}`, x: clip(JSON.stringify(e.detail), max), c: colour.amber };
    case 'note':
      return { ...at, l: lane('faults'), n: 'note', x: clip(e.message, max), c: colour.slate };
    case 'internal_error':
      return { ...at, l: lane('server jobs'), n: `internal error (${e.where})`, x: clip(`${e.message}${e.stack ? `\n${e.stack}` : ''}`, max), c: colour.red };
    case 'prompt': {
      const c = { success: colour.green, error: colour.red, interrupted: colour.orange, lost: colour.orange, deleted: colour.orange }[e.event as string] ?? colour.grey;
      return { ...at, l: lane('server jobs'), n: `prompt ${e.event}`, x: `${e.promptId}${e.number !== undefined ? ` #${e.number}` : ''}`, c };
    }
    case 'server':
      return { ...at, l: lane('server jobs'), n: `server ${e.event}`, x: e.detail ?? '', c: e.event === 'start' || e.event === 'restart_up' ? colour.slate : colour.red };
    case 'client': {
      const type = typeof e.event.type === 'string' ? e.event.type : 'event';
      if (downstreamTypes.has(type)) return downstreamEvent(e, at, type, max);
      const job = typeof e.event.job === 'string' ? ` ${e.event.job}` : '';
      const c =
        {
          completed: colour.green,
          failed: colour.red,
          lost: colour.orange,
          interrupted: colour.orange,
          progress: colour.violet,
          submitted: colour.blue,
          harness_submit: colour.blue,
          client_error: colour.red,
          client_exit: colour.slate,
        }[type] ?? colour.grey;
      return { ...at, l: lane('client'), n: `${type}${job}`, x: clip(JSON.stringify(e.event), max), c };
    }
  }
}

/** A relay run's browser-side event: `alice: completed`, `bob: disconnected`, `refund`. */
function downstreamEvent(e: Extract<TraceEvent, { kind: 'client' }>, at: Pick<HtmlEvent, 's' | 't' | 'k'>, type: string, max: number): HtmlEvent {
  const ev = e.event as Record<string, unknown>;
  const user = typeof ev.user === 'string' ? `${ev.user}: ` : '';
  const what = type === 'downstream' ? String(ev.kind ?? 'message') : type === 'downstream_state' ? String(ev.state ?? 'state') : type === 'harness_browser' ? `browser ${String(ev.action ?? '')}` : type === 'refund' ? 'refund' : 'unattributed';
  const c =
    { completed: colour.green, failed: colour.red, progress: colour.violet, connected: colour.slate, disconnected: colour.orange, gave_up: colour.red, error: colour.red, refund: colour.amber, unattributed: colour.orange }[what] ??
    (type === 'harness_browser' ? colour.red : colour.grey);
  return { ...at, l: lane('downstream'), n: `${user}${what}`, x: clip(JSON.stringify(ev), max), c };
}

/** The first `cap` events, plus every event a finding points at. */
function keptEvents(r: ScenarioResult, cap: number, max: number): HtmlEvent[] {
  const evidence = new Set(r.findings.flatMap((f) => f.evidence));
  return r.trace.filter((e, i) => i < cap || evidence.has(e.seq)).map((e) => htmlEvent(e, max));
}

/** The data index.html embeds: every result with a clipped view of its trace. */
export function htmlData(results: readonly ScenarioResult[], meta: ReportMeta, limits: HtmlDataLimits = {}): HtmlData {
  const l = { eventsPerResult: limits.eventsPerResult ?? 3000, textChars: limits.textChars ?? 300 };
  const sorted = sortResults(results);
  const groups = [...new Set(sorted.map((r) => groupOf(r.scenario.id)))].sort((a, b) => a - b);
  return {
    meta,
    verdicts: verdictCounts(sorted),
    clients: clientsOf(sorted),
    groups: groups.map((group) => ({ group, title: groupTitle(group) })),
    lanes: timelineLanes,
    limits: l,
    results: sorted.map((r) => ({
      id: r.scenario.id,
      name: r.scenario.name,
      purpose: r.scenario.purpose,
      ...(r.scenario.cites ? { cites: r.scenario.cites } : {}),
      group: groupOf(r.scenario.id),
      client: columnOf(r),
      transport: r.transport,
      seed: r.seed,
      verdict: r.verdict,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      ...(failureTitle(r) ? { failed: failureTitle(r) } : {}),
      ...(r.verdict === 'harness-error' || r.verdict === 'inconclusive' ? { note: verdictNote(r, 30) } : {}),
      findings: r.findings,
      counts: r.counts,
      runMs: r.runMs,
      wallMs: r.wallMs,
      replay: r.replay,
      traceFile: traceFileName(r),
      total: r.trace.length,
      events: keptEvents(r, l.eventsPerResult, l.textChars),
    })),
  };
}
