/**
 * Simulator memory under hostile load (issue 11), measured on `comfy-chaos serve` in its own
 * process (RSS and peak RSS from /proc, so Linux only):
 *
 *   node --import tsx bench/simulator-memory.ts
 *
 * 1. eight pending 1 MiB prompts (behind a ten-minute one that holds the worker) and 100 GET
 *    /queue pipelined on one connection, every reply read: before issue 11 this took RSS from
 *    158 MiB to 1.8 GiB (one 8 MiB body built per request); the body is now built once per state
 *    of the queue and shared;
 * 2. five 50 MiB uploads (held in RAM, at most limits.maxFileBytes, 256 MiB; each was held about
 *    three times before);
 * 3. in this process (so heap and buffers can be read after a gc): ten WebSockets that never read
 *    while a 600-node prompt without client_id broadcasts its progress_state (which lists every
 *    node so far, ~70 MiB per socket), then closed: memory held during (at most
 *    limits.maxSendBufferBytes, 16 MiB, per socket) and after.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Simulator } from '../src/simulator/index.ts';
import { sleepGraph } from '../test/helpers/graphs.ts';
import { fullGc, projectRoot, round, sleep, writeReport } from './bench-report.ts';

const MiB = 1024 * 1024;
const PIPELINED = 100;

function rssOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: round(kb('VmRSS') / 1024), peakMiB: round(kb('VmHWM') / 1024) };
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/** Writes `count` GET /queue at once on one socket and reads until the server has answered them all (bounded). */
function pipelinedQueue(port: number, count: number): Promise<{ bytes: number; replies: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /queue HTTP/1.1\r\nHost: bench\r\n\r\n'.repeat(count - 1) + 'GET /queue HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n');
    });
    let bytes = 0;
    let replies = 0;
    const timer = setTimeout(() => socket.destroy(new Error('pipelined GET /queue: no end after 120 s')), 120_000);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let at = chunk.indexOf('HTTP/1.1 200'); at >= 0; at = chunk.indexOf('HTTP/1.1 200', at + 1)) replies++;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes, replies });
    });
  });
}

async function upload(url: string, bytes: number, name: string): Promise<number> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes).fill(name.charCodeAt(0))]), name);
  const res = await fetch(`${url}/upload/image`, { method: 'POST', body: form });
  await res.arrayBuffer();
  return res.status;
}

/** Heap plus buffers of this process after a full gc, in MiB. */
async function heldMiB(): Promise<number> {
  await fullGc();
  const m = process.memoryUsage();
  return round((m.heapUsed + m.external) / MiB);
}

async function deafSockets(): Promise<Record<string, unknown>> {
  const sim = new Simulator({ keepTrace: false, timing: { stepMs: 1, pickupMs: 1, nodeMs: { PrimitiveString: 1, PreviewAny: 1 } } });
  const { port, url } = await sim.listen();
  const before = await heldMiB();
  const sockets = Array.from({ length: 10 }, (_, i) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /ws?clientId=deaf-${i} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      socket.pause(); // never reads
    });
    socket.on('error', () => undefined);
    return socket;
  });
  await sleep(300);
  const prompt: Record<string, unknown> = {};
  for (let i = 0; i < 300; i++) {
    prompt[`s${i}`] = { class_type: 'PrimitiveString', inputs: { value: `node ${i}` } };
    prompt[`p${i}`] = { class_type: 'PreviewAny', inputs: { source: [`s${i}`, 0] } };
  }
  const status = await post(url, { prompt });
  const deadline = Date.now() + 120_000;
  while (!sim.core.history.size && Date.now() < deadline) await sleep(50);
  const during = await heldMiB();
  const dropped = sim.core.hub.registered().length;
  for (const socket of sockets) socket.destroy();
  await sleep(500);
  const after = await heldMiB();
  await sim.close();
  return { prompt: '600 nodes, no client_id', status, heldBeforeMiB: before, heldAfterPromptMiB: during, socketsStillRegistered: dropped, heldAfterCloseMiB: after };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin/comfy-chaos.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('serve did not start in 30 s')), 30_000);
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/[0-9.:]+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const port = Number(new URL(url).port);
    await sleep(500);
    const baseline = rssOf(child.pid!);

    await post(url, { prompt: sleepGraph(600_000, 1, 'holds the worker') });
    for (let i = 0; i < 8; i++) await post(url, { prompt: sleepGraph(600_000, 1, `${i}:${'x'.repeat(MiB)}`) });
    const queued = rssOf(child.pid!);
    const started = Date.now();
    const pipelined = await pipelinedQueue(port, PIPELINED);
    const queueMs = Date.now() - started;
    const afterQueue = rssOf(child.pid!);
    await fetch(`${url}/queue`, { method: 'POST', body: JSON.stringify({ clear: true }) });
    await fetch(`${url}/interrupt`, { method: 'POST', body: '{}' });

    const uploads: number[] = [];
    for (let i = 0; i < 5; i++) uploads.push(await upload(url, 50 * MiB, `big-${i}.png`));
    const afterUploads = rssOf(child.pid!);

    const deaf = await deafSockets();
    const report = {
      baseline,
      queue: {
        prompts: '8 pending x 1 MiB, 1 running',
        pipelinedGets: PIPELINED,
        replies: pipelined.replies,
        bytesRead: pipelined.bytes,
        wallMs: queueMs,
        rssAfterQueueingMiB: queued.rssMiB,
        rssAfterMiB: afterQueue.rssMiB,
        peakMiB: afterQueue.peakMiB,
      },
      uploads: { sizes: '5 x 50 MiB', statuses: uploads, rssAfterMiB: afterUploads.rssMiB, peakMiB: afterUploads.peakMiB },
      deafSockets: deaf,
    };
    console.log(JSON.stringify(report, null, 2));
    console.log(`report: ${writeReport('simulator-memory', report)}`);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
