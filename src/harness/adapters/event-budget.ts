import type { DriverEvent } from '../../protocol/index.ts';

/**
 * How much one driver process can make the harness hold (issue 11: a driver that printed 100,000
 * progress events got `pass` with a 100,007-line trace and 247 MiB of harness memory). Events past
 * a bound are counted, not recorded, and the first one past each bound is reported as a `flood`
 * problem (an informational finding: the client's user is not harmed by a chatty client, but
 * its author wants to know). Reports that decide a verdict (`submitted`, `completed`, `failed`)
 * have bounds of their own, far above what a correct client sends, so a flood of progress or
 * logs never hides a completion.
 */
export interface EventBudgetLimits {
  /** `progress` events recorded per job [default 1000]. */
  progressPerJob: number;
  /** `progress` events recorded in all [default 20000]. */
  progress: number;
  /** `log` events recorded in all [default 500]. */
  logs: number;
  /** `submitted`, `completed` and `failed` events recorded per job [default 50]. */
  reportsPerJob: number;
  /** `submitted`, `completed` and `failed` events recorded in all [default 10000]. */
  reports: number;
  /** Bytes of event lines recorded in all [default 64 MiB]. */
  bytes: number;
  /** Junk lines (not JSON, not a driver event) reported one by one; later ones are counted [default 20]. */
  junkLines: number;
}

export const defaultEventBudget: EventBudgetLimits = {
  progressPerJob: 1_000,
  progress: 20_000,
  logs: 500,
  reportsPerJob: 50,
  reports: 10_000,
  bytes: 64 * 1024 * 1024,
  junkLines: 20,
};

type Bound = keyof EventBudgetLimits;

/** What to do with one event: record it, or drop it (with a message the first time a bound is passed). */
export type Admission = { admit: true } | { admit: false; firstDrop?: string };

export class EventBudget {
  private readonly perJob = new Map<string, { progress: number; reports: number }>();
  private readonly used: Record<Exclude<Bound, 'progressPerJob' | 'reportsPerJob'>, number> = { progress: 0, logs: 0, reports: 0, bytes: 0, junkLines: 0 };
  private readonly dropped = new Map<Bound, number>();

  constructor(readonly limits: EventBudgetLimits = defaultEventBudget) {}

  /** Whether to record `event`, whose line had `bytes` bytes. */
  admit(event: DriverEvent, bytes: number): Admission {
    if (event.type === 'ready') return { admit: true };
    if (this.used.bytes + bytes > this.limits.bytes) return this.drop('bytes', `more than ${this.limits.bytes} bytes of events`);
    // Ids are the driver's to invent: a flood of made-up ids is bounded too.
    if ('id' in event && !this.perJob.has(event.id) && this.perJob.size >= this.limits.reports) return this.drop('reports', `events for more than ${this.limits.reports} job ids`);
    const job = 'id' in event ? this.job(event.id) : undefined;
    if (event.type === 'progress') {
      if (job!.progress >= this.limits.progressPerJob) return this.drop('progressPerJob', `more than ${this.limits.progressPerJob} progress events for job ${event.id}`);
      if (this.used.progress >= this.limits.progress) return this.drop('progress', `more than ${this.limits.progress} progress events in all`);
      job!.progress++;
      this.used.progress++;
    } else if (event.type === 'log') {
      if (this.used.logs >= this.limits.logs) return this.drop('logs', `more than ${this.limits.logs} log events`);
      this.used.logs++;
    } else {
      if (job!.reports >= this.limits.reportsPerJob) return this.drop('reportsPerJob', `more than ${this.limits.reportsPerJob} ${event.type} events for job ${event.id}`);
      if (this.used.reports >= this.limits.reports) return this.drop('reports', `more than ${this.limits.reports} submitted/completed/failed events in all`);
      job!.reports++;
      this.used.reports++;
    }
    this.used.bytes += bytes;
    return { admit: true };
  }

  /** Whether to report a junk line one by one (true) or only count it. */
  admitJunk(): Admission {
    if (this.used.junkLines >= this.limits.junkLines) return this.drop('junkLines', `more than ${this.limits.junkLines} lines that are not driver events`);
    this.used.junkLines++;
    return { admit: true };
  }

  /** Events dropped so far, by the bound that dropped them; empty when none was. */
  droppedCounts(): Partial<Record<Bound, number>> {
    return Object.fromEntries(this.dropped);
  }

  /** `99000 (more than 1000 progress events for a job)`, for the summary at shutdown, or undefined when nothing was dropped. */
  summary(): string | undefined {
    if (this.dropped.size === 0) return undefined;
    const names: Record<Bound, string> = {
      progressPerJob: `progress events past ${this.limits.progressPerJob} for one job`,
      progress: `progress events past ${this.limits.progress} in all`,
      logs: `log events past ${this.limits.logs}`,
      reportsPerJob: `reports past ${this.limits.reportsPerJob} for one job`,
      reports: `reports past ${this.limits.reports} in all`,
      bytes: `events past ${this.limits.bytes} bytes`,
      junkLines: `junk lines past ${this.limits.junkLines} (counted, not quoted)`,
    };
    return [...this.dropped].map(([bound, n]) => `${n} ${names[bound]}`).join(', ');
  }

  private job(id: string): { progress: number; reports: number } {
    let counts = this.perJob.get(id);
    if (!counts) {
      counts = { progress: 0, reports: 0 };
      this.perJob.set(id, counts);
    }
    return counts;
  }

  private drop(bound: Bound, what: string): Admission {
    const before = this.dropped.get(bound) ?? 0;
    this.dropped.set(bound, before + 1);
    return before === 0 ? { admit: false, firstDrop: what } : { admit: false };
  }
}
