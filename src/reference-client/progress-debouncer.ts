import type { Clock, TimerHandle } from '../protocol/index.ts';
import type { ProgressEvent } from './events.ts';

/**
 * Coalesces progress to at most one event per job per interval (the latest value wins), so a
 * burst of frames cannot drive a UI into re-entrant updates. Progress never runs backwards within
 * a node: a stale value (duplicated or reordered frame) is dropped.
 */
export class ProgressDebouncer {
  dropped = 0;
  private readonly latest = new Map<string, ProgressEvent>();
  private readonly lastEmitted = new Map<string, { node: string; value: number }>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly emit: (event: ProgressEvent) => void,
  ) {}

  push(event: ProgressEvent): void {
    const last = this.latest.get(event.promptId) ?? this.lastEmitted.get(event.promptId);
    if (last && last.node === event.node && event.value < last.value) {
      this.dropped++;
      return;
    }
    if (this.intervalMs === 0) {
      this.send(event);
      return;
    }
    this.latest.set(event.promptId, event);
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      for (const promptId of [...this.latest.keys()]) this.flush(promptId);
    }, this.intervalMs);
  }

  /** Emits the job's held progress now (before its terminal event). */
  flush(promptId: string): void {
    const event = this.latest.get(promptId);
    if (!event) return;
    this.latest.delete(promptId);
    this.send(event);
  }

  /** Forgets a finished job. */
  forget(promptId: string): void {
    this.latest.delete(promptId);
    this.lastEmitted.delete(promptId);
  }

  dispose(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.latest.clear();
    this.lastEmitted.clear();
  }

  private send(event: ProgressEvent): void {
    this.lastEmitted.set(event.promptId, { node: event.node, value: event.value });
    this.emit(event);
  }
}
