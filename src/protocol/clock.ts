/**
 * Time as both the simulator and the reference client see it. The real clock wraps the host
 * timers; the virtual clock lets a ten-minute scenario run in milliseconds (design.md,
 * "Two transports"). Both packages depend on this interface only, never on each other.
 */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface Clock {
  /** Milliseconds; epoch-based for the real clock, scenario-based for the virtual one. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs)),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

interface VirtualTimer {
  id: number;
  at: number;
  seq: number;
  callback: () => void;
}

/** Resolves after every microtask queued so far (and those they queue) has run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. Timers due at the same instant run in the order they
 * were set, so a run is deterministic. Between timers it lets pending promise callbacks run, so
 * async code written against {@link Clock} behaves as it would in real time, only faster.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: VirtualTimer[] = [];
  private nextId = 1;
  private seq = 0;

  /** @param startMs the value `now()` starts at [default 1_700_000_000_000, an epoch-like origin] */
  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: VirtualTimer = {
      id: this.nextId++,
      at: this.current + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0),
      seq: this.seq++,
      callback,
    };
    // Keep sorted by (at, seq); inserting from the end is cheap for the common short delays.
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1]!.at > timer.at)) i--;
    this.timers.splice(i, 0, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined || typeof handle !== 'object' || !('id' in handle)) return;
    const index = this.timers.findIndex((t) => t.id === (handle as { id: number }).id);
    if (index >= 0) this.timers.splice(index, 1);
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or undefined if none is set. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /**
   * Moves time forward by `ms`, running every timer due on the way, in order.
   * @returns the number of timers that ran
   */
  async advanceBy(ms: number): Promise<number> {
    return this.advanceTo(this.current + ms);
  }

  async advanceTo(targetMs: number): Promise<number> {
    let ran = 0;
    await flushMicrotasks();
    while (this.timers.length > 0 && this.timers[0]!.at <= targetMs) {
      const timer = this.timers.shift()!;
      this.current = Math.max(this.current, timer.at);
      timer.callback();
      ran++;
      await flushMicrotasks();
    }
    this.current = Math.max(this.current, targetMs);
    return ran;
  }

  /**
   * Runs timers until `done()` is true or `maxMs` of virtual time have passed (bounded: every
   * wait in this project is). Returns whether `done()` became true.
   */
  async runUntil(done: () => boolean, maxMs: number): Promise<boolean> {
    const deadline = this.current + maxMs;
    await flushMicrotasks();
    while (!done()) {
      const next = this.timers[0];
      if (!next || next.at > deadline) {
        this.current = Math.max(this.current, deadline);
        return done();
      }
      const timer = this.timers.shift()!;
      this.current = Math.max(this.current, timer.at);
      timer.callback();
      await flushMicrotasks();
    }
    return true;
  }
}
