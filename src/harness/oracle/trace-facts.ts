import type { TraceEvent } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import { clientRequests, type ClientRequests } from './client-requests.ts';
import { healthyPoint, type HealthyPoint } from './healthy-point.ts';

/**
 * One pass over a run's trace, turned into per-job facts the invariants read. The trace
 * conventions are those of src/harness/result.ts; for traces written before them (the first
 * memory runner) client events may say `job` for `id`, `promptId` for `prompt_id`, and report
 * `interrupted`/`lost` as event types of their own: those are read as `failed` with that reason.
 */

/** Something the client told its user (or a `submitted`), normalised. */
export interface ClientReport {
  seq: number;
  t: number;
  type: 'submitted' | 'progress' | 'completed' | 'failed';
  /** The harness's job id the client named. */
  job: string;
  /** The window that reported it, when the client has windows. */
  window?: string;
  promptId?: string;
  outputs?: unknown;
  reason?: string;
  error?: string;
  value?: number;
  max?: number;
  node?: string;
  /** The server the client says it used (optional extension of `submitted`). */
  server?: string;
  /** Relay runs: the images a `completed` pointed at (from its `/view` URLs), in place of `outputs`. */
  images?: ImageRef[];
}

/** One output image as ComfyUI names it (`/view?filename=..&subfolder=..&type=..`). */
export interface ImageRef {
  filename: string;
  subfolder: string;
  type: string;
}

/** What a relay run adds to the trace (src/harness/relay): the relay, its refunds, its refused submissions. */
export interface RelayFacts {
  name: string;
  start: { seq: number; t: number };
  /** The profile says the relay refunds failed jobs (`refund-once` judges it). */
  refunds: boolean;
  /** Every call of the refund hook. */
  refundCalls: { seq: number; t: number; user?: string; promptId?: string }[];
  /** Submissions the relay did not accept (an error answer, or no answer in time), by job id. */
  submitFailures: Map<string, { seq: number; t: number; message: string }>;
}

/** A server-side event about one prompt (`kind: 'prompt'`). */
export interface ServerEvent {
  seq: number;
  t: number;
  event: string;
  outputs?: Record<string, unknown>;
  /** On `success`: the files its outputs name, with the digest of their bytes (right-outputs). */
  files?: Array<{ filename: string; subfolder: string; type: string; sha256: string }>;
}

export type ServerOutcomeName = 'success' | 'error' | 'interrupted' | 'lost' | 'deleted';
const terminalServerEvents = new Set<string>(['success', 'error', 'interrupted', 'lost', 'deleted']);

/** The server's life of one prompt id. */
export interface PromptFacts {
  promptId: string;
  queued?: ServerEvent & { clientId: string | null };
  /** Every `queued` line of this id: more than one means the same prompt was run again. */
  queuedSeqs: number[];
  /** The first terminal event: what really happened. */
  outcome?: ServerEvent & { event: ServerOutcomeName };
  history?: ServerEvent;
  /** The 200 answer to the POST /prompt that queued it. */
  acknowledged?: { seq: number; t: number };
  /** A `server` tag on the queued event, when the runner's trace carries one (several servers). */
  server?: string;
}

export interface JobFacts {
  id: string;
  window: string;
  /** The harness's `harness_submit`, or (older traces) the first client event about the job. */
  submit?: { seq: number; t: number; server?: string; byHarness: boolean };
  cancel?: { seq: number; t: number };
  promptId?: string;
  /** Where the prompt id came from: the client's `submitted`, or matched to a queued prompt by client id and order. */
  promptIdFrom?: 'client' | 'server-queue';
  prompt?: PromptFacts;
  /** The client's `submitted` events. */
  submitted: ClientReport[];
  /** `completed` and `failed` reports, in trace order. */
  reports: ClientReport[];
  progress: ClientReport[];
}

export interface Connection {
  conn: number;
  clientId: string | null;
  /** The simulated server it reached, when the run has several (the trace's `server` tag). */
  server?: string;
  open: { seq: number; t: number };
  close?: { seq: number; t: number; code: number; by: string };
}

/** A GET /history or /history/{id}, whatever it answered. */
export interface HistoryPoll {
  seq: number;
  t: number;
  status: number;
  /** The prompt id asked about (GET /history/{id}); undefined for the whole history. */
  promptId?: string;
  /** Prompt ids the answer showed (200 with an entry). */
  found: string[];
  server?: string;
}

export interface ClientExit {
  seq: number;
  t: number;
  code?: unknown;
  signal?: unknown;
  stderr?: string;
}

