import { describe, expect, it } from 'vitest';
import { defaultTimings, resolveTimings, resolveTransport } from '../../../src/reference-client/options.ts';
import { historyOutcome } from '../../../src/reference-client/resync.ts';
import { uuid4, seededRandom } from '../../../src/reference-client/seeded-random.ts';

describe('options', () => {
  it('fills every timing with its documented default', () => {
    expect(resolveTimings({})).toEqual(defaultTimings);
    expect(resolveTimings({ pollIntervalMs: 250 }).pollIntervalMs).toBe(250);
  });

  it.each([
    [{ pollIntervalMs: -1 }, /pollIntervalMs must be a finite number >= 0, got -1/],
    [{ healthTimeoutMs: 0 }, /healthTimeoutMs must be > 0/],
    [{ maxReconnectAttempts: 1.5 }, /maxReconnectAttempts must be an integer/],
    [{ reconnectJitterRatio: 2 }, /reconnectJitterRatio must be in \[0, 1\]/],
    [{ jobTimeoutMs: Number.NaN }, /jobTimeoutMs/],
  ])('rejects %j with CC_ERR_INVALID_OPTION', (options, message) => {
    expect(() => resolveTimings(options)).toThrow(message);
    expect(() => resolveTimings(options)).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
  });

  it('asks for a socket factory when there is no global WebSocket', () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    delete g.WebSocket;
    try {
      expect(() => resolveTransport({ fetch: async () => { throw new Error('unused'); } })).toThrow(expect.objectContaining({ code: 'CC_ERR_NO_WEBSOCKET' }));
    } finally {
      if (saved !== undefined) g.WebSocket = saved;
    }
  });
});

describe('seeded ids', () => {
  it('makes canonical v4 UUIDs, the same for the same seed', () => {
    const a = uuid4(seededRandom(9));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid4(seededRandom(9))).toBe(a);
    expect(uuid4(seededRandom(10))).not.toBe(a);
  });
});

describe('historyOutcome', () => {
  const entry = (status_str: string, messages: [string, Record<string, unknown>][], outputs: Record<string, Record<string, unknown> | null> = {}) => ({
    outputs,
    status: { status_str, completed: status_str === 'success', messages },
  });

  it('reads a success with its outputs, dropping null outputs', () => {
    expect(historyOutcome(entry('success', [], { '9': { images: [] }, '4': null }))).toEqual({ type: 'completed', outputs: { '9': { images: [] } } });
  });

  it('tells an interrupt from an error by the last execution_* message', () => {
    expect(historyOutcome(entry('error', [['execution_start', {}], ['execution_interrupted', {}]]))).toEqual({ type: 'interrupted' });
    expect(historyOutcome(entry('error', [['execution_error', { exception_message: 'oom\n', node_id: '3', node_type: 'K' }]]))).toEqual({
      type: 'failed',
      error: 'oom (node 3 K)',
    });
  });
});
