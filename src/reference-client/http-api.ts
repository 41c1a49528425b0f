import { z } from 'zod';
import {
  historyStatusMessage,
  nodeOutput,
  postPromptOk,
  postPromptRejected,
  uploadImageReply,
  type ApiPrompt,
  type Clock,
  type FetchLike,
  type PostPromptOk,
  type RequestInitLike,
  type ResponseLike,
  type UploadImageReply,
} from '../protocol/index.ts';
import { ReferenceClientError } from './errors.ts';

/**
 * What the client needs of a history entry. Looser than the protocol's `historyEntry` on
 * purpose: older or patched servers omit `meta` or add keys, and a completion must not be lost
 * over a field the client never reads.
 */
export const tolerantHistoryEntry = z.looseObject({
  outputs: z.record(z.string(), nodeOutput.nullable()).default({}),
  status: z
    .looseObject({
      status_str: z.string(),
      completed: z.boolean().optional(),
      messages: z.array(historyStatusMessage).default([]),
    })
    .optional(),
});
export type TolerantHistoryEntry = z.infer<typeof tolerantHistoryEntry>;

/** `GET /history[/<id>]`: an object of entries by prompt id (built once: a zod schema is costly to build per call, issue 15). */
const historyReply = z.record(z.string(), z.unknown());

const queueItemLoose = z.array(z.unknown()).min(2);
/** `GET /queue`, loose where newer servers may differ (item length, extra keys). */
const tolerantQueueReply = z.looseObject({ queue_running: z.array(queueItemLoose), queue_pending: z.array(queueItemLoose) });

export interface QueueSnapshot {
  running: Set<string>;
  pending: Set<string>;
  /** Each item's `extra_data` (item[3]) by prompt id, where it is an object. */
  extraData: Map<string, Record<string, unknown>>;
}

export type PostPromptResult =
  | { kind: 'accepted'; reply: PostPromptOk }
  | { kind: 'rejected'; status: number; message: string };

export interface UploadFile {
  /** File name as the server should store it. */
  name: string;
  data: Blob | Uint8Array;
  /** [type='input'] */
  type?: 'input' | 'temp' | 'output';
  subfolder?: string;
  overwrite?: boolean;
}

/** The ComfyUI HTTP API, one method per call, every request bounded by `requestTimeoutMs`. */
export class ComfyHttp {
  requests = 0;
  failures = 0;
  private readonly lastQueues = new Map<string, QueueSnapshot>();

  constructor(
    private readonly fetch: FetchLike,
    private readonly clock: Clock,
    private readonly requestTimeoutMs: number,
  ) {}

