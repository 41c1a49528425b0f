import type { HistoryEntry, QueueItem } from '../../protocol/index.ts';
import { toQueueItem } from '../engine/prompt-queue.ts';
import type { SimulatorCore } from '../simulator-core.ts';
import { route, type Route } from './comfy-routes.ts';
import { jsonResponse, type SimRequest, type SimResponse } from './types.ts';

/**
 * The jobs API of a current ComfyUI (profile `jobsApi`; Comfy-Org/ComfyUI server.py 5e14d797 and
 * comfy_execution/jobs.py 172be438): one view of queue and history per prompt. Registered at
 * `/api/jobs` itself, so the bare `/jobs` is a 404 (the simulator keeps `/api/jobs` paths as they are).
 * Without the profile flag every route falls through to 404.
 */

const STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
const PREVIEWABLE = new Set(['images', 'video', 'audio', '3d', 'text']);
type Job = Record<string, unknown>;

/** Python's prune_dict: keys whose value is None are left out. */
function pruned(fields: Record<string, unknown>): Job {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}

function workflowIdOf(extraData: Record<string, unknown>): unknown {
  const info = extraData.extra_pnginfo as { workflow?: { id?: unknown } } | undefined;
  return info?.workflow?.id;
}

function fromQueue(item: QueueItem, status: 'pending' | 'in_progress', detail: boolean): Job {
  const [priority, id, prompt, extraData] = item;
  const job = pruned({ id, status, priority, create_time: extraData.create_time, outputs_count: 0, previewable_outputs_count: 0, workflow_id: workflowIdOf(extraData) });
  if (detail) job.workflow = { prompt, extra_data: extraData };
  return job;
}

function outputsSummary(outputs: HistoryEntry['outputs']): { count: number; previewable: number; preview: Job | undefined } {
  let count = 0;
  let previewable = 0;
  let saved: Job | undefined;
  let other: Job | undefined;
  for (const [nodeId, byMedia] of Object.entries(outputs)) {
    for (const [mediaType, items] of Object.entries(byMedia as Record<string, unknown>)) {
      if (mediaType === 'animated' || !Array.isArray(items)) continue;
      for (const item of items) {
        if (typeof item !== 'object' || item === null) continue; // text strings are preview metadata, not outputs
        count++;
        if (!PREVIEWABLE.has(mediaType)) continue;
        previewable++;
        const enriched = { ...(item as Job), nodeId, mediaType };
        if ((item as Job).type === 'output') saved ??= enriched;
        else other ??= enriched;
      }
    }
  }
  return { count, previewable, preview: saved ?? other };
}

function fromHistory(id: string, entry: HistoryEntry, detail: boolean): Job {
  const [priority, , prompt, extraData] = entry.prompt;
  let start: unknown;
  let end: unknown;
  let error: unknown;
  let interrupted = false;
  for (const [type, data] of entry.status.messages) {
    if (type === 'execution_start') start = data.timestamp;
    if (type === 'execution_success' || type === 'execution_error' || type === 'execution_interrupted') end = data.timestamp;
    if (type === 'execution_error') error = data;
    if (type === 'execution_interrupted') interrupted = true;
  }
  const status = entry.status.status_str === 'error' ? (interrupted ? 'cancelled' : 'failed') : 'completed';
  const summary = outputsSummary(entry.outputs);
  const job = pruned({
    id,
    status,
    priority,
    create_time: extraData.create_time,
    execution_start_time: start,
    execution_end_time: end,
    execution_error: error,
    outputs_count: summary.count,
    previewable_outputs_count: summary.previewable,
    preview_output: summary.preview,
    workflow_id: workflowIdOf(extraData),
  });
  if (detail) Object.assign(job, { outputs: entry.outputs, execution_status: entry.status, workflow: { prompt, extra_data: extraData } });
  return job;
}

function allJobs(core: SimulatorCore): Job[] {
  const jobs: Job[] = [];
  if (core.queue.running) jobs.push(fromQueue(toQueueItem(core.queue.running), 'in_progress', false));
  for (const p of core.queue.pending) jobs.push(fromQueue(toQueueItem(p), 'pending', false));
  for (const [id, entry] of Object.entries(core.history.list())) jobs.push(fromHistory(id, entry, false));
  return jobs;
}

