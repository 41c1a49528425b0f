import type { Clock } from '../protocol/index.ts';

/**
 * The same clock, but a timer callback that throws is reported to `onError` instead of ending the
 * process (an uncaught exception from a real timer) or the caller of a virtual clock's
 * `advanceBy`. The fault injector's time triggers and the socket hub's stall timer run on it.
 */
export function guardedClock(clock: Clock, onError: (error: unknown) => void): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (callback, delayMs) =>
      clock.setTimeout(() => {
        try {
          callback();
        } catch (error) {
          onError(error);
        }
      }, delayMs),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
}
