/**
 * A counting semaphore with two priorities: the hunt runs at most `size` scenarios at once, and a
 * shrinking step waiting for a slot gets the next one before the search does (issue 15: shrink in
 * parallel with the search, without starving it of the bucket's answer).
 */
export class Slots {
  private free: number;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  acquire(priority: 'urgent' | 'normal' = 'normal'): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => (priority === 'urgent' ? this.urgent : this.normal).push(resolve));
  }

  release(): void {
    const next = this.urgent.shift() ?? this.normal.shift();
    if (next) next();
    else this.free++;
  }

  /** Runs `work` in a slot. */
  async run<T>(work: () => Promise<T>, priority: 'urgent' | 'normal' = 'normal'): Promise<T> {
    await this.acquire(priority);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  get busy(): number {
    return this.size - this.free;
  }
}