export interface TraceFacts {
  /** Jobs in submission order. */
  jobs: JobFacts[];
  job: Map<string, JobFacts>;
  prompts: Map<string, PromptFacts>;
  /** The job a prompt id belongs to. */
  jobOfPrompt: Map<string, string>;
  /** Every client report, in trace order (for isolation). */
  clientReports: ClientReport[];
  /** Client reports naming a job the harness never submitted. */
  strays: ClientReport[];
  connections: Connection[];
  historyPolls: HistoryPoll[];
  exits: ClientExit[];
  /** The harness's `client_error` lines: `problem` is the ClientProblem kind (`junk`, `shutdown`, `flood`, `crash`, ..., `start`). */
  clientErrors: { seq: number; t: number; message: string; problem?: string; detail?: unknown }[];
  /** When the network and the server were last made whole again. */
  healthy: HealthyPoint;
  /** Faults the simulator applied (frame, connection, HTTP, restart), in trace order. */
  faults: { seq: number; t: number; faultType: string; fault: string }[];
  /** The client's refused submissions and cancel requests, with their answers (who is to blame). */
  requests: ClientRequests;
  /** Relay runs only. */
  relay?: RelayFacts;
  /** When the harness started to shut the client down: what follows is not the client's doing. */
  shutdown?: { seq: number; t: number };
  runEnd: { seq: number; t: number };
}

type Loose = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const tag = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** Reads one `kind: 'client'` event as a report, or undefined for harness and log events. */
function clientReport(e: Extract<TraceEvent, { kind: 'client' }>): ClientReport | undefined {
  const ev = e.event as Loose;
  let type = str(ev.type);
  let reason = str(ev.reason);
  if (type === 'interrupted' || type === 'lost') {
    reason ??= type;
    type = 'failed';
  }
  if (type !== 'submitted' && type !== 'progress' && type !== 'completed' && type !== 'failed') return undefined;
  const job = str(ev.id) ?? str(ev.job);
  if (job === undefined) return undefined;
  const r: ClientReport = { seq: e.seq, t: e.t, type, job };
  const window = str(ev.window);
  const promptId = str(ev.prompt_id) ?? str(ev.promptId);
  if (window !== undefined) r.window = window;
  if (promptId !== undefined) r.promptId = promptId;
  if ('outputs' in ev) r.outputs = ev.outputs;
  if (reason !== undefined) r.reason = reason;
  if (str(ev.error) !== undefined) r.error = str(ev.error);
  if (num(ev.value) !== undefined) r.value = num(ev.value);
  if (num(ev.max) !== undefined) r.max = num(ev.max);
  if (str(ev.node) !== undefined) r.node = str(ev.node);
  if (Array.isArray(ev.images)) r.images = ev.images.filter((i): i is ImageRef => typeof i === 'object' && i !== null && typeof (i as Loose).filename === 'string');
  if (tag(ev.server) !== undefined) r.server = tag(ev.server);
  return r;
}

/** The trace's `server` tag (which simulated server wrote the line), as a string. */
function serverTag(e: TraceEvent): { server?: string } {
  return e.server === undefined ? {} : { server: String(e.server) };
}

function stripApi(path: string): string {
  return path === '/api' ? '/' : path.startsWith('/api/') ? path.slice(4) : path;
}

