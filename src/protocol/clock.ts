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
  /** A binary min-heap on (at, seq): a run with thousands of jobs sets and fires timers in O(log n) each, not O(n). */
  private readonly heap: VirtualTimer[] = [];
  /** Ids of timers set and neither run nor cleared; a cleared timer stays in the heap until it surfaces. */
  private readonly live = new Set<number>();
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
    this.live.add(timer.id);
    this.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined || typeof handle !== 'object' || !('id' in handle)) return;
    this.live.delete((handle as { id: number }).id);
    // A timer reset on every frame (a health timeout) leaves many cleared entries: compact now and then.
    if (this.heap.length > 2 * this.live.size + 64) this.compact();
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.live.size;
  }

  /** When the next timer is due, or undefined if none is set. */
  nextTimerAt(): number | undefined {
    return this.peek()?.at;
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
    for (let next = this.peek(); next && next.at <= targetMs; next = this.peek()) {
      const timer = this.take();
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
      const next = this.peek();
      if (!next || next.at > deadline) {
        this.current = Math.max(this.current, deadline);
        return done();
      }
      const timer = this.take();
      this.current = Math.max(this.current, timer.at);
      timer.callback();
      await flushMicrotasks();
    }
    return true;
  }

  /** The earliest live timer, dropping cleared ones that reached the top. */
  private peek(): VirtualTimer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!.id)) this.pop();
    return this.heap[0];
  }

  /** Removes and returns the earliest live timer (call after {@link peek} returned one). */
  private take(): VirtualTimer {
    const timer = this.pop();
    this.live.delete(timer.id);
    return timer;
  }

  private compact(): void {
    const kept = this.heap.filter((t) => this.live.has(t.id)).sort((a, b) => (before(a, b) ? -1 : 1));
    // A sorted array is a valid heap (copied in a loop: a spread of 100k+ timers would overflow the stack).
    this.heap.length = 0;
    for (const timer of kept) this.heap.push(timer);
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
        if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least]!, heap[i]!];
        i = least;
      }
    }
    return top;
  }
}

/** Timers due at the same instant run in the order they were set. */
function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
