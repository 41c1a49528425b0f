import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/index.ts';
import { guardedClock } from '../../../src/simulator/guarded-clock.ts';

describe('guardedClock', () => {
  it('hands a throwing timer callback to onError and keeps running the other timers', async () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    const guarded = guardedClock(clock, (error) => errors.push(error));
    const ran: string[] = [];
    guarded.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    guarded.setTimeout(() => ran.push('after'), 20);
    const cleared = guarded.setTimeout(() => ran.push('cleared'), 30);
    guarded.clearTimeout(cleared);
    await clock.advanceBy(50);
    expect(errors).toEqual([new Error('boom')]);
    expect(ran).toEqual(['after']);
    expect(guarded.now()).toBe(clock.now());
  });
});
