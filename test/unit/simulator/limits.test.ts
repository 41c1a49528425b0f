import { describe, expect, it } from 'vitest';
import { jsonNestingExceeds, readJsonBody } from '../../../src/simulator/http/json-body.ts';
import { DEFAULT_LIMITS, LimitsError, resolveLimits } from '../../../src/simulator/limits.ts';
import type { SimRequest } from '../../../src/simulator/http/types.ts';

const request = (text: string): SimRequest => ({ method: 'POST', path: '/prompt', query: new URLSearchParams(), headers: {}, body: new TextEncoder().encode(text) });

describe('resolveLimits', () => {
  it('fills every default and keeps what was given', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxQueueLength: 3 }).maxQueueLength).toBe(3);
  });

  it('refuses a limit that is not a positive integer, and an unknown one, naming it', () => {
    expect(() => resolveLimits({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive integer \(got 0\)/);
    expect(() => resolveLimits({ maxJsonDepth: 1.5 })).toThrow(LimitsError);
    expect(() => resolveLimits({ maxWidgets: 1 } as never)).toThrow(/unknown limit "maxWidgets"/);
  });
});

describe('JSON nesting', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonNestingExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestingExceeds('{"a": "[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonNestingExceeds('{"a": {"b": [1]}}', 2)).toBe(true);
  });

  it('answers a body nested deeper than the limit with the limit in the message, before parsing', () => {
    const deep = readJsonBody(request('['.repeat(2500) + ']'.repeat(2500)), 512);
    expect(deep).toEqual({ ok: false, error: expect.stringMatching(/deeper than 512 levels \(limits.maxJsonDepth\)/) });
    expect(readJsonBody(request('['.repeat(512) + ']'.repeat(512)), 512).ok).toBe(true);
  });
});
