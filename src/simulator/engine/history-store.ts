import type { HistoryEntry } from '../../protocol/index.ts';

/** ComfyUI's MAXIMUM_HISTORY_SIZE. */
export const MAXIMUM_HISTORY_SIZE = 10000;

/**
 * Finished prompts by id, in insertion order. A duplicate id overwrites the entry in its old
 * position (a Map does the same); when more than `maxSize` entries exist as a task finishes,
 * the oldest is evicted silently. The simulator also bounds the bytes held (`maxBytes`, the
 * request-body size of each entry's prompt): past it the oldest entries go too, and
 * `onEvictForBytes` is told (ComfyUI bounds the count only).
 */
export class HistoryStore {
  private readonly entries = new Map<string, HistoryEntry>();
  private readonly sizes = new Map<string, number>();
  private heldBytes = 0;
  /** Bumped on every change, so that a reply built from one state can be reused until the next. */
  version = 0;

  constructor(
    private readonly maxSize = MAXIMUM_HISTORY_SIZE,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly onEvictForBytes?: (promptId: string, heldBytes: number) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** `bytes`: what the entry holds, counted against `maxBytes` [default 0]. */
  write(promptId: string, entry: HistoryEntry, bytes = 0): void {
    if (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.heldBytes -= this.sizes.get(promptId) ?? 0; // a duplicate id keeps its position
    this.entries.set(promptId, entry);
    this.sizes.set(promptId, bytes);
    this.heldBytes += bytes;
    this.version++;
    while (this.heldBytes > this.maxBytes && this.entries.size > 1) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
      this.onEvictForBytes?.(oldest, this.heldBytes);
    }
  }

  get(promptId: string): HistoryEntry | undefined {
    return this.entries.get(promptId);
  }

  /**
   * `GET /history?max_items&offset`: with only max_items, the last N; offset counts from the
   * oldest; neither gives everything.
   */
  list(maxItems?: number, offset?: number): Record<string, HistoryEntry> {
    const all = [...this.entries];
    let start = offset ?? (maxItems !== undefined ? all.length - maxItems : 0);
    if (start < 0) start = 0;
    const end = maxItems !== undefined ? start + maxItems : all.length;
    return Object.fromEntries(all.slice(start, end));
  }

  delete(promptId: string): boolean {
    this.heldBytes -= this.sizes.get(promptId) ?? 0;
    this.sizes.delete(promptId);
    this.version++;
    return this.entries.delete(promptId);
  }

  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.heldBytes = 0;
    this.version++;
  }
}