function jsonOf(text: string | undefined): Loose | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the facts of one run's trace, in one pass plus a matching step for unreported prompt ids. */
export function traceFacts(trace: readonly TraceEvent[], scenario: Scenario): TraceFacts {
  const jobs: JobFacts[] = [];
  const job = new Map<string, JobFacts>();
  const prompts = new Map<string, PromptFacts>();
  const clientReports: ClientReport[] = [];
  const connections = new Map<number, Connection>();
  const historyGets: { seq: number; t: number; path: string; status: number; response?: string; server?: string }[] = [];
  const exits: ClientExit[] = [];
  const clientErrors: TraceFacts['clientErrors'] = [];
  const faults: TraceFacts['faults'] = [];
  let relay: RelayFacts | undefined;
  let shutdown: TraceFacts['shutdown'];
  const scenarioWindow = new Map(scenario.jobs.map((j) => [j.id, j.window]));
  let runEnd = { seq: 0, t: 0 };

  const jobFor = (id: string, window?: string): JobFacts => {
    let facts = job.get(id);
    if (!facts) {
      facts = { id, window: window ?? scenarioWindow.get(id) ?? 'main', submitted: [], reports: [], progress: [] };
      job.set(id, facts);
      jobs.push(facts);
    }
    return facts;
  };
  const promptFor = (promptId: string): PromptFacts => {
    let p = prompts.get(promptId);
    if (!p) prompts.set(promptId, (p = { promptId, queuedSeqs: [] }));
    return p;
  };

  for (const e of trace) {
    if (e.seq >= runEnd.seq) runEnd = { seq: e.seq, t: e.t };
    switch (e.kind) {
      case 'client': {
        const ev = e.event as Loose;
        const type = str(ev.type);
        if (type === 'harness_submit') {
          const id = str(ev.id);
          if (id === undefined) break;
          const facts = jobFor(id, str(ev.window));
          const window = str(ev.window);
          if (window !== undefined) facts.window = window;
          const server = tag(ev.server);
          facts.submit = { seq: e.seq, t: e.t, byHarness: true, ...(server === undefined ? {} : { server }) };
        } else if (type === 'harness_cancel') {
          const id = str(ev.id);
          if (id !== undefined) jobFor(id).cancel = { seq: e.seq, t: e.t };
        } else if (type === 'client_exit') {
          // The runner writes the stderr tail as lines; older traces as one string.
          const stderr = Array.isArray(ev.stderr) ? ev.stderr.map(String).join('\n') : str(ev.stderr);
          exits.push({ seq: e.seq, t: e.t, code: ev.code, signal: ev.signal, ...(stderr === undefined ? {} : { stderr }) });
        } else if (type === 'client_error') {
          const problem = str(ev.problem);
          clientErrors.push({ seq: e.seq, t: e.t, message: str(ev.message) ?? JSON.stringify(ev), ...(problem === undefined ? {} : { problem }), ...(ev.detail == null ? {} : { detail: ev.detail }) });
        } else if (type === 'relay_start') {
          relay = { name: str(ev.relay) ?? 'relay', start: { seq: e.seq, t: e.t }, refunds: ev.refunds === true, refundCalls: [], submitFailures: new Map() };
        } else if (type === 'refund') {
          relay?.refundCalls.push({ seq: e.seq, t: e.t, ...(str(ev.user) === undefined ? {} : { user: str(ev.user) }), ...(str(ev.prompt_id) === undefined ? {} : { promptId: str(ev.prompt_id) }) });
        } else if (type === 'submit_failed') {
          const id = str(ev.id);
          if (id !== undefined && !relay?.submitFailures.has(id)) relay?.submitFailures.set(id, { seq: e.seq, t: e.t, message: str(ev.message) ?? 'refused' });
        } else if (type === 'harness_shutdown') {
          shutdown ??= { seq: e.seq, t: e.t };
        } else {
          const r = clientReport(e);
          if (r) clientReports.push(r);
        }
        break;
      }
      case 'prompt': {
        const p = promptFor(e.promptId);
        const server = tag(e.server);
        const se: ServerEvent = { seq: e.seq, t: e.t, event: e.event, ...(e.outputs ? { outputs: e.outputs } : {}), ...(e.files ? { files: e.files } : {}) };
        if (e.event === 'queued') p.queuedSeqs.push(e.seq);
        if (e.event === 'queued' && !p.queued) {
          p.queued = { ...se, clientId: e.clientId ?? null };
          if (server !== undefined) p.server = server;
        } else if (terminalServerEvents.has(e.event) && !p.outcome) {
          p.outcome = { ...se, event: e.event as ServerOutcomeName };
        } else if (e.event === 'history_written' && !p.history) p.history = se;
        break;
      }
      case 'http': {
        const path = stripApi(e.path);
        if (e.method === 'POST' && path === '/prompt' && e.status === 200) {
          const id = str(jsonOf(e.response)?.prompt_id) ?? str(jsonOf(e.request)?.prompt_id);
          if (id !== undefined && !promptFor(id).acknowledged) promptFor(id).acknowledged = { seq: e.seq, t: e.t };
        } else if (e.method === 'GET' && (path === '/history' || path.startsWith('/history/'))) {
          historyGets.push({ seq: e.seq, t: e.t, path, status: e.status, ...(e.response === undefined ? {} : { response: e.response }), ...serverTag(e) });
        }
        break;
      }
      case 'fault':
        faults.push({ seq: e.seq, t: e.t, faultType: e.faultType, fault: e.fault });
        break;
      case 'ws_connect':
        connections.set(e.conn, { conn: e.conn, clientId: e.clientId, open: { seq: e.seq, t: e.t }, ...serverTag(e) });
        break;
      case 'ws_close': {
        const c = connections.get(e.conn);
        if (c && !c.close) c.close = { seq: e.seq, t: e.t, code: e.code, by: e.by };
        break;
      }
      default:
        break;
    }
  }

  // Jobs of older traces (no harness_submit) are known from the client's own events.
  for (const r of clientReports) {
    const known = job.get(r.job);
    if (!known && scenarioWindow.has(r.job)) jobFor(r.job);
  }
  const strays: ClientReport[] = [];
  for (const r of clientReports) {
    const facts = job.get(r.job);
    if (!facts) {
      strays.push(r);
      continue;
    }
    facts.submit ??= { seq: r.seq, t: r.t, byHarness: false };
    // A report from another window is a leak (isolation judges it), not something the owner was told.
    if (r.window !== undefined && r.window !== facts.window && facts.submit.byHarness) continue;
    if (r.type === 'submitted') facts.submitted.push(r);
    else if (r.type === 'progress') facts.progress.push(r);
    else facts.reports.push(r);
  }
  jobs.sort((a, b) => (a.submit?.seq ?? Infinity) - (b.submit?.seq ?? Infinity));

  const jobOfPrompt = new Map<string, string>();
  for (const facts of jobs) {
    const reported = facts.submitted.find((s) => s.promptId !== undefined)?.promptId;
    if (reported !== undefined && !jobOfPrompt.has(reported)) {
      facts.promptId = reported;
      facts.promptIdFrom = 'client';
      jobOfPrompt.set(reported, facts.id);
    }
  }
  matchQueuedPrompts(jobs, prompts, jobOfPrompt);
  for (const facts of jobs) if (facts.promptId !== undefined) facts.prompt = promptFor(facts.promptId);

  const historyPolls: HistoryPoll[] = historyGets.map((h) => {
    const single = h.path.startsWith('/history/') ? decodeURIComponent(h.path.slice('/history/'.length)) : undefined;
    const body = (h.status === 200 ? jsonOf(h.response) : undefined) ?? {};
    const found = single !== undefined ? (single in body ? [single] : []) : Object.keys(body);
    return { seq: h.seq, t: h.t, status: h.status, found, ...(single === undefined ? {} : { promptId: single }), ...(h.server === undefined ? {} : { server: h.server }) };
  });

  return {
    jobs,
    job,
    prompts,
    jobOfPrompt,
    clientReports,
    strays,
    connections: [...connections.values()],
    historyPolls,
    exits,
    clientErrors,
    healthy: healthyPoint(trace, scenario),
    runEnd,
    faults,
    requests: clientRequests(trace),
    ...(relay ? { relay } : {}),
    ...(shutdown ? { shutdown } : {}),
  };
}

