import { createServer, type Server } from 'node:http';

export interface RefundCall {
  userId?: string;
  promptId?: string;
  body: unknown;
}

/**
 * The refund hook a relay calls (`REFUND_URL`): an HTTP server on 127.0.0.1 that answers every
 * POST with 204 and tells the harness what it was asked. Anything but a JSON POST gets a 400 that
 * says what the hook expects.
 */
export class RefundHook {
  private server: Server | undefined;
  url = '';

  constructor(private readonly onRefund: (call: RefundCall) => void) {}

  async start(): Promise<string> {
    const server = (this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        if (request.method !== 'POST' || !body || typeof body !== 'object') {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'POST a JSON object {"userId": "...", "promptId": "..."} to refund a job' }));
          return;
        }
        const b = body as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const userId = str(b.userId) ?? str(b.user_id);
        const promptId = str(b.promptId) ?? str(b.prompt_id);
        this.onRefund({ body, ...(userId === undefined ? {} : { userId }), ...(promptId === undefined ? {} : { promptId }) });
        response.writeHead(204).end();
      });
    }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('refund hook: no port');
    return (this.url = `http://127.0.0.1:${address.port}/refund`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
