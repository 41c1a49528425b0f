import { describe, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../../src/protocol/index.ts';
import { TolerantParser } from '../../../src/reference-client/tolerant-parser.ts';

const status = JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 's' } });

describe('TolerantParser', () => {
  it('parses a well-formed message and validates it with the protocol schema', () => {
    const parser = new TolerantParser();
    expect(parser.parse(status)).toMatchObject({ kind: 'message', message: { type: 'status' } });
    expect(parser.stats.messages).toBe(1);
  });

  it('strips a UTF-8 BOM and counts the repair', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`\uFEFF${status}`).kind).toBe('message');
    expect(parser.stats.bomStripped).toBe(1);
  });

  it('strips garbage before the JSON, even garbage holding a brace', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`garbage${status}`).kind).toBe('message');
    expect(parser.parse(`x{y ${status}`).kind).toBe('message');
    expect(parser.stats.garbagePrefixStripped).toBe(2);
  });

  it('strips garbage after the JSON', () => {
    const parser = new TolerantParser();
    expect(parser.parse(`${status}\u0000trailer`).kind).toBe('message');
    expect(parser.stats.trailingGarbageStripped).toBe(1);
  });

  it.each(['ping', 'pong', 'heartbeat', ' PING\n'])('skips the text heartbeat %j', (text) => {
    const parser = new TolerantParser();
    expect(parser.parse(text)).toMatchObject({ kind: 'skipped', reason: 'heartbeat' });
    expect(parser.stats.heartbeats).toBe(1);
  });

  it('skips non-JSON text such as a proxy error page', () => {
    const parser = new TolerantParser();
    expect(parser.parse('<html>502 Bad Gateway</html>')).toMatchObject({ kind: 'skipped', reason: 'non_json' });
    expect(parser.parse('')).toMatchObject({ kind: 'skipped', reason: 'non_json' });
    expect(parser.stats.nonJson).toBe(2);
  });

  it('recognises truncated JSON as truncated', () => {
    const parser = new TolerantParser();
    expect(parser.parse(status.slice(0, status.length / 2))).toMatchObject({ kind: 'skipped', reason: 'truncated' });
    expect(parser.parse('{"type": "status", "data": {"sid": "abc')).toMatchObject({ kind: 'skipped', reason: 'truncated' });
    expect(parser.stats.truncated).toBe(2);
  });

  it('returns unknown message types as unknown, counted, never rejected (ComfyUI#5674)', () => {
    const parser = new TolerantParser();
    expect(parser.parse(JSON.stringify({ type: 'crystools.monitor', data: { cpu_utilization: 3 } }))).toMatchObject({
      kind: 'unknown',
      message: { type: 'crystools.monitor', unknown: true },
    });
    expect(parser.stats.unknownTypes).toBe(1);
  });

  it('skips a known type whose data breaks its schema', () => {
    const parser = new TolerantParser();
    expect(parser.parse(JSON.stringify({ type: 'progress', data: { value: 'x' } }))).toMatchObject({ kind: 'skipped', reason: 'invalid' });
    expect(parser.stats.invalid).toBe(1);
  });

  it('accepts extra fields in a known message', () => {
    const parser = new TolerantParser();
    const message = { type: 'execution_start', data: { prompt_id: 'p', timestamp: 1, extra: true } };
    expect(parser.parse(JSON.stringify(message)).kind).toBe('message');
  });

  it('decodes binary previews from ArrayBuffer and Uint8Array data', () => {
    const parser = new TolerantParser();
    const bytes = encodeBinaryFrame({ kind: 'preview_image', format: 'png', image: new Uint8Array([7]) });
    expect(parser.parse(bytes)).toMatchObject({ kind: 'binary', frame: { kind: 'preview_image', format: 'png' } });
    expect(parser.parse(bytes.slice().buffer)).toMatchObject({ kind: 'binary' });
    expect(parser.stats.binaryFrames).toBe(2);
  });

  it('reads JSON text that arrived in a binary frame as text', () => {
    const parser = new TolerantParser();
    expect(parser.parse(new TextEncoder().encode(status))).toMatchObject({ kind: 'message', message: { type: 'status' } });
    expect(parser.stats.textInBinary).toBe(1);
  });

  it('skips broken and unknown binary frames without throwing', () => {
    const parser = new TolerantParser();
    expect(parser.parse(new Uint8Array([0, 0]))).toMatchObject({ kind: 'skipped', reason: 'bad_binary' });
    expect(parser.parse(new Uint8Array([0, 0, 0, 4, 0, 0, 1, 0]))).toMatchObject({ kind: 'skipped', reason: 'bad_binary' });
    expect(parser.parse(new Uint8Array([0, 0, 0, 77, 1]))).toMatchObject({ kind: 'skipped', reason: 'unknown_binary' });
    expect(parser.parse({ some: 'object' })).toMatchObject({ kind: 'skipped', reason: 'unreadable' });
    expect(parser.stats).toMatchObject({ badBinary: 2, unknownBinary: 1, unreadable: 1 });
  });

  it('never throws, whatever it is given', () => {
    const parser = new TolerantParser();
    const inputs: unknown[] = [null, undefined, 42, '{', '}', '{{{{', '"str"', '[1,2]', '{"type": 5}', '\uFEFF\uFEFF', new ArrayBuffer(0), [new Uint8Array([0, 0, 0, 1])]];
    for (const input of inputs) expect(() => parser.parse(input)).not.toThrow();
    expect(parser.stats.frames).toBe(inputs.length);
  });
});