  async postPrompt(server: string, body: { prompt: ApiPrompt; client_id: string; prompt_id?: string; extra_data?: Record<string, unknown> }): Promise<PostPromptResult> {
    const response = await this.request(server, '/prompt', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await this.readText(response);
    if (response.ok) return { kind: 'accepted', reply: parseReply(postPromptOk, text, 'POST /prompt') };
    if (response.status === 400) {
      const rejected = postPromptRejected.safeParse(safeJson(text));
      const message = rejected.success
        ? `${rejected.data.error.type}: ${rejected.data.error.message}${describeNodeErrors(rejected.data.node_errors)}`
        : text.slice(0, 200);
      return { kind: 'rejected', status: 400, message };
    }
    throw new ReferenceClientError('CC_ERR_HTTP_STATUS', `POST /prompt answered ${response.status}: ${text.slice(0, 200)}`, response.status);
  }

  /** The prompt ids running and pending; items are read loosely (only `item[1]`, the id, matters). */
  async getQueue(server: string): Promise<QueueSnapshot> {
    const response = await this.request(server, '/queue');
    const reply = parseReply(tolerantQueueReply, await this.expectOk(response, 'GET /queue'), 'GET /queue');
    const extraData = new Map<string, Record<string, unknown>>();
    for (const item of [...reply.queue_running, ...reply.queue_pending]) {
      const extra = item[3];
      if (typeof extra === 'object' && extra !== null && !Array.isArray(extra)) extraData.set(String(item[1]), extra as Record<string, unknown>);
    }
    const snapshot = {
      running: new Set(reply.queue_running.map((item) => String(item[1]))),
      pending: new Set(reply.queue_pending.map((item) => String(item[1]))),
      extraData,
    };
    this.lastQueues.set(server, snapshot);
    return snapshot;
  }

  /** The last `GET /queue` answer of `server`, if any (a look that just read it need not read it again). */
  lastQueue(server: string): QueueSnapshot | undefined {
    return this.lastQueues.get(server);
  }

  /** `GET /history?max_items=N`: the last N entries' `extra_data` (entry.prompt[3]) by prompt id, read loosely. */
  async getRecentExtraData(server: string, maxItems: number): Promise<Map<string, Record<string, unknown>>> {
    const what = 'GET /history';
    const response = await this.request(server, `/history?max_items=${maxItems}`);
    const reply = parseReply(historyReply, await this.expectOk(response, what), what);
    const out = new Map<string, Record<string, unknown>>();
    for (const [promptId, entry] of Object.entries(reply)) {
      const prompt = typeof entry === 'object' && entry !== null ? (entry as { prompt?: unknown }).prompt : undefined;
      const extra = Array.isArray(prompt) ? prompt[3] : undefined;
      if (typeof extra === 'object' && extra !== null && !Array.isArray(extra)) out.set(promptId, extra as Record<string, unknown>);
    }
    return out;
  }

  /** The entry, or undefined when ComfyUI answers `{}` (unknown, unfinished, evicted or lost). */
  async getHistory(server: string, promptId: string): Promise<TolerantHistoryEntry | undefined> {
    const what = `GET /history/${promptId}`;
    const response = await this.request(server, `/history/${encodeURIComponent(promptId)}`);
    const reply = parseReply(historyReply, await this.expectOk(response, what), what);
    if (!(promptId in reply)) return undefined;
    const entry = tolerantHistoryEntry.safeParse(reply[promptId]);
    if (!entry.success) throw new ReferenceClientError('CC_ERR_BAD_REPLY', `${what}: ${z.prettifyError(entry.error)}`);
    return entry.data;
  }

  async deleteFromQueue(server: string, promptIds: string[]): Promise<void> {
    const response = await this.request(server, '/queue', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delete: promptIds }),
    });
    await this.expectOk(response, 'POST /queue');
  }

  async interrupt(server: string, promptId: string): Promise<void> {
    const response = await this.request(server, '/interrupt', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt_id: promptId }),
    });
    await this.expectOk(response, 'POST /interrupt');
  }

  async uploadImage(server: string, file: UploadFile): Promise<UploadImageReply> {
    const form = new FormData();
    const blob = file.data instanceof Uint8Array ? new Blob([file.data as Uint8Array<ArrayBuffer>]) : file.data;
    form.append('image', blob, file.name);
    form.append('type', file.type ?? 'input');
    if (file.subfolder) form.append('subfolder', file.subfolder);
    if (file.overwrite) form.append('overwrite', 'true');
    const response = await this.request(server, '/upload/image', { method: 'POST', body: form });
    return parseReply(uploadImageReply, await this.expectOk(response, 'POST /upload/image'), 'POST /upload/image');
  }

  /** One request, failed with CC_ERR_HTTP_TIMEOUT if it takes longer than `requestTimeoutMs`. */
  private async request(server: string, path: string, init: RequestInitLike = {}): Promise<ResponseLike> {
    this.requests++;
    const url = `${server.replace(/\/+$/, '')}${path}`;
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = this.clock.setTimeout(() => {
        controller?.abort();
        reject(new ReferenceClientError('CC_ERR_HTTP_TIMEOUT', `${init.method ?? 'GET'} ${path} not answered within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
    });
    try {
      const fetched = this.fetch(url, { ...init, signal: controller?.signal });
      return await Promise.race([
        fetched.catch((error: unknown) => {
          throw new ReferenceClientError('CC_ERR_HTTP_NETWORK', `${init.method ?? 'GET'} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
        }),
        timeout,
      ]);
    } catch (error) {
      this.failures++;
      throw error;
    } finally {
      this.clock.clearTimeout(timer);
      // The losing promise must not surface as an unhandled rejection.
      timeout.catch(() => undefined);
    }
  }

  private async expectOk(response: ResponseLike, what: string): Promise<string> {
    const text = await this.readText(response);
    if (!response.ok) {
      this.failures++;
      throw new ReferenceClientError('CC_ERR_HTTP_STATUS', `${what} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
    }
    return text;
  }

  private async readText(response: ResponseLike): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      this.failures++;
      throw new ReferenceClientError('CC_ERR_HTTP_NETWORK', `reading a reply failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseReply<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const value = text.trim() === '' ? {} : safeJson(text);
  if (value === undefined) throw new ReferenceClientError('CC_ERR_BAD_REPLY', `${what} reply is not JSON: ${text.slice(0, 120)}`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ReferenceClientError('CC_ERR_BAD_REPLY', `${what} reply: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function describeNodeErrors(nodeErrors: Record<string, { errors: { message: string }[]; class_type: string }>): string {
  const parts = Object.entries(nodeErrors).map(([id, e]) => `node ${id} (${e.class_type}): ${e.errors.map((x) => x.message).join('; ')}`);
  return parts.length ? ` [${parts.join(' | ')}]` : '';
}
