import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from '../../src/protocol/ws/server-message.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/**
 * The character walk pythonJsonDumps used before issue 11 (it took seconds on the 5 MiB frame
 * of the `oversized` fault and stalled the scenarios sharing its process): kept here as the
 * oracle that the faster version must match on every value.
 */
function characterWalk(value: unknown): string {
  const compact = JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  if (compact === undefined) return 'null';
  let out = '';
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i]!;
    if (inString) {
      if (ch === '\\') {
        out += ch + compact[i + 1];
        i++;
        continue;
      }
      if (ch === '"') inString = false;
      const code = ch.charCodeAt(0);
      out += code > 0x7e ? '\\u' + code.toString(16).padStart(4, '0') : ch;
      continue;
    }
    if (ch === '"') inString = true;
    out += ch;
    if (ch === ',' || ch === ':') out += ' ';
  }
  return out;
}

describe('pythonJsonDumps', () => {
  it('writes exactly what the character walk wrote, for any JSON value with any strings', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', ':', '"', '\\', '\n', '\u007f', 'é', '\u2028', '😀', '\ud800', ' ', '{', '}', '[', ']') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(fc.property(fc.oneof(value, fc.jsonValue()), (v) => {
      expect(pythonJsonDumps(v)).toBe(characterWalk(v));
    }), { numRuns: fuzzRuns(500), seed: fuzzSeed(3) });
  });

  it('writes Python separators and escapes non-ASCII in a known message', () => {
    expect(pythonJsonDumps({ type: 'status', data: { a: [1, 'x, y: z'], é: 'ü😀' } })).toBe('{"type": "status", "data": {"a": [1, "x, y: z"], "\\u00e9": "\\u00fc\\ud83d\\ude00"}}');
  });

  it('encodes a 5 MiB string in one piece, as the oversized fault sends it', () => {
    const pad = 'x'.repeat(5 * 1024 * 1024);
    const text = pythonJsonDumps({ type: 'sim.padding', data: { pad } });
    expect(text.length).toBe(pad.length + '{"type": "sim.padding", "data": {"pad": ""}}'.length);
    expect(JSON.parse(text).data.pad).toBe(pad);
  });
});
