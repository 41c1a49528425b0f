import { clearOrDeleteRequest, historyEntry, interruptRequest } from '../../protocol/index.ts';
import type { HistoryEntry } from '../../protocol/index.ts';
import type { SimulatorCore } from '../simulator-core.ts';
import { historyResponse } from './history-body.ts';
import { readJsonBody, type JsonBody } from './json-body.ts';
import { decodePercentLenient } from './percent-decoding.ts';
import { queueResponse } from './queue-body.ts';
import { emptyResponse, jsonResponse, textResponse, type SimRequest, type SimResponse } from './types.ts';

/**
 * The queue, history and prompt routes of ComfyUI (comfyui-protocol.md §4). A route answers,
 * or returns undefined to let the next one try (msw's rule: returning nothing falls through).
 */
export interface Route {
  method: string;
  /** Exact path, or a prefix ending in `/*` (the rest is the route's parameter). */
  path: string;
  handle(request: SimRequest, param: string, core: SimulatorCore): SimResponse | Promise<SimResponse> | undefined;
}

export const route = {
  get: (path: string, handle: Route['handle']): Route => ({ method: 'GET', path, handle }),
  post: (path: string, handle: Route['handle']): Route => ({ method: 'POST', path, handle }),
};

/** The body as JSON, no deeper than the simulator's `limits.maxJsonDepth`. */
function readJson(request: SimRequest, core: SimulatorCore): JsonBody {
  return readJsonBody(request, core.limits.maxJsonDepth);
}

function intParam(request: SimRequest, name: string): number | undefined | 'bad' {
  const raw = request.query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) ? value : 'bad';
}

export const comfyRoutes: Route[] = [
  route.post('/prompt', (request, _p, core) => {
    const body = readJson(request, core);
    // Deliberate difference: ComfyUI answers a non-JSON body with a plain-text 500 from an
    // uncaught exception; we answer 400 with a message saying what was wrong. The counter does
    // not advance, as in ComfyUI.
    if (!body.ok) return textResponse(`POST /prompt: ${body.error}`, 400);
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      return textResponse('POST /prompt: the body must be a JSON object like {"prompt": {...}, "client_id": "..."}', 400);
    }
    return core.acceptPrompt(body.value as Record<string, unknown>, request.body.length);
  }),
  route.get('/prompt', (_r, _p, core) => jsonResponse({ exec_info: { queue_remaining: core.queue.remaining() } })),
  route.get('/queue', (_r, _p, core) => queueResponse(core)),
  route.post('/queue', (request, _p, core) => {
    const body = readJson(request, core);
    if (!body.ok) return textResponse(`POST /queue: ${body.error}`, 400);
    const parsed = clearOrDeleteRequest.safeParse(body.value);
    if (!parsed.success) return textResponse('POST /queue: expected {"clear": true} or {"delete": ["<prompt_id>", ...]}', 400);
    if (parsed.data.clear) core.clearPending();
    for (const id of parsed.data.delete ?? []) core.deletePending(id);
    return emptyResponse();
  }),
  route.post('/interrupt', (request, _p, core) => {
    const body = readJson(request, core);
    const parsed = body.ok ? interruptRequest.safeParse(body.value) : undefined;
    core.interrupt(parsed?.success ? parsed.data.prompt_id : undefined);
    return emptyResponse();
  }),
  route.get('/history', (request, _p, core) => {
    const maxItems = intParam(request, 'max_items');
    const offset = intParam(request, 'offset');
    if (maxItems === 'bad' || offset === 'bad') return textResponse('GET /history: max_items and offset must be integers', 400);
    return historyResponse(core, maxItems, offset);
  }),
  route.get('/history/*', (_r, promptId, core) => {
    const entry: HistoryEntry | undefined = core.history.get(promptId);
    return jsonResponse(entry ? { [promptId]: historyEntry.parse(entry) } : {});
  }),
  route.post('/history', (request, _p, core) => {
    const body = readJson(request, core);
    if (!body.ok) return textResponse(`POST /history: ${body.error}`, 400);
    const parsed = clearOrDeleteRequest.safeParse(body.value);
    if (!parsed.success) return textResponse('POST /history: expected {"clear": true} or {"delete": ["<prompt_id>", ...]}', 400);
    if (parsed.data.clear) core.history.clear();
    for (const id of parsed.data.delete ?? []) core.history.delete(id);
    return emptyResponse();
  }),
];

export function matchRoute(routes: readonly Route[], method: string, path: string): { route: Route; param: string }[] {
  const found: { route: Route; param: string }[] = [];
  for (const r of routes) {
    if (r.method !== method) continue;
    if (r.path.endsWith('/*')) {
      const prefix = r.path.slice(0, -1);
      if (path.startsWith(prefix) && path.length > prefix.length) found.push({ route: r, param: decodePercentLenient(path.slice(prefix.length)) });
    } else if (r.path === path) found.push({ route: r, param: '' });
  }
  return found;
}
