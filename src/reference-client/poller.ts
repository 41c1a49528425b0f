import type { Clock, TimerHandle } from '../protocol/index.ts';
import type { MutantName } from './mutants.ts';

/**
 * The HTTP polling fallback's heartbeat: runs `poll` every `intervalMs` while told to, never two
 * polls at once. The session decides when it should run (socket down or deaf with jobs pending)
 * and what a poll does.
 */
export class Poller {
  polls = 0;
  private wanted = false;
  private inFlight = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly poll: () => Promise<void>,
    /** For comfy-chaos's own tests only: plants one named bug (mutants.ts). */
    private readonly mutation?: MutantName,
  ) {}

  get running(): boolean {
    return this.wanted;
  }

  /** Starts (first poll after one interval) or stops polling. */
  update(shouldRun: boolean): void {
    if (shouldRun === this.wanted) return;
    // MUTANT polling-never-stops: once started, nothing stops it (a forgotten clearInterval).
    if (!shouldRun && this.mutation === 'polling-never-stops') return;
    this.wanted = shouldRun;
    if (shouldRun) this.schedule();
    else {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    this.update(false);
  }

  private schedule(): void {
    if (!this.wanted || this.timer !== undefined || this.inFlight) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.wanted) return;
      this.inFlight = true;
      this.polls++;
      this.poll()
        .catch(() => undefined)
        .finally(() => {
          this.inFlight = false;
          this.schedule();
        });
    }, this.intervalMs);
  }
}
