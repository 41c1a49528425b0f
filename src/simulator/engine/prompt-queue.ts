import type { ApiPrompt, QueueItem } from '../../protocol/index.ts';

/** One accepted prompt, as ComfyUI keeps it: `(number, prompt_id, prompt, extra_data, outputs_to_execute)`. */
export interface QueuedPrompt {
  number: number;
  promptId: string;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  outputsToExecute: string[];
  /** 1-based acceptance order: what fault triggers call "prompt n". */
  index: number;
  /** Size of the request body it came in, in bytes, counted against `limits.maxQueueBytes` [default 0]. */
  bytes?: number;
}

export function toQueueItem(p: QueuedPrompt): QueueItem {
  return [p.number, p.promptId, p.prompt, p.extraData, p.outputsToExecute];
}

/** Python's tuple order on `(number, prompt_id)`, which is what ComfyUI's heap compares first. */
function less(a: QueuedPrompt, b: QueuedPrompt): boolean {
  if (a.number !== b.number) return a.number < b.number;
  return a.promptId < b.promptId;
}

/**
 * A min-heap with the same sift rules as Python's `heapq`, so that `GET /queue` lists pending
 * items in the same (unsorted) heap order as the real server.
 */
export class PromptQueue {
  private heap: QueuedPrompt[] = [];
  running: QueuedPrompt | null = null;

  get pending(): readonly QueuedPrompt[] {
    return this.heap;
  }

  /** pending + running, as `status.exec_info.queue_remaining` counts. */
  remaining(): number {
    return this.heap.length + (this.running ? 1 : 0);
  }

  push(item: QueuedPrompt): void {
    this.heap.push(item);
    this.siftDown(0, this.heap.length - 1);
  }

  /** Takes the next prompt and marks it running. */
  take(): QueuedPrompt | undefined {
    const last = this.heap.pop();
    if (last === undefined) return undefined;
    let first = last;
    if (this.heap.length > 0) {
      first = this.heap[0]!;
      this.heap[0] = last;
      this.siftUp(0);
    }
    this.running = first;
    return first;
  }

  /** Removes the first pending item with this id (ComfyUI's `delete_queue_item`), re-heapifying. */
  deletePending(promptId: string): QueuedPrompt | undefined {
    const i = this.heap.findIndex((p) => p.promptId === promptId);
    if (i < 0) return undefined;
    const [removed] = this.heap.splice(i, 1);
    this.heapify();
    return removed;
  }

  clearPending(): QueuedPrompt[] {
    const removed = this.heap;
    this.heap = [];
    return removed;
  }

  private heapify(): void {
    for (let i = Math.floor(this.heap.length / 2) - 1; i >= 0; i--) this.siftUp(i);
  }

  // heapq._siftdown: moves the item at `pos` up towards `start`.
  private siftDown(start: number, pos: number): void {
    const item = this.heap[pos]!;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = this.heap[parentPos]!;
      if (less(item, parent)) {
        this.heap[pos] = parent;
        pos = parentPos;
        continue;
      }
      break;
    }
    this.heap[pos] = item;
  }

  // heapq._siftup: moves the smaller child up until a leaf, then sifts the item down into place.
  private siftUp(pos: number): void {
    const end = this.heap.length;
    const start = pos;
    const item = this.heap[pos]!;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !less(this.heap[child]!, this.heap[right]!)) child = right;
      this.heap[pos] = this.heap[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    this.heap[pos] = item;
    this.siftDown(start, pos);
  }
}
