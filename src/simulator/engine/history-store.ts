import type { HistoryEntry } from '../../protocol/index.ts';

/** ComfyUI's MAXIMUM_HISTORY_SIZE. */
export const MAXIMUM_HISTORY_SIZE = 10000;

/**
 * Finished prompts by id, in insertion order. A duplicate id overwrites the entry in its old
 * position (a Map does the same); when more than `maxSize` entries exist as a task finishes,
 * the oldest is evicted silently.
 */
export class HistoryStore {
  private readonly entries = new Map<string, HistoryEntry>();

  constructor(private readonly maxSize = MAXIMUM_HISTORY_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  write(promptId: string, entry: HistoryEntry): void {
    if (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(promptId, entry);
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
    return this.entries.delete(promptId);
  }

  clear(): void {
    this.entries.clear();
  }
}
