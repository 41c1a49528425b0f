import type { TraceEvent } from '../../protocol/index.ts';

/**
 * The client's own requests that decide who is to blame for an outcome (issue 12, points 3 and 5):
 * submissions the server refused (5xx, 429: nothing was queued), and the requests a client sends
 * to cancel (POST /queue with `delete`, POST /interrupt, global or with a `prompt_id`, and the jobs
 * API's POST /api/jobs/{id}/cancel and POST /api/jobs/cancel {job_ids} that frontend 1.58 sends),
 * each with the answer it got, so a finding can show the request and the response as evidence.
 */

export interface ClientRequest {
  seq: number;
  t: number;
  method: string;
  /** Without the `/api` prefix. */
  path: string;
  status: number;
  /** The body as the trace holds it (clipped by the simulator). */
  request?: string;
  response?: string;
  server?: string;
}

export interface CancelRequest extends ClientRequest {
  kind: 'queue-delete' | 'interrupt' | 'job-cancel';
  /** POST /interrupt with no `prompt_id`: it interrupts whatever runs, whoever submitted it. */
  global: boolean;
  /** The prompt ids it names (`delete` list, or the interrupt's `prompt_id`), when its body was JSON. */
  promptIds: string[];
}

export interface ClientRequests {
  /** POST /prompt answered 5xx or 429: refused, nothing queued. */
  refusedSubmissions: ClientRequest[];
  cancels: CancelRequest[];
}

const stripApi = (path: string) => (path === '/api' ? '/' : path.startsWith('/api/') ? path.slice(4) : path);

function json(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function clientRequests(trace: readonly TraceEvent[]): ClientRequests {
  const out: ClientRequests = { refusedSubmissions: [], cancels: [] };
  for (const e of trace) {
    if (e.kind !== 'http' || e.method !== 'POST') continue;
    const path = stripApi(e.path);
    const base: ClientRequest = {
      seq: e.seq,
      t: e.t,
      method: e.method,
      path,
      status: e.status,
      ...(e.request === undefined ? {} : { request: e.request }),
      ...(e.response === undefined ? {} : { response: e.response }),
      ...(e.server === undefined ? {} : { server: String(e.server) }),
    };
    if (path === '/prompt' && (e.status >= 500 || e.status === 429)) out.refusedSubmissions.push(base);
    const body = json(e.request);
    if (path === '/queue' && (body === undefined || 'delete' in body || 'clear' in body)) {
      const ids = Array.isArray(body?.delete) ? body.delete.filter((x): x is string => typeof x === 'string') : [];
      out.cancels.push({ ...base, kind: 'queue-delete', global: body?.clear === true, promptIds: ids });
    } else if (path === '/interrupt') {
      const id = typeof body?.prompt_id === 'string' ? body.prompt_id : undefined;
      out.cancels.push({ ...base, kind: 'interrupt', global: id === undefined, promptIds: id === undefined ? [] : [id] });
    } else if (path === '/jobs/cancel') {
      const ids = Array.isArray(body?.job_ids) ? body.job_ids.filter((x): x is string => typeof x === 'string') : [];
      out.cancels.push({ ...base, kind: 'job-cancel', global: false, promptIds: ids });
    } else {
      const one = /^\/jobs\/([^/]+)\/cancel$/.exec(path);
      if (one) out.cancels.push({ ...base, kind: 'job-cancel', global: false, promptIds: [decodeURIComponent(one[1]!)] });
    }
  }
  return out;
}

/** `POST /interrupt {"prompt_id":"…"} answered 400 "…" (trace line n)`, clipped, for messages; `withBody: false` leaves the request body out (a prompt). */
export function describeRequest(r: ClientRequest, withBody = true): string {
  const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);
  const body = !withBody ? '' : r.request === undefined ? ' (no body)' : ` ${clip(r.request)}`;
  const answer = r.response === undefined ? '' : ` ${JSON.stringify(clip(r.response))}`;
  return `${r.method} ${r.path}${body} answered ${r.status}${answer} (trace line ${r.seq})`;
}
