/**
 * The relay's HTTP API: `GET /health` and `POST /api/jobs {"userId","clientId","prompt"}`.
 * Socket.IO shares the server; it answers `/socket.io/` before these handlers see a request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiPrompt, type ApiPrompt } from '../../../src/protocol/index.ts';
import type { SubmitReply } from './jobs-relay.ts';
import { clientIdPattern } from './socketio-downstream.ts';

export interface HttpApiOptions {
  submit: (userId: string, clientId: string, prompt: ApiPrompt) => Promise<SubmitReply>;
  /** `undefined` = ready (200); otherwise 503 with this reason. Either way the body is `details()`. */
  notReadyReason: () => string | undefined;
  details: () => Record<string, unknown>;
  log: (line: string) => void;
  /** [options.maxBodyBytes=16777216] Larger submit bodies get 413. */
  maxBodyBytes?: number;
}

type Submission = { userId: string; clientId: string; prompt: ApiPrompt };

export function createHttpHandler(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'use GET /health' });
      const reason = options.notReadyReason();
      return reply(res, reason === undefined ? 200 : 503, { status: reason === undefined ? 'ok' : 'starting', ...(reason ? { reason } : {}), ...options.details() });
    }
    if (path === '/api/jobs') {
      if (req.method !== 'POST') return reply(res, 405, { error: 'use POST /api/jobs with {"userId","clientId","prompt"}' });
      void handleSubmit(req, res, options);
      return;
    }
    reply(res, 404, { error: `no route ${req.method} ${path}; the relay serves GET /health, POST /api/jobs and Socket.IO at /socket.io/` });
  };
}

async function handleSubmit(req: IncomingMessage, res: ServerResponse, options: HttpApiOptions): Promise<void> {
  let text: string;
  try {
    text = await readBody(req, options.maxBodyBytes ?? 16 * 1024 * 1024);
  } catch (error) {
    return reply(res, 413, { error: error instanceof Error ? error.message : String(error) });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return reply(res, 400, { error: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` });
  }
  const checked = validateSubmission(body);
  if (typeof checked === 'string') return reply(res, 400, { error: checked });
  try {
    const result = await options.submit(checked.userId, checked.clientId, checked.prompt);
    if (result.ok) reply(res, 200, { prompt_id: result.promptId });
    else reply(res, 502, { error: result.error });
  } catch (error) {
    options.log(`submit failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    reply(res, 500, { error: 'internal error while submitting; see the relay log' });
  }
}

/** The submission, or a message naming the bad field. */
export function validateSubmission(body: unknown): Submission | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object {"userId","clientId","prompt"}';
  const { userId, clientId, prompt } = body as Record<string, unknown>;
  if (typeof userId !== 'string' || userId === '' || userId.length > 256) return 'userId must be a non-empty string (at most 256 characters)';
  if (typeof clientId !== 'string' || !clientIdPattern.test(clientId)) return 'clientId must be 1-128 characters of A-Z a-z 0-9 . _ - (it names the STOMP queue and the Socket.IO room)';
  const graph = apiPrompt.safeParse(prompt);
  if (!graph.success) {
    const issue = graph.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at prompt.${issue.path.join('.')}` : '';
    return `prompt must be an API-format graph (node id -> {class_type, inputs})${where}: ${issue?.message ?? 'invalid'}`;
  }
  if (Object.keys(graph.data).length === 0) return 'prompt must contain at least one node';
  return { userId, clientId, prompt: graph.data };
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Drain the rest unread, so the 413 can still be answered on this connection.
        req.off('data', onData);
        req.resume();
        reject(new Error(`body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
