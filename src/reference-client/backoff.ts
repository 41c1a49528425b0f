import type { MutantName } from './mutants.ts';
import type { Random } from './seeded-random.ts';

export interface BackoffOptions {
  /** First delay while no job is pending. */
  baseMs: number;
  /** First delay while a job is pending (a user is waiting, so retry sooner). */
  pendingBaseMs: number;
  /** Longest delay. */
  capMs: number;
  /** Longest delay while a job is pending [default: capMs]. */
  pendingCapMs?: number;
  /** Each delay is multiplied by `1 - jitterRatio * random()`, so clients do not reconnect in lockstep. */
  jitterRatio: number;
  /** Failed attempts before {@link Backoff.next} returns undefined; 0 = unlimited. */
  maxAttempts: number;
  random: Random;
  /** For comfy-chaos's own tests only: plants one named bug (mutants.ts). */
  mutation?: MutantName;
}

/**
 * Exponential backoff with seeded jitter and a cap. `next()` counts a failed attempt and says
 * how long to wait before the following one; `reset()` is called once a connection proved healthy.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** Consecutive failed attempts so far. */
  get attempts(): number {
    return this.failures;
  }

  get exhausted(): boolean {
    return this.options.maxAttempts > 0 && this.failures >= this.options.maxAttempts;
  }

  /** Records a failed attempt; returns the delay before the next one, or undefined once the limit is reached. */
  next(jobsPending: boolean): number | undefined {
    this.failures++;
    if (this.exhausted) return undefined;
    return this.delayFor(this.failures - 1, jobsPending);
  }

  /** The delay after the `attempt`-th consecutive failure (0-based), jitter included. */
  delayFor(attempt: number, jobsPending: boolean): number {
    const { baseMs, pendingBaseMs, capMs, jitterRatio, random } = this.options;
    const base = jobsPending ? pendingBaseMs : baseMs;
    let cap = jobsPending ? Math.min(capMs, this.options.pendingCapMs ?? capMs) : capMs;
    // MUTANT no-backoff-cap: the delay doubles for ever (up to the longest delay a timer takes, ~24 days).
    if (this.options.mutation === 'no-backoff-cap') cap = 2 ** 31 - 1;
    // 2 ** 31 is far past any cap; bounding the exponent keeps the number finite.
    const raw = Math.min(cap, base * 2 ** Math.min(attempt, 31));
    return Math.round(raw * (1 - jitterRatio * random()));
  }

  reset(): void {
    this.failures = 0;
  }
}
