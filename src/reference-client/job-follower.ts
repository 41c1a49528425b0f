import {
  isBlockedExecutionError,
  type BinaryFrame,
  type Clock,
  type KnownServerMessage,
} from '../protocol/index.ts';
import type { CompletedEvent, JobOutcome, SessionEvents, TypedEmitter } from './events.ts';
import type { ComfyHttp, TolerantHistoryEntry } from './http-api.ts';
import type { JobRecord, JobRegistry } from './job-registry.ts';
import type { MutantName } from './mutants.ts';
import type { ResolvedTimings } from './options.ts';
import { ProgressDebouncer } from './progress-debouncer.ts';
import { historyOutcome, observeJobs, type JobObservation } from './resync.ts';
import { promptIdOf, UnclaimedFrames } from './unclaimed-frames.ts';

export interface FollowerStats {
  resyncs: number;
  checks: number;
  historyRetries: number;
  /** Completions reported from socket outputs because history never showed the entry. */
  historyFallbacks: number;
  lostRechecks: number;
  previewsUnattributed: number;
}

export interface FollowerHooks {
  /** True once the connection gave up: a job HTTP cannot reach then fails as `disconnected`. */
  gaveUp(): boolean;
  /** Something about pending jobs changed (polling, deaf detection and the lock depend on it). */
  changed(): void;
  /** Sockets the server or the network ended so far ({@link ConnectionStats.serverDrops}). */
  serverDrops(): number;
}

/**
 * Follows the jobs of one window from every source (socket messages, history confirmation,
 * resync, polling, timeouts) and reports each job's end exactly once through the registry.
 */
export class JobFollower {
  readonly stats: FollowerStats = { resyncs: 0, checks: 0, historyRetries: 0, historyFallbacks: 0, lostRechecks: 0, previewsUnattributed: 0 };
  private readonly progress: ProgressDebouncer;
  // Keyed by the record, not its id: a job is renamed when the server names the prompt itself.
  private readonly held = new Map<JobRecord, (() => void)[]>();
  private readonly resolvers = new Map<JobRecord, (outcome: JobOutcome) => void>();
  private readonly recheckScheduled = new Set<JobRecord>();
  /** Frames about an unknown prompt while a POST is in flight (a server that names prompts itself). */
  private readonly unclaimed = new UnclaimedFrames();
  private stopped = false;

  constructor(
    private readonly registry: JobRegistry,
    private readonly http: ComfyHttp,
    private readonly clock: Clock,
    private readonly timings: ResolvedTimings,
    private readonly emitter: TypedEmitter<SessionEvents>,
    private readonly hooks: FollowerHooks,
    /** For comfy-chaos's own tests only: plants one named bug (mutants.ts). */
    private readonly mutation?: MutantName,
  ) {
    this.progress = new ProgressDebouncer(clock, timings.progressDebounceMs, (event) => {
      const job = this.registry.active(event.promptId);
      if (job) this.emitFor(job, () => this.emitter.emit('progress', event));
    });
  }

  get progressDropped(): number {
    return this.progress.dropped;
  }

  /** Registers a job about to be posted; the promise resolves with its one outcome. */
  track(promptId: string, server: string): { job: JobRecord; outcome: Promise<JobOutcome> } {
    const job = this.registry.add(promptId, server, this.clock.now());
    job.serverDropsAtSubmit = this.hooks.serverDrops();
    const outcome = new Promise<JobOutcome>((resolve) => this.resolvers.set(job, resolve));
    return { job, outcome };
  }

  /**
   * ComfyUI accepted the prompt: tell the user, then release what arrived before the reply.
   * `seen` is what a look over HTTP found when the reply was lost: it is applied, not dropped (a
   * job found in history is over, and no resync will look again: issue 11, scenario 4.10).
   */
  accepted(job: JobRecord, number: number | undefined, seen?: JobObservation): void {
    if (job.state === 'submitting') job.state = 'queued';
    job.released = true;
    this.emitter.emit('submitted', { promptId: job.promptId, submitId: job.submitId, server: job.server, ...(number === undefined ? {} : { number }) });
    for (const emit of this.held.get(job) ?? []) emit();
    this.held.delete(job);
    this.replayUnclaimed(job.promptId);
    if (job.state !== 'done') this.startTimers(job);
    if (seen) this.apply(job, seen);
    this.hooks.changed();
  }

  /** The prompt never ran (400, or POST kept failing): fail it, dropping anything held. */
  refused(job: JobRecord, reason: 'error' | 'disconnected', error: string): void {
    this.held.delete(job);
    job.released = true;
    this.replayUnclaimed(undefined);
    this.settle(job, { type: 'failed', promptId: job.promptId, server: job.server, reason, error });
  }

