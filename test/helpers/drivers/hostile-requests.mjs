#!/usr/bin/env node
/**
 * A driver for the harness's own tests (issue 11): before its job `attack`, it sends the requests
 * that used to kill the simulator (and with it the whole `comfy-chaos run`), then runs the job
 * like a plain polling client. Other jobs run plainly. Every request is bounded in time; what
 * each got is written as a `log` event.
 *
 * The attacks: a path starting with `//` and a bad authority (`GET //%zz`), the same as a
 * WebSocket upgrade, a link on an undeclared input that forms a cycle, SaveImage with the
 * filename_prefix `../x` (the job's own graph, which must hold a SaveImage), and an input array
 * nested 2,500 deep.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const base = (process.env.COMFY_URL ?? '').split(',')[0].trim().replace(/\/+$/, '');
const { hostname, port } = new URL(base);
const clientId = randomUUID();
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes raw bytes and returns the first line of the answer, or why there was none (bounded). */
function raw(text, timeoutMs = 3_000) {
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    const done = (what) => {
      socket.destroy();
      resolve(what);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer in ${timeoutMs} ms`));
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      if (got.includes('\r\n')) done(got.split('\r\n')[0]);
    });
    socket.on('error', (error) => done(`socket error: ${error.message}`));
    socket.on('close', () => done(got ? got.split('\r\n')[0] : 'closed without an answer'));
    socket.write(text);
  });
}

async function post(path, body, timeoutMs = 3_000) {
  try {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    return `${res.status} ${(await res.text()).slice(0, 120)}`;
  } catch (error) {
    return `no answer: ${error.message}`;
  }
}

function nested(depth) {
  let value = 'a';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

async function attack(prompt) {
  const host = `Host: ${hostname}:${port}\r\n`;
  const results = {
    'GET //%zz': await raw(`GET //%zz HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
    'GET //%zz/ws upgrade': await raw(`GET //%zz/ws HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    'cyclic undeclared input': await post('/prompt', { prompt: { 1: { class_type: 'PreviewAny', inputs: { source: 'a', x: ['1', 0] } } }, client_id: clientId }),
  };
  const save = Object.entries(prompt).find(([, node]) => node.class_type === 'SaveImage');
  if (save) {
    const evil = structuredClone(prompt);
    evil[save[0]].inputs.filename_prefix = '../x';
    results['SaveImage ../x'] = await post('/prompt', { prompt: evil, client_id: clientId });
  }
  // Built as text: JSON.stringify of 2,500 nested arrays is fine, but keep the body exact.
  results['2,500-deep input'] = await post('/prompt', `{"prompt":{"1":{"class_type":"PreviewAny","inputs":{"source":${JSON.stringify(nested(2_500))}}}},"client_id":"${clientId}"}`);
  for (const [what, answer] of Object.entries(results)) emit({ type: 'log', message: `${what}: ${answer}` });
  await sleep(300);
}

async function runJob(id, prompt) {
  if (id === 'attack') await attack(prompt);
  const answer = await fetch(`${base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt, client_id: clientId }), signal: AbortSignal.timeout(5_000) }).catch((error) => error);
  if (!(answer instanceof Response) || !answer.ok) return emit({ type: 'failed', id, reason: 'error', error: `POST /prompt: ${answer instanceof Response ? answer.status : answer.message}` });
  const { prompt_id: promptId } = await answer.json();
  emit({ type: 'submitted', id, prompt_id: promptId });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await sleep(150);
    const entry = await fetch(`${base}/history/${promptId}`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json()).then((h) => h[promptId], () => undefined);
    if (!entry) continue;
    if (entry.status?.status_str === 'error') return emit({ type: 'failed', id, prompt_id: promptId, reason: 'error' });
    return emit({ type: 'completed', id, prompt_id: promptId, outputs: entry.outputs });
  }
  emit({ type: 'failed', id, prompt_id: promptId, reason: 'timeout', error: 'not in /history after 10 s' });
}

emit({ type: 'ready' });
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  if (command.type === 'submit') void runJob(command.id, command.prompt);
  if (command.type === 'shutdown') process.exit(0);
});