function listJobs(request: SimRequest, core: SimulatorCore): SimResponse {
  const q = request.query;
  const statuses = q.get('status')?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const invalid = statuses?.filter((s) => !(STATUSES as readonly string[]).includes(s)) ?? [];
  if (invalid.length) return jsonResponse({ error: `Invalid status value(s): ${invalid.join(', ')}. Valid values: ${STATUSES.join(', ')}` }, 400);
  const sortBy = (q.get('sort_by') ?? 'created_at').toLowerCase();
  if (sortBy !== 'created_at' && sortBy !== 'execution_duration') return jsonResponse({ error: "sort_by must be 'created_at' or 'execution_duration'" }, 400);
  const order = (q.get('sort_order') ?? 'desc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') return jsonResponse({ error: "sort_order must be 'asc' or 'desc'" }, 400);
  let limit: number | null = null;
  if (q.has('limit')) {
    limit = Number(q.get('limit'));
    if (!Number.isInteger(limit)) return jsonResponse({ error: 'limit must be an integer' }, 400);
    if (limit <= 0) return jsonResponse({ error: 'limit must be a positive integer' }, 400);
  }
  let offset = 0;
  if (q.has('offset')) {
    offset = Number(q.get('offset'));
    if (!Number.isInteger(offset)) return jsonResponse({ error: 'offset must be an integer' }, 400);
    offset = Math.max(0, offset);
  }
  const workflowId = q.get('workflow_id');
  const key = (job: Job) =>
    sortBy === 'created_at' ? Number(job.create_time ?? 0) : Number(job.execution_end_time ?? 0) - Number(job.execution_start_time ?? 0);
  const matching = allJobs(core)
    .filter((j) => !statuses || statuses.includes(j.status as string))
    .filter((j) => workflowId === null || j.workflow_id === workflowId)
    .sort((a, b) => (order === 'desc' ? key(b) - key(a) : key(a) - key(b)));
  const page = matching.slice(offset, limit === null ? undefined : offset + limit);
  return jsonResponse({ jobs: page, pagination: { offset, limit, total: matching.length, has_more: offset + page.length < matching.length } });
}

function readJob(id: string, core: SimulatorCore): SimResponse {
  const entry = core.history.get(id);
  if (entry) return jsonResponse(fromHistory(id, entry, true));
  if (core.queue.running?.promptId === id) return jsonResponse(fromQueue(toQueueItem(core.queue.running), 'in_progress', true));
  const pending = core.queue.pending.find((p) => p.promptId === id);
  if (pending) return jsonResponse(fromQueue(toQueueItem(pending), 'pending', true));
  return jsonResponse({ error: 'Job not found' }, 404);
}

/** Interrupts a running job (only if it is still the one running), dequeues a pending one; anything else is a no-op. */
function cancelJob(id: string, core: SimulatorCore): boolean {
  if (core.queue.running?.promptId === id) {
    core.interrupt(id);
    return true;
  }
  if (core.queue.pending.some((p) => p.promptId === id)) {
    core.deletePending(id);
    return true;
  }
  return false;
}

const when = (handle: (request: SimRequest, param: string, core: SimulatorCore) => SimResponse): Route['handle'] =>
  (request, param, core) => (core.profile.jobsApi ? handle(request, param, core) : undefined);

export const jobsRoutes: Route[] = [
  route.get('/api/jobs', when((request, _p, core) => listJobs(request, core))),
  route.post('/api/jobs/cancel', when((request, _p, core) => {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(request.body));
    } catch {
      return jsonResponse({ error: 'Request body must be valid JSON' }, 400);
    }
    const ids = typeof body === 'object' && body !== null ? (body as { job_ids?: unknown }).job_ids : undefined;
    if (!Array.isArray(ids)) return jsonResponse({ error: 'job_ids must be a list' }, 400);
    const invalid = ids.filter((id) => typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
    if (invalid.length) return jsonResponse({ error: 'job_ids contains invalid id(s)', invalid_ids: invalid.map((id) => (typeof id === 'string' ? id : JSON.stringify(id))) }, 400);
    let cancelled = false;
    for (const id of ids as string[]) if (cancelJob(id, core)) cancelled = true;
    return jsonResponse({ cancelled });
  })),
  { method: 'POST', path: '/api/jobs/*', handle: when((_r, param, core) => {
    const match = /^([^/]+)\/cancel$/.exec(param);
    return match ? jsonResponse({ cancelled: cancelJob(match[1]!, core) }) : jsonResponse({ error: 'Not Found' }, 404);
  }) },
  route.get('/api/jobs/*', when((_r, id, core) => readJob(id, core))),
];