  /** The server named the prompt of `job` itself (its POST reply, or a look that found it): follow that id. */
  rename(job: JobRecord, promptId: string): void {
    this.registry.rename(job, promptId);
  }

  onMessage(message: KnownServerMessage): void {
    if (this.unclaimedNow(promptIdOf(message.data), () => this.onMessage(message))) return;
    switch (message.type) {
      case 'status':
        // The server's queue is empty while we think jobs run on it: we missed their end
        // (ComfyUI#8395: some runs end with a bare status). Ask HTTP.
        if (message.data.status.exec_info.queue_remaining === 0) void this.check(this.registry.accepted().filter((j) => !j.confirming));
        return;
      case 'execution_start':
        return this.markRunning(message.data.prompt_id);
      case 'executing': {
        const job = this.registry.active(message.data.prompt_id);
        if (!job) return;
        if (message.data.node === null) void this.confirm(job);
        else {
          this.markRunning(job.promptId);
          job.currentNode = message.data.display_node ?? message.data.node;
        }
        return;
      }
      case 'progress': {
        const { prompt_id, value, max, node } = message.data;
        if (this.registry.active(prompt_id)) this.progress.push({ promptId: prompt_id, value, max, node });
        return;
      }
      case 'executed': {
        const job = this.registry.active(message.data.prompt_id);
        if (job && message.data.output) job.socketOutputs[message.data.node] = message.data.output;
        return;
      }
      case 'execution_success': {
        // MUTANT no-dedupe-polling-websocket: the socket path reports the end of a job that polling already reported.
        if (this.mutation === 'no-dedupe-polling-websocket') {
          const done = this.registry.get(message.data.prompt_id);
          if (done?.outcome?.type === 'completed') {
            const { type: _type, ...event } = done.outcome;
            this.emitter.emit('completed', event);
            return;
          }
        }
        const job = this.registry.active(message.data.prompt_id);
        if (!job) return;
        job.successSeen = true;
        void this.confirm(job);
        return;
      }
      case 'execution_error': {
        // The blocked variant does not end the prompt: it may still succeed.
        const job = this.registry.active(message.data.prompt_id);
        if (!job || isBlockedExecutionError(message)) return;
        const { exception_message, node_id, node_type } = message.data;
        this.settle(job, { type: 'failed', promptId: job.promptId, server: job.server, reason: 'error', error: `${exception_message.trim()} (node ${node_id} ${node_type})` });
        return;
      }
      case 'execution_interrupted': {
        const job = this.registry.active(message.data.prompt_id);
        if (job) this.settle(job, { type: 'interrupted', promptId: job.promptId, server: job.server, cancelled: false });
        return;
      }
      default:
        return;
    }
  }

  onBinary(frame: BinaryFrame): void {
    if (frame.kind === 'preview_image_with_metadata') {
      if (this.unclaimedNow(frame.metadata.prompt_id, () => this.onBinary(frame))) return;
      const job = this.registry.active(frame.metadata.prompt_id);
      if (!job) return;
      const event = { promptId: job.promptId, mimeType: frame.metadata.image_type, image: frame.image, node: frame.metadata.display_node_id };
      this.emitFor(job, () => this.emitter.emit('preview', event));
      return;
    }
    if (frame.kind !== 'preview_image') return;
    // Type-1 previews carry no ids: attribute one only when a single job of ours can be running.
    const running = this.registry.pending().filter((j) => j.state === 'running');
    const candidates = running.length > 0 ? running : this.registry.pending();
    if (candidates.length !== 1) {
      this.stats.previewsUnattributed++;
      return;
    }
    const job = candidates[0]!;
    const event = {
      promptId: job.promptId,
      mimeType: frame.format === 'png' ? ('image/png' as const) : ('image/jpeg' as const),
      image: frame.image,
      ...(job.currentNode === undefined ? {} : { node: job.currentNode }),
    };
    this.emitFor(job, () => this.emitter.emit('preview', event));
  }

  /** After every (re)connect: ask HTTP about each accepted job of that server. */
  resync(server: string): void {
    const jobs = this.registry.accepted().filter((j) => j.server === server);
    if (jobs.length === 0) return;
    this.stats.resyncs++;
    this.check(jobs);
  }