/**
 * A client that never said which prompt id a job got: match it to the server's queued prompts,
 * in submission order, by the client id its window is known to use (learnt from its other jobs),
 * or to the first unclaimed queued prompt no other window is known to own.
 */
function matchQueuedPrompts(jobs: JobFacts[], prompts: Map<string, PromptFacts>, jobOfPrompt: Map<string, string>): void {
  const clientIdsOf = new Map<string, Set<string>>();
  const windowOfClientId = new Map<string, string>();
  const learn = (window: string, clientId: string | null | undefined) => {
    if (!clientId) return;
    let set = clientIdsOf.get(window);
    if (!set) clientIdsOf.set(window, (set = new Set()));
    set.add(clientId);
    windowOfClientId.set(clientId, window);
  };
  for (const facts of jobs) if (facts.promptId !== undefined) learn(facts.window, prompts.get(facts.promptId)?.queued?.clientId);
  const queued = [...prompts.values()].filter((p) => p.queued && !jobOfPrompt.has(p.promptId)).sort((a, b) => a.queued!.seq - b.queued!.seq);
  for (const facts of jobs) {
    if (facts.promptId !== undefined || !facts.submit) continue;
    const mine = clientIdsOf.get(facts.window);
    const match = queued.find((p) => {
      if (jobOfPrompt.has(p.promptId) || p.queued!.seq < facts.submit!.seq) return false;
      const clientId = p.queued!.clientId;
      if (mine) return clientId !== null && mine.has(clientId);
      return clientId === null || !windowOfClientId.has(clientId);
    });
    if (!match) continue;
    facts.promptId = match.promptId;
    facts.promptIdFrom = 'server-queue';
    jobOfPrompt.set(match.promptId, facts.id);
    learn(facts.window, match.queued!.clientId);
  }
}

/** The client id a job's prompt was queued with (its window's socket identity), if known. */
export function clientIdOf(facts: JobFacts): string | null | undefined {
  return facts.prompt?.queued?.clientId;
}

/** The terminal reports of a job, completed ones only. */
export function completions(facts: JobFacts): ClientReport[] {
  return facts.reports.filter((r) => r.type === 'completed');
}
