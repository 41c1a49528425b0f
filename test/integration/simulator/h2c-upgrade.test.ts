import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postPromptOk } from '../../../src/protocol/index.ts';
import { Simulator } from '../../../src/simulator/index.ts';
import { sleepGraph } from '../../helpers/graphs.ts';

/**
 * Java's HttpClient and `curl --http2` offer h2c on plain-HTTP requests. ComfyUI (aiohttp) ignores
 * the offer and answers HTTP/1.1; the simulator must too, body included.
 */
const H2C = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';

interface RawResponse {
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads `count` HTTP/1.1 responses (Content-Length bodies) off a socket. */
function readResponses(socket: Socket, count: number, timeoutMs = 5000): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const out: RawResponse[] = [];
    const timer = setTimeout(() => reject(new Error(`timed out with ${out.length} of ${count} responses; buffered: ${buffer.toString('latin1')}`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      if (error) reject(error);
      else resolve(out);
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        out.push({ statusLine: statusLine!, status: Number(statusLine!.split(' ')[1]), headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8') });
        buffer = buffer.subarray(end + 4 + length);
        if (out.length === count) return done();
      }
    };
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('close', () => done(new Error(`socket closed after ${out.length} of ${count} responses`)));
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const post = (path: string, body: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('requests that offer a non-WebSocket upgrade (h2c)', () => {
  const sims: Simulator[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const sim of sims.splice(0)) await sim.close();
  });

  async function start(): Promise<{ sim: Simulator; port: number }> {
    const sim = new Simulator({ seed: 7 });
    sims.push(sim);
    const { port } = await sim.listen({ port: 0 });
    return { sim, port };
  }

  async function send(port: number, ...parts: string[]): Promise<RawResponse[]> {
    const socket = await open(port);
    sockets.push(socket);
    const responses = readResponses(socket, parts.filter((p) => p.startsWith('GET ') || p.startsWith('POST ')).length);
    for (const [i, part] of parts.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 30));
      socket.write(part);
    }
    return responses;
  }

  it('serves POST /prompt with its JSON body as plain HTTP/1.1, with the same answer as without the offer', async () => {
    const body = JSON.stringify({ prompt: sleepGraph(10, 1), client_id: 'java-relay' });
    const offered = await start();
    const plain = await start();
    const [withOffer] = await send(offered.port, post('/prompt', body, H2C));
    const [without] = await send(plain.port, post('/prompt', body));
    expect(withOffer!.statusLine).toBe('HTTP/1.1 200 OK');
    expect(withOffer!.headers.upgrade).toBeUndefined();
    expect(JSON.parse(withOffer!.body)).toEqual(JSON.parse(without!.body));
    expect(postPromptOk.parse(JSON.parse(withOffer!.body)).number).toBe(0);
    const traced = offered.sim.trace.find((e) => e.kind === 'http' && e.path === '/prompt');
    expect(traced).toMatchObject({ method: 'POST', status: 200, request: body });
    expect(offered.sim.trace.some((e) => e.kind === 'prompt' && e.event === 'queued' && e.clientId === 'java-relay')).toBe(true);
  });

  it('reads a body that arrives after the request head', async () => {
    const { port } = await start();
    const body = JSON.stringify({ prompt: sleepGraph(10, 1) });
    const full = post('/api/prompt', body, H2C);
    const head = full.slice(0, full.indexOf('\r\n\r\n') + 4);
    const [res] = await send(port, head, body.slice(0, 10), body.slice(10));
    expect(res!.status).toBe(200);
    expect(postPromptOk.parse(JSON.parse(res!.body)).number).toBe(0);
  });

  it('reads a chunked body', async () => {
    const { port } = await start();
    const body = JSON.stringify({ prompt: sleepGraph(10, 1) });
    const chunked = `POST /prompt HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const [res] = await send(port, chunked);
    expect(res!.status).toBe(200);
    expect(JSON.parse(res!.body)).toHaveProperty('prompt_id');
  });

  it('answers a bad body with the same 400 as ComfyUI would, so the body really was read', async () => {
    const { port } = await start();
    const [res] = await send(port, post('/prompt', '{"prompt": ', H2C));
    expect(res!.status).toBe(400);
    expect(res!.body).toMatch(/not valid JSON/);
  });

  it('keeps the connection for the next request', async () => {
    const { port } = await start();
    const body = JSON.stringify({ prompt: sleepGraph(10, 1) });
    const [first, second, third] = await send(
      port,
      post('/prompt', body, H2C),
      `GET /queue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      `GET /system_stats HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`,
    );
    expect(first!.status).toBe(200);
    expect(Object.keys(JSON.parse(second!.body)).sort()).toEqual(['queue_pending', 'queue_running']);
    expect(third!.status).toBe(200);
    expect(JSON.parse(third!.body)).toHaveProperty('system');
  });

  it('answers node:http with a 200 response, not a protocol switch', async () => {
    const { port } = await start();
    const body = JSON.stringify({ prompt: sleepGraph(10, 1) });
    const got = await new Promise<{ status: number; text: string; upgraded: boolean }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/prompt',
          headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, upgraded: false }));
        },
      );
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolve({ status: 101, text: '', upgraded: true });
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(got.upgraded).toBe(false);
    expect(got.status).toBe(200);
    expect(postPromptOk.parse(JSON.parse(got.text)).number).toBe(0);
  });

  it('still upgrades a WebSocket request to /ws, and refuses one elsewhere with 404', async () => {
    const { port } = await start();
    await send(port, `GET /system_stats HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?clientId=c1`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    expect(JSON.parse(first)).toMatchObject({ type: 'status', data: { sid: 'c1' } });

    const elsewhere = new WebSocket(`ws://127.0.0.1:${port}/not-ws`);
    const status = await new Promise<number>((resolve) => {
      elsewhere.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      elsewhere.once('error', () => resolve(-1));
    });
    elsewhere.terminate();
    expect(status).toBe(404);
  });
});