  /**
   * The end of a job was seen on the socket: confirm it from history, retrying briefly because
   * `execution_success` is sent before the entry is written (ComfyUI#11540).
   */
  async confirm(job: JobRecord): Promise<void> {
    if (job.confirming || job.state === 'done') return;
    job.confirming = true;
    for (let attempt = 0; attempt <= this.timings.historyRetryLimit; attempt++) {
      if (attempt > 0) {
        this.stats.historyRetries++;
        await this.sleep(this.timings.historyRetryDelayMs);
      }
      if (isDone(job) || this.stopped) return;
      try {
        const entry = await this.http.getHistory(job.server, job.promptId);
        if (entry) return this.settleFromHistory(job, entry);
        // MUTANT no-history-retry-after-success-race: one read; an entry not written yet means "no outputs".
        if (this.mutation === 'no-history-retry-after-success-race') {
          return this.settle(job, { type: 'completed', promptId: job.promptId, server: job.server, outputs: {}, confirmedBy: 'history' });
        }
      } catch {
        // Retried below; the server may be restarting.
      }
    }
    if (isDone(job)) return;
    if (job.successSeen) {
      this.stats.historyFallbacks++;
      this.settle(job, { type: 'completed', promptId: job.promptId, server: job.server, outputs: job.socketOutputs, confirmedBy: 'websocket' });
      return;
    }
    job.confirming = false;
    this.check([job]);
  }

  /**
   * Observes `jobs` over HTTP and applies what it finds. Checks never overlap per job: a job
   * already being checked is checked once more after that check returns, since it may have read
   * the server before whatever asked for this one (a resync after the job ended unheard).
   */
  check(jobs: readonly JobRecord[]): Promise<void> {
    const byServer = new Map<string, JobRecord[]>();
    for (const job of jobs) {
      if (job.state === 'done' || !job.released) continue;
      if (job.checking) {
        job.checkAgain = true;
        continue;
      }
      job.checking = true;
      byServer.set(job.server, [...(byServer.get(job.server) ?? []), job]);
    }
    const rounds = [...byServer].map(async ([server, group]) => {
      this.stats.checks++;
      let observations: Map<string, JobObservation>;
      try {
        observations = await observeJobs(this.http, server, group.map((j) => j.promptId));
      } finally {
        for (const job of group) job.checking = false;
      }
      for (const job of group) this.apply(job, observations.get(job.promptId)!);
      const again = group.filter((job) => job.checkAgain);
      for (const job of again) job.checkAgain = false;
      if (again.length > 0 && !this.stopped) await this.check(again);
    });
    return Promise.all(rounds).then(() => undefined);
  }

  settle(job: JobRecord, outcome: JobOutcome): void {
    if (job.state === 'done') {
      this.registry.settle(job.promptId, outcome); // counts the suppressed duplicate
      return;
    }
    this.progress.flush(job.promptId);
    this.registry.settle(job.promptId, outcome);
    this.progress.forget(job.promptId);
    for (const timer of job.timers) this.clock.clearTimeout(timer);
    job.timers = [];
    const resolve = this.resolvers.get(job);
    this.resolvers.delete(job);
    this.emitFor(job, () => {
      const { type, ...event } = outcome;
      this.emitter.emit(type, event as never);
      resolve?.(outcome);
    });
    this.hooks.changed();
  }

  /** Fails every pending job (the window is closing). */
  stop(error: string): void {
    for (const job of this.registry.pending()) {
      job.released = true;
      for (const emit of this.held.get(job) ?? []) emit();
      this.held.delete(job);
      this.settle(job, { type: 'failed', promptId: job.promptId, server: job.server, reason: 'disconnected', error });
    }
    this.stopped = true;
    this.progress.dispose();
  }

  private apply(job: JobRecord, observation: JobObservation): void {
    if (job.state === 'done') return;
    job.lastObservation = observation.kind;
    switch (observation.kind) {
      case 'finished':
        return this.settleFromHistory(job, observation.entry);
      case 'running':
      case 'queued':
        job.absentChecks = 0;
        job.lastAbsentAt = undefined;
        job.firstAbsentAt = undefined;
        job.state = observation.kind;
        return;
      case 'absent':
        // A job whose end we saw is confirmed by `confirm`, not declared lost here.
        if (job.confirming) return;
        // Checks from several triggers (reconnect, a status frame, the recheck timer) can land
        // within milliseconds; only absences at least lostRecheckDelayMs apart are independent
        // evidence, so a history written a moment late is not mistaken for a lost job.
        if (job.lastAbsentAt !== undefined && this.clock.now() - job.lastAbsentAt < this.timings.lostRecheckDelayMs) {
          this.scheduleRecheck(job);
          return;
        }
        job.lastAbsentAt = this.clock.now();
        job.firstAbsentAt ??= job.lastAbsentAt;
        job.absentChecks++;
        // Only a restart loses a job, and a restart ends every socket. While no socket has ended
        // since the job was submitted, an absence may be a history entry written late
        // (ComfyUI#11540), so wait at least as long as a late entry is waited for after a success
        // (test/property/findings: lost while history was late and the socket silent).
        const restartPossible = job.serverDropsAtSubmit === undefined || this.hooks.serverDrops() !== job.serverDropsAtSubmit;
        const lateHistoryWindowMs = this.timings.historyRetryDelayMs * this.timings.historyRetryLimit;
        if (!restartPossible && this.clock.now() - job.firstAbsentAt < lateHistoryWindowMs) {
          this.scheduleRecheck(job);
          return;
        }
        if (job.absentChecks >= this.timings.lostConfirmations) {
          // MUTANT lost-reported-as-completed: "not in the queue any more" is taken for "done".
          if (this.mutation === 'lost-reported-as-completed') {
            return this.settle(job, { type: 'completed', promptId: job.promptId, server: job.server, outputs: {}, confirmedBy: 'history' });
          }
          this.settle(job, {
            type: 'lost',
            promptId: job.promptId,
            server: job.server,
            error: `in neither /queue nor /history after ${job.absentChecks} checks (server restarted?)`,
          });
        } else this.scheduleRecheck(job);
        return;
      case 'unreachable':
        if (this.hooks.gaveUp()) {
          this.settle(job, { type: 'failed', promptId: job.promptId, server: job.server, reason: 'disconnected', error: `server unreachable: ${observation.error}` });
          return;
        }
        // A check that failed (a 5xx from /queue, a /history read that timed out) proves nothing:
        // look again soon rather than wait for the next reconnect or health timeout, which may
        // never come while the socket stays open (found by the property search, test/property/findings).
        this.scheduleRecheck(job);
        return;
    }
  }

