/**
 * Synthetic results for the report tests: a small, deterministic trace of one ComfyUI job (socket,
 * frames, HTTP, server ground truth, client events), optionally cut by a fault, and results of
 * every verdict built on it. No simulator: the report is tested on data alone.
 */
import type { TraceEvent } from '../../../../src/protocol/index.ts';
import type { Finding, ScenarioResult } from '../../../../src/harness/result.ts';
import { emptyRunCounts } from '../../../../src/harness/report/index.ts';

type Input = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 'wall'> : never) : never;

export interface JobTraceOptions {
  client?: string;
  promptId?: string;
  /** Progress steps, one every 300 ms [default 5]. */
  steps?: number;
  /** Cut the socket (1006) before `executed`. */
  terminateBeforeExecuted?: boolean;
  /** After a cut, does the client come back and resync? [default true] */
  reconnects?: boolean;
  /** Garbage and a BOM before the first status frame. */
  garbage?: boolean;
  /** Toxiproxy latency toxic during the run. */
  toxic?: boolean;
}

/** A trace of one job, with the seq of the events tests point at. */
export function jobTrace(options: JobTraceOptions = {}): { trace: TraceEvent[]; seq: Record<string, number> } {
  const client = options.client ?? 'reference';
  const pid = options.promptId ?? 'a1b2c3d4-0000-4000-8000-000000000001';
  const trace: TraceEvent[] = [];
  const seq: Record<string, number> = {};
  const add = (e: Input, name?: string) => {
    const event = { ...e, seq: trace.length, wall: 1_700_000_000_000 + e.t } as TraceEvent;
    trace.push(event);
    if (name) seq[name] = event.seq;
  };
  const send = (t: number, conn: number, type: string, data: unknown, name?: string) =>
    add({ kind: 'ws_send', t, conn, frame: { text: JSON.stringify({ type, data }) }, msgType: type, promptId: (data as { prompt_id?: string }).prompt_id ?? null }, name);
  const said = (t: number, event: Record<string, unknown>, name?: string) => add({ kind: 'client', t, client, event: { job: 'j1', promptId: pid, ...event } }, name);

  add({ kind: 'server', t: 0, event: 'start' });
  add({ kind: 'ws_connect', t: 0, conn: 1, clientId: 'c0ffee', sid: 'c0ffee' });
  if (options.garbage) {
    add({ kind: 'ws_send', t: 0, conn: 1, frame: { text: '\uFEFFgarbage{"type":' }, msgType: null, promptId: null });
    add({ kind: 'ws_send', t: 1, conn: 1, frame: { base64: 'AAAAAQAAAAE=', bytes: 8 }, msgType: 'binary', promptId: null });
  }
  send(0, 1, 'status', { status: { exec_info: { queue_remaining: 0 } }, sid: 'c0ffee' });
  if (options.toxic) add({ kind: 'toxic', t: 5, action: 'add', detail: { type: 'latency', stream: 'downstream', latency: 800, jitter: 400 } });
  add({ kind: 'client', t: 10, client, event: { type: 'harness_submit', id: 'j1', window: 'main', server: 1 } });
  add({ kind: 'http', t: 12, method: 'POST', path: '/prompt', query: '', status: 200, request: JSON.stringify({ prompt: { '1': { class_type: 'SimSleep', inputs: { steps: 5 } } }, client_id: 'c0ffee' }), response: JSON.stringify({ prompt_id: pid, number: 0 }) });
  add({ kind: 'prompt', t: 12, event: 'queued', promptId: pid, number: 0, clientId: 'c0ffee' }, 'queued');
  said(12, { type: 'submitted' });
  add({ kind: 'prompt', t: 30, event: 'started', promptId: pid });
  send(30, 1, 'execution_start', { prompt_id: pid, timestamp: 1 });
  send(30, 1, 'executing', { node: '1', prompt_id: pid });
  const steps = options.steps ?? 5;
  let t = 30;
  for (let i = 1; i <= steps; i++) {
    t += 300;
    send(t, 1, 'progress', { value: i, max: steps, prompt_id: pid, node: '1' });
    said(t + 40, { type: 'progress', value: i, max: steps, node: '1' });
  }
  t += 20;
  let conn = 1;
  if (options.terminateBeforeExecuted) {
    add({ kind: 'fault', t, fault: 'terminate before executed', faultType: 'terminate', detail: 'before executed' }, 'fault');
    add({ kind: 'ws_close', t, conn: 1, code: 1006, by: 'client' }, 'close');
    add({ kind: 'prompt', t: t + 1, event: 'success', promptId: pid, outputs: { '2': { text: ['x'] } } }, 'success');
    add({ kind: 'prompt', t: t + 1, event: 'history_written', promptId: pid });
    if (options.reconnects === false) {
      add({ kind: 'note', t: t + 500, message: 'network healthy' }, 'healthy');
      add({ kind: 'client', t: 35_000, client, event: { type: 'client_exit', code: 0, signal: null, stderr: '' } }, 'exit');
      add({ kind: 'server', t: 35_000, event: 'stop' });
      return { trace, seq };
    }
    conn = 2;
    t += 400;
    add({ kind: 'ws_connect', t, conn, clientId: 'c0ffee', sid: 'c0ffee' }, 'reconnect');
    send(t, conn, 'status', { status: { exec_info: { queue_remaining: 0 } }, sid: 'c0ffee' });
    add({ kind: 'http', t: t + 5, method: 'GET', path: `/history/${pid}`, query: '', status: 200, response: JSON.stringify({ [pid]: { outputs: { '2': { text: ['x'] } }, status: { completed: true } } }) });
    said(t + 6, { type: 'completed', outputs: { '2': { text: ['x'] } } }, 'completed');
  } else {
    send(t, conn, 'executed', { node: '2', output: { text: ['x'] }, prompt_id: pid });
    add({ kind: 'prompt', t, event: 'success', promptId: pid, outputs: { '2': { text: ['x'] } } }, 'success');
    send(t, conn, 'execution_success', { prompt_id: pid, timestamp: 2 });
    send(t, conn, 'executing', { node: null, prompt_id: pid });
    add({ kind: 'http', t: t + 5, method: 'GET', path: `/history/${pid}`, query: '', status: 200, response: '{}' });
    said(t + 6, { type: 'completed', outputs: { '2': { text: ['x'] } } }, 'completed');
  }
  add({ kind: 'ws_close', t: t + 2000, conn, code: 1000, by: 'client' });
  add({ kind: 'server', t: t + 2000, event: 'stop' });
  return { trace, seq };
}

