import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/clock.ts';
import { seededRandom } from '../../../src/reference-client/seeded-random.ts';

describe('VirtualClock (a heap since issue 11: thousands of timers cost O(log n) each)', () => {
  it('runs timers by due time, those due together in the order they were set, and never a cleared one', async () => {
    const clock = new VirtualClock(0);
    const next = seededRandom(11);
    const fired: number[] = [];
    const expected: Array<{ at: number; order: number }> = [];
    const handles = [];
    for (let i = 0; i < 3_000; i++) {
      const at = Math.floor(next() * 50) * 10; // many timers due at the same instant
      handles.push({ handle: clock.setTimeout(() => fired.push(i), at), at, i });
    }
    // Clear a third of them (enough to make the heap compact itself on the way).
    const cleared = new Set<number>();
    for (const h of handles) {
      if (next() < 0.34) {
        clock.clearTimeout(h.handle);
        cleared.add(h.i);
      } else expected.push({ at: h.at, order: h.i });
    }
    expect(clock.pendingTimers).toBe(expected.length);
    await clock.advanceBy(10_000);
    expected.sort((a, b) => a.at - b.at || a.order - b.order);
    expect(fired).toEqual(expected.map((e) => e.order));
    expect(fired.some((i) => cleared.has(i))).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runUntil stops at the first timer after which done() holds, and nextTimerAt skips cleared timers', async () => {
    const clock = new VirtualClock(0);
    let count = 0;
    const first = clock.setTimeout(() => count++, 5);
    for (let i = 1; i <= 10; i++) clock.setTimeout(() => count++, i * 100);
    clock.clearTimeout(first);
    expect(clock.nextTimerAt()).toBe(100);
    expect(await clock.runUntil(() => count === 3, 10_000)).toBe(true);
    expect(clock.now()).toBe(300);
    expect(clock.pendingTimers).toBe(7);
  });
});