  private settleFromHistory(job: JobRecord, entry: TolerantHistoryEntry): void {
    const outcome = historyOutcome(entry);
    const base = { promptId: job.promptId, server: job.server };
    if (outcome.type === 'completed') {
      const event: CompletedEvent = { ...base, outputs: outcome.outputs, confirmedBy: 'history' };
      this.settle(job, { type: 'completed', ...event });
    } else if (outcome.type === 'interrupted') this.settle(job, { type: 'interrupted', ...base, cancelled: false });
    else this.settle(job, { type: 'failed', ...base, reason: 'error', error: outcome.error });
  }

  private scheduleRecheck(job: JobRecord): void {
    if (this.recheckScheduled.has(job)) return;
    this.recheckScheduled.add(job);
    job.timers.push(
      this.clock.setTimeout(() => {
        this.recheckScheduled.delete(job);
        this.stats.lostRechecks++;
        void this.check([job]);
      }, this.timings.lostRecheckDelayMs),
    );
  }

  private startTimers(job: JobRecord): void {
    const { jobTimeoutMs, finalCheckLeadMs } = this.timings;
    if (jobTimeoutMs === 0) return;
    const elapsed = this.clock.now() - job.submittedAt;
    const untilTimeout = Math.max(0, jobTimeoutMs - elapsed);
    // MUTANT no-last-check-before-timeout: the timeout fires without a last look at the server.
    if (finalCheckLeadMs > 0 && finalCheckLeadMs < untilTimeout && this.mutation !== 'no-last-check-before-timeout') {
      job.timers.push(this.clock.setTimeout(() => void this.check([job]), untilTimeout - finalCheckLeadMs));
    }
    job.timers.push(
      this.clock.setTimeout(() => {
        this.settle(job, { type: 'failed', promptId: job.promptId, server: job.server, reason: 'timeout', error: `not finished within ${jobTimeoutMs} ms` });
      }, untilTimeout),
    );
  }

  private markRunning(promptId: string): void {
    const job = this.registry.active(promptId);
    if (job && job.released && job.state === 'queued') job.state = 'running';
  }

  /** Runs `emit` now, or once the job's POST /prompt reply arrives. */
  private emitFor(job: JobRecord, emit: () => void): void {
    if (job.released) emit();
    else this.held.set(job, [...(this.held.get(job) ?? []), emit]);
  }

  /**
   * Keeps a frame about `promptId` for later when no job has that id but a POST is in flight
   * (the frame may be that job's under the id the server will give it). Returns whether it was kept.
   */
  private unclaimedNow(promptId: string | undefined, replay: () => void): boolean {
    if (promptId === undefined || this.registry.get(promptId) || this.registry.unnamed().length === 0) return false;
    this.unclaimed.keep(promptId, replay);
    return true;
  }

  /** Replays the kept frames of `promptId` (now a job's), in arrival order; forgets them all once no POST is in flight. */
  private replayUnclaimed(promptId: string | undefined): void {
    if (promptId !== undefined) for (const replay of this.unclaimed.claim(promptId)) replay();
    if (this.registry.unnamed().length === 0) this.unclaimed.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}

/** Re-reads the state: it changes while a confirmation awaits. */
function isDone(job: JobRecord): boolean {
  return job.state === 'done';
}
