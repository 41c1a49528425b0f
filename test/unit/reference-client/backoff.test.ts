import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/reference-client/backoff.ts';
import { seededRandom } from '../../../src/reference-client/seeded-random.ts';

const options = { baseMs: 1000, pendingBaseMs: 100, capMs: 8000, jitterRatio: 0, maxAttempts: 0, random: seededRandom(1) };

describe('Backoff', () => {
  it('doubles the delay per failed attempt up to the cap', () => {
    const backoff = new Backoff(options);
    expect(Array.from({ length: 6 }, () => backoff.next(false))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('starts from the shorter base while jobs are pending', () => {
    const backoff = new Backoff(options);
    expect([backoff.next(true), backoff.next(true), backoff.next(true)]).toEqual([100, 200, 400]);
  });

  it('caps the delay at the pending cap while jobs are pending, and only then', () => {
    const backoff = new Backoff({ ...options, pendingCapMs: 250 });
    expect(Array.from({ length: 5 }, () => backoff.next(true))).toEqual([100, 200, 250, 250, 250]);
    expect(backoff.next(false)).toBe(8000);
  });

  it('shortens each delay by at most jitterRatio, the same way for the same seed', () => {
    const delays = (seed: number) => {
      const backoff = new Backoff({ ...options, jitterRatio: 0.5, random: seededRandom(seed) });
      return Array.from({ length: 20 }, () => backoff.next(false)!);
    };
    const a = delays(42);
    expect(delays(42)).toEqual(a);
    expect(delays(43)).not.toEqual(a);
    for (const [i, d] of a.entries()) {
      const raw = Math.min(8000, 1000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(raw * 0.5);
      expect(d).toBeLessThanOrEqual(raw);
    }
  });

  it('returns undefined once maxAttempts failures were counted, and starts over after reset', () => {
    const backoff = new Backoff({ ...options, maxAttempts: 3 });
    expect([backoff.next(false), backoff.next(false), backoff.next(false)]).toEqual([1000, 2000, undefined]);
    expect(backoff.exhausted).toBe(true);
    backoff.reset();
    expect(backoff.next(false)).toBe(1000);
  });

  it('keeps delays finite after very many attempts', () => {
    const backoff = new Backoff(options);
    expect(backoff.delayFor(5000, false)).toBe(8000);
  });
});
