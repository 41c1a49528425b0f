/**
 * Seeded hostile inputs for the simulator (issue 11): raw HTTP requests (bad targets, malformed
 * escapes, deep and broken JSON, odd uploads, wrong methods) and WebSocket sessions (odd client
 * ids, garbage frames, oversized frames, abrupt ends). The same seed gives the same inputs.
 */
import { SeededRandom } from '../../../src/simulator/random.ts';

/** The simulator's own seeded generator (mulberry32), with the few helpers the inputs need. */
export class Prng extends SeededRandom {
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NASTY_CHARS = ['\u0000', '\u0001', '\r', '\n', '\t', '"', "'", '\\', '/', '..', '%', '%zz', '%FF', '%E2%82', '猫', '😀', '\ud800', '\u00ff', ' ', '?', '#', '&', '=', '[', ']', '{', '}', ':', '@'];

export function nastyString(rng: Prng, maxLength = 24): string {
  let out = '';
  const length = rng.int(maxLength + 1);
  for (let i = 0; i < length; i++) out += rng.chance(0.5) ? rng.pick(NASTY_CHARS) : String.fromCharCode(0x20 + rng.int(95));
  return out;
}

/** Percent-encodes every byte that a request line cannot carry raw; leaves the rest, `%` included, as it is. */
function forRequestLine(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (b > 0x20 && b < 0x7f && b !== 0x23 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

const ROUTES = ['/prompt', '/queue', '/history', '/history/x', '/interrupt', '/view', '/upload/image', '/upload/mask', '/object_info', '/object_info/KSampler', '/system_stats', '/features', '/embeddings', '/extensions', '/models', '/models/checkpoints', '/ws', '/'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CLASS_TYPES = ['PreviewAny', 'SaveImage', 'SimSleep', 'SimFail', 'KSampler', 'LoadImage', 'PrimitiveString', 'StringConcatenate', 'NoSuchNode', '', '__proto__', 'constructor'];

function nested(rng: Prng, depth: number, leaf: string): string {
  const open = rng.chance(0.5) ? '[' : '{"k":';
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + leaf + close.repeat(depth);
}

function randomValue(rng: Prng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 5 : 8);
  switch (roll) {
    case 0: return nastyString(rng);
    case 1: return rng.pick([0, -1, 1e308, -1e308, 0.5, 2 ** 53 + 1]);
    case 2: return rng.pick([true, false, null]);
    case 3: return [String(rng.int(6)), rng.int(3)]; // a link, maybe to nowhere
    case 4: return rng.pick(['../x', '/tmp/x', '..', '.', '', 'a/../..', '%width%', 'ComfyUI']);
    case 5: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [nastyString(rng, 6), randomValue(rng, depth + 1)]));
  }
}

/** A prompt that is almost valid, with a hostile twist: undeclared links, cycles, odd prefixes, odd types. */
function hostilePrompt(rng: Prng): Record<string, unknown> {
  const prompt: Record<string, unknown> = {};
  const nodes = 1 + rng.int(5);
  for (let i = 1; i <= nodes; i++) {
    const inputs: Record<string, unknown> = {};
    for (let k = rng.int(5); k > 0; k--) inputs[rng.pick(['source', 'x', 'images', 'filename_prefix', 'duration_ms', 'steps', 'value', 'fail', 'message', nastyString(rng, 5)])] = randomValue(rng);
    if (rng.chance(0.2)) inputs.x = [String(1 + rng.int(nodes)), 0]; // undeclared link: cycles are likely
    prompt[String(i)] = rng.chance(0.9) ? { class_type: rng.pick(CLASS_TYPES), inputs } : randomValue(rng);
  }
  return prompt;
}

function promptBody(rng: Prng): string | Buffer {
  switch (rng.int(9)) {
    case 0: return nested(rng, 1 + rng.int(3000), '1');
    case 1: return `{"prompt": {"1": {"class_type": "PreviewAny", "inputs": {"source": ${nested(rng, 400 + rng.int(2600), '"a"')}}}}}`;
    case 2: return JSON.stringify({ prompt: hostilePrompt(rng), client_id: nastyString(rng, 8) }).slice(0, rng.chance(0.2) ? rng.int(60) : undefined);
    case 3: return Buffer.from([0xff, 0xfe, 0x7b, 0x80, 0x22, 0xc3]);
    case 4: return JSON.stringify({ prompt: { '1': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: randomValue(rng) } }, '2': { class_type: 'LoadImage', inputs: { image: nastyString(rng, 8) } } } });
    case 5: return JSON.stringify({ prompt: { '1': { class_type: 'PreviewAny', inputs: { source: 'a', x: ['1', 0] } } }, number: randomValue(rng), front: randomValue(rng), prompt_id: randomValue(rng), extra_data: randomValue(rng) });
    case 6: return JSON.stringify({ prompt: { '1': { class_type: 'PreviewAny', inputs: { source: 'x'.repeat(rng.int(200_000)) } } } });
    case 7: return JSON.stringify(randomValue(rng));
    default: return '';
  }
}

