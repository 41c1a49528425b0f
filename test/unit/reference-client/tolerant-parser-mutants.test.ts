/**
 * TolerantParser edge cases found by StrykerJS (npm run mutation): skip details, the bounded
 * search for the JSON start, truncation inside strings, and every byte container `ws` delivers.
 */
import { describe, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../../src/protocol/index.ts';
import { TolerantParser, emptyParserStats } from '../../../src/reference-client/tolerant-parser.ts';

const status = JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 's' } });

describe('TolerantParser details', () => {
  it('starts with every counter at zero', () => {
    const stats = emptyParserStats();
    expect(Object.values(stats).every((v) => v === 0)).toBe(true);
    expect(Object.keys(stats)).toHaveLength(16);
    expect(new TolerantParser().stats).toEqual(stats);
  });

  it('counts text frames and messages, and strips several BOMs and surrounding whitespace', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`\uFEFF\uFEFF  ${status}\n`)).toMatchObject({ kind: 'message', message: { type: 'status' } });
    expect(parser.parse(status).kind).toBe('message');
    expect(parser.stats).toMatchObject({ frames: 2, textFrames: 2, binaryFrames: 0, messages: 2, bomStripped: 1, garbagePrefixStripped: 0, trailingGarbageStripped: 0 });
  });

  it('treats only a whole-frame ping/pong/heartbeat as a heartbeat', () => {
    const parser = new TolerantParser();
    expect(parser.parse('ping')).toEqual({ kind: 'skipped', reason: 'heartbeat', detail: 'ping' });
    expect(parser.parse('pinging')).toMatchObject({ kind: 'skipped', reason: 'non_json' });
    expect(parser.parse('a heartbeat')).toMatchObject({ kind: 'skipped', reason: 'non_json' });
    expect(parser.stats).toMatchObject({ heartbeats: 1, nonJson: 2 });
  });

  it('shows at most 80 characters of a skipped frame', () => {
    const parser = new TolerantParser();
    const long = 'x'.repeat(81);
    expect(parser.parse(long)).toEqual({ kind: 'skipped', reason: 'non_json', detail: `${'x'.repeat(80)}...` });
    expect(parser.parse('x'.repeat(80))).toEqual({ kind: 'skipped', reason: 'non_json', detail: 'x'.repeat(80) });
    expect(parser.parse(`{"a": "${'y'.repeat(100)}`)).toMatchObject({ kind: 'skipped', reason: 'truncated', detail: `{"a": "${'y'.repeat(73)}...` });
  });

  it('tries at most 8 brace positions when garbage before the JSON holds braces', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`${'{'.repeat(7)}${status}`)).toMatchObject({ kind: 'message' });
    expect(parser.stats.garbagePrefixStripped).toBe(1);
    expect(parser.parse(`${'{'.repeat(8)}${status}`)).toMatchObject({ kind: 'skipped' });
  });

  it('does not count a prefix repair when the JSON starts the frame, or a trailing repair when it ends it', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`${status} }`).kind).toBe('skipped');
    expect(parser.parse(`${status} x`).kind).toBe('message');
    expect(parser.stats).toMatchObject({ garbagePrefixStripped: 0, trailingGarbageStripped: 1 });
  });

  it('reads braces inside strings and escaped quotes correctly when deciding on truncation', () => {
    const parser = new TolerantParser();
    // No open brace left but an unterminated string: cut.
    expect(parser.parse('{"a": "b" }}"')).toMatchObject({ reason: 'truncated' });
    // Braces inside a closed string do not count: complete but invalid JSON.
    expect(parser.parse('{"a": "{{" ,}')).toMatchObject({ reason: 'non_json' });
    // An escaped quote does not close the string.
    expect(parser.parse('{"a": "x\\"}')).toMatchObject({ reason: 'truncated' });
    // An open array counts as depth too.
    expect(parser.parse('{"a": [1, 2')).toMatchObject({ reason: 'truncated' });
    // More closers than openers is not truncation.
    expect(parser.parse('{"a": 1]]}')).toMatchObject({ reason: 'non_json' });
    expect(parser.stats).toMatchObject({ truncated: 3, nonJson: 2 });
  });

  it('skips JSON that is not a message as invalid, with the schema error', () => {
    const parser = new TolerantParser();
    const parsed = parser.parse('{"no_type": true}');
    expect(parsed).toMatchObject({ kind: 'skipped', reason: 'invalid' });
    expect((parsed as { detail: string }).detail.length).toBeGreaterThan(0);
    expect(parser.stats.messages).toBe(0);
  });

  it('reads every byte container: typed views at an offset, and ws fragments', () => {
    const parser = new TolerantParser();
    const frame = encodeBinaryFrame({ kind: 'preview_image', format: 'jpeg', image: new Uint8Array([1, 2, 3]) });
    const padded = new Uint8Array(frame.length + 4);
    padded.set(frame, 4);
    const view = new DataView(padded.buffer, 4, frame.length);
    expect(parser.parse(view)).toMatchObject({ kind: 'binary', frame: { kind: 'preview_image', format: 'jpeg', image: new Uint8Array([1, 2, 3]) } });
    const fragments = [frame.slice(0, 5), frame.slice(5)];
    expect(parser.parse(fragments)).toMatchObject({ kind: 'binary', frame: { kind: 'preview_image', image: new Uint8Array([1, 2, 3]) } });
    expect(parser.parse([frame, 'not bytes'])).toMatchObject({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type Array' });
    expect(parser.stats).toMatchObject({ binaryFrames: 2, unreadable: 1 });
  });

  it('names what it could not read', () => {
    const parser = new TolerantParser();
    expect(parser.parse(null)).toEqual({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type null' });
    expect(parser.parse(undefined)).toEqual({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type undefined' });
    expect(parser.parse(42)).toEqual({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type number' });
    expect(parser.parse(new Map())).toEqual({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type Map' });
    expect(parser.parse(Object.create(null))).toEqual({ kind: 'skipped', reason: 'unreadable', detail: 'frame of type object' });
  });

  it('reports the details of binary skips', () => {
    const parser = new TolerantParser();
    expect(parser.parse(new Uint8Array([0, 0, 0, 77, 1]))).toEqual({ kind: 'skipped', reason: 'unknown_binary', detail: 'binary event type 77' });
    const bad = parser.parse(new Uint8Array([0, 0]));
    expect(bad).toMatchObject({ kind: 'skipped', reason: 'bad_binary' });
    expect((bad as { detail: string }).detail.length).toBeGreaterThan(0);
    // An empty binary frame is a (bad) binary frame, not text.
    expect(parser.parse(new Uint8Array(0))).toMatchObject({ kind: 'skipped', reason: 'bad_binary' });
    expect(parser.stats).toMatchObject({ textInBinary: 0, badBinary: 2, unknownBinary: 1, binaryFrames: 3 });
  });

  it('reads text in a binary frame with the same repairs as a text frame', () => {
    const parser = new TolerantParser();
    expect(parser.parse(new TextEncoder().encode(`\uFEFFjunk${status}`))).toMatchObject({ kind: 'message' });
    expect(parser.parse(new TextEncoder().encode('pong'))).toMatchObject({ kind: 'skipped', reason: 'heartbeat' });
    // The UTF-8 decoder drops a leading BOM by itself, so no BOM repair is counted here.
    expect(parser.stats).toMatchObject({ textInBinary: 2, textFrames: 0, bomStripped: 0, garbagePrefixStripped: 1, heartbeats: 1 });
  });
});