interface ResultOptions {
  id: string;
  name: string;
  purpose?: string;
  cites?: string;
  client?: string;
  verdict: ScenarioResult['verdict'];
  reason?: string;
  findings?: Finding[];
  trace?: TraceEvent[];
}

export function result(o: ResultOptions): ScenarioResult {
  const trace = o.trace ?? [];
  const last = trace.at(-1)?.t ?? 0;
  const client = o.client ?? 'reference';
  return {
    scenario: { id: o.id, name: o.name, purpose: o.purpose ?? `Purpose of ${o.name}`, ...(o.cites ? { cites: o.cites } : {}) },
    client,
    transport: 'network',
    seed: 42,
    verdict: o.verdict,
    ...(o.reason ? { reason: o.reason } : {}),
    findings: o.findings ?? [],
    counts: o.verdict === 'skipped' ? emptyRunCounts() : { ...emptyRunCounts(), acknowledged: 1, completedOnServer: 1, reported: o.verdict === 'fail' ? 0 : 1, lost: o.verdict === 'fail' ? 1 : 0 },
    runMs: last,
    wallMs: 120 + trace.length,
    replay: `comfy-chaos run --client ${client.includes(' ') ? `"${client}"` : client} --scenario ${o.id} --seed 42`,
    trace,
  };
}

export const NAIVE = 'node clients/naive-no-reconnect.js';

/** Results of every verdict over two clients, one of them a command line. */
export function sampleResults(): ScenarioResult[] {
  const cut = jobTrace({ terminateBeforeExecuted: true });
  const lost = jobTrace({ terminateBeforeExecuted: true, reconnects: false, client: NAIVE });
  const slow = jobTrace({ toxic: true, steps: 8 });
  return [
    result({ id: '1.1', name: 'bom-garbage-and-heartbeats', purpose: 'A BOM, garbage and a binary frame do not break the client', verdict: 'pass', trace: jobTrace({ garbage: true }).trace }),
    result({ id: '1.1', name: 'bom-garbage-and-heartbeats', client: NAIVE, purpose: 'A BOM, garbage and a binary frame do not break the client', verdict: 'pass', trace: jobTrace({ garbage: true, client: NAIVE }).trace }),
    result({ id: '2.3', name: 'terminate-between-executing-and-executed', purpose: 'The socket dies (1006) just before executed: the job completes exactly once via resync', verdict: 'pass', trace: cut.trace }),
    result({
      id: '2.3',
      name: 'terminate-between-executing-and-executed',
      purpose: 'The socket dies (1006) just before executed: the job completes exactly once via resync',
      client: NAIVE,
      verdict: 'fail',
      reason: 'no-lost-completion: job j1 succeeded on the server and was never reported',
      findings: [
        { invariant: 'no-lost-completion', job: 'j1', message: 'succeeded on the server, never reported completed within 30000 ms of the network being healthy', evidence: [lost.seq.success!, lost.seq.close!, lost.seq.healthy!] },
        { invariant: 'no-hang', job: 'j1', message: 'still pending when the client exited', evidence: [lost.seq.exit!] },
      ],
      trace: lost.trace,
    }),
    result({ id: '4.2', name: 'latency-and-jitter', purpose: '800 ms latency with 400 ms jitter downstream: the job completes, late', verdict: 'degraded', reason: 'j1 reported 6.1 s after the server finished it (latency bound 5 s)', trace: slow.trace }),
    result({ id: '4.2', name: 'latency-and-jitter', purpose: '800 ms latency with 400 ms jitter downstream: the job completes, late', client: NAIVE, verdict: 'skipped', reason: 'no Toxiproxy provider: set TOXIPROXY_URL, put toxiproxy-server on PATH, or start Docker' }),
    result({
      id: '3.2',
      name: 'history-5xx-twice',
      purpose: '/history answers 503 twice: the client retries and completes',
      verdict: 'pass',
      findings: [{ invariant: 'no-lost-completion', job: 'j1', message: 'recovered only by polling <history> & "retries"', evidence: [cut.seq.completed!], informational: true }],
      trace: cut.trace,
    }),
    result({ id: '7.1', name: 'deaf-same-clientid-reconnect', cites: 'Comfy-Org/ComfyUI#16010', purpose: 'After a same-clientId reconnect the socket is deaf; the client recovers', verdict: 'pass', trace: cut.trace }),
  ];
}