function multipartBody(rng: Prng): { contentType: string; body: Buffer } {
  const boundary = rng.chance(0.9) ? `----hostile${rng.int(1e9)}` : nastyString(rng, 10);
  const filename = rng.pick(['.', '..', '../x', '/etc/passwd', 'a\u0000b.png', '猫.png', 'x'.repeat(300), '', 'ok.png', nastyString(rng, 12)]);
  const parts = [
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${'\u0089PNG'.repeat(rng.int(50))}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="subfolder"\r\n\r\n${rng.pick(['', '..', 'a/..', '/abs', 'sub', nastyString(rng, 8)])}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\n${rng.pick(['input', 'temp', 'output', 'nope', ''])}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="overwrite"\r\n\r\n${rng.pick(['true', '1', 'false', ''])}\r\n`,
  ];
  let text = parts.slice(0, 1 + rng.int(4)).join('') + (rng.chance(0.9) ? `--${boundary}--\r\n` : '');
  if (rng.chance(0.1)) text = text.slice(0, rng.int(text.length));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(text, 'utf8') };
}

/** One raw HTTP/1.1 request, `Connection: close`, its Content-Length true (the server never waits for a body). */
export function hostileHttpRequest(rng: Prng): Buffer {
  let method = rng.pick(METHODS);
  let target: string;
  let body: Buffer = Buffer.alloc(0);
  let contentType: string | null = null;
  let upgrade = false;
  switch (rng.int(8)) {
    case 0: target = `//${forRequestLine(nastyString(rng, 10))}${rng.chance(0.3) ? '/ws' : ''}`; upgrade = rng.chance(0.5); break;
    case 1: target = `/history/${forRequestLine(nastyString(rng, 12))}`; method = 'GET'; break;
    case 2: {
      const params = ['filename', 'subfolder', 'type', 'preview', 'channel'].filter(() => rng.chance(0.6));
      target = `/view?${params.map((p) => `${p}=${forRequestLine(nastyString(rng, 10))}`).join('&')}`;
      method = 'GET';
      break;
    }
    case 3:
    case 4: {
      target = rng.chance(0.8) ? '/prompt' : '/api/prompt';
      method = 'POST';
      const made = promptBody(rng);
      body = Buffer.isBuffer(made) ? made : Buffer.from(made, 'utf8');
      contentType = 'application/json';
      break;
    }
    case 5: {
      target = rng.pick(['/upload/image', '/upload/mask', '/api/upload/image']);
      method = 'POST';
      const form = multipartBody(rng);
      body = form.body;
      contentType = rng.chance(0.9) ? form.contentType : nastyString(rng, 20).replace(/[\r\n\u0000]/g, '');
      break;
    }
    case 6: {
      target = rng.pick(['/queue', '/history', '/interrupt', '/free']);
      method = 'POST';
      body = Buffer.from(rng.chance(0.3) ? nested(rng, rng.int(3000), '1') : JSON.stringify(randomValue(rng)) ?? '', 'utf8');
      contentType = 'application/json';
      break;
    }
    default:
      target = `${rng.pick(ROUTES)}${rng.chance(0.5) ? `?${forRequestLine(nastyString(rng, 16))}` : rng.chance(0.3) ? forRequestLine(nastyString(rng, 8)) : ''}`;
  }
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1'];
  // A WebSocket upgrade on a target that is never /ws (it starts with //): always answered and closed.
  if (upgrade) head.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13');
  else head.push('Connection: close', `Content-Length: ${body.length}`);
  if (contentType !== null) head.push(`Content-Type: ${contentType}`);
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** What one WebSocket session does after it is open. */
export type WsAction = { kind: 'text'; data: string } | { kind: 'binary'; data: Buffer } | { kind: 'close'; code: number } | { kind: 'terminate' };

export interface HostileWsSession {
  /** The query string of the upgrade, e.g. `clientId=...`. */
  query: string;
  actions: WsAction[];
}

export function hostileWsSession(rng: Prng): HostileWsSession {
  const clientId = rng.pick(['', 'same-id', nastyString(rng, 12), 'x'.repeat(2000)]);
  const actions: WsAction[] = [];
  for (let i = rng.int(6); i > 0; i--) {
    switch (rng.int(7)) {
      case 0: actions.push({ kind: 'text', data: JSON.stringify({ type: 'feature_flags', data: randomValue(rng) }) }); break;
      case 1: actions.push({ kind: 'text', data: nastyString(rng, 40) }); break;
      case 2: actions.push({ kind: 'text', data: nested(rng, rng.int(5000), '0') }); break;
      case 3: actions.push({ kind: 'binary', data: Buffer.from(Array.from({ length: rng.int(256) }, () => rng.int(256))) }); break;
      case 4: actions.push({ kind: 'binary', data: Buffer.alloc(rng.chance(0.2) ? 5 * 1024 * 1024 : 1024) }); break; // over the 4 MiB frame limit sometimes
      case 5: actions.push({ kind: 'text', data: JSON.stringify(randomValue(rng)) ?? 'null' }); break;
      default: actions.push(rng.chance(0.5) ? { kind: 'close', code: rng.pick([1000, 1001, 4000, 4999]) } : { kind: 'terminate' });
    }
  }
  return { query: `clientId=${encodeURIComponent(clientId.replace(/[\ud800-\udfff]/g, ''))}`, actions };
}
