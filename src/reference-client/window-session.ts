import type { ApiPrompt, Clock, TimerHandle, UploadImageReply } from '../protocol/index.ts';
import { Backoff } from './backoff.ts';
import { Connection, type ConnectionState, type ConnectionStats } from './connection.ts';
import { ReferenceClientError, describeError, isTransient } from './errors.ts';
import { TypedEmitter, type JobOutcome, type Listener, type SessionEvents } from './events.ts';
import { ComfyHttp, type UploadFile } from './http-api.ts';
import { JobFollower, type FollowerStats } from './job-follower.ts';
import { JobRegistry, type JobRecord, type JobState, type RegistryCounts } from './job-registry.ts';
import { resolveTimings, resolveTransport, type ResolvedTimings, type TimingOptions, type TransportOptions } from './options.ts';
import { resolveMutation, type MutantName, type MutationOptions } from './mutants.ts';
import { Poller } from './poller.ts';
import { observeJobs, type JobObservation } from './resync.ts';
import { findBySubmitId, SUBMIT_ID_KEY } from './submit-lookup.ts';
import { seededRandom, uuid4, type Random } from './seeded-random.ts';
import { ServerPool } from './server-pool.ts';
import { TolerantParser, type ParserStats } from './tolerant-parser.ts';

export interface WindowSessionOptions extends TimingOptions, TransportOptions, MutationOptions {
  /** ComfyUI base URL(s) (`http://127.0.0.1:8188`), or a {@link ServerPool} shared with other windows. */
  servers: string | readonly string[] | ServerPool;
  /** [options.clientId=a seeded uuid, 32 hex digits] Kept for the session's life, across reconnects. */
  clientId?: string;
}

export interface SubmitOptions {
  /** Merged into the prompt's `extra_data` (`client_id` is always this session's). */
  extraData?: Record<string, unknown>;
  /**
   * [promptId=a seeded uuid] Sent as `prompt_id`, so that socket events that beat the POST reply
   * are recognised at once on a server that honours it (ComfyUI since 2025-07-14). A server may
   * name the prompt itself: the reply's id is then followed (events carry it), and frames that
   * arrived before the reply are matched once it is known.
   */
  promptId?: string;
}

export type SubmitResult =
  /** `promptId`: the prompt's id on the server (the reply's), which may differ from {@link Job.promptId}. */
  | { ok: true; server: string; promptId: string; number?: number }
  | { ok: false; error: string };

export interface Job {
  /** The id the job was submitted under: a handle for `cancel`, and the server's id where it honours it. */
  readonly promptId: string;
  /** Resolves when ComfyUI accepted or refused the prompt. Never rejects. */
  readonly accepted: Promise<SubmitResult>;
  /** Resolves with the job's one terminal outcome (also sent as an event). Never rejects. */
  readonly outcome: Promise<JobOutcome>;
}

/** What `cancel` did: removed from the queue, asked the server to interrupt, or nothing to cancel. */
export type CancelResult = 'deleted' | 'interrupted' | 'not_pending';

export interface SessionStatus {
  clientId: string;
  connection: ConnectionState;
  /** Open and receiving frames. */
  healthy: boolean;
  connectedServer: string | undefined;
  lockedServer: string | undefined;
  polling: boolean;
  pendingJobs: { promptId: string; server: string; state: JobState }[];
  counters: {
    jobs: RegistryCounts;
    frames: ParserStats;
    connection: ConnectionStats;
    recovery: FollowerStats & { polls: number; submitRetries: number };
    http: { requests: number; failures: number };
    progressDropped: number;
    lockReleases: number;
    listenerErrors: number;
  };
}

/** Only for the progress-to-wrong-window mutant: the window opened last, per pool (per application). */
const currentWindow = new WeakMap<ServerPool, WindowSession>();

/**
 * One window of an application: the unit of isolation. It has its own clientId, its own jobs and
 * its own socket, and reports events for its jobs only. It locks the server its pending jobs run
 * on, so uploads, prompts, socket and history all go to the server that has the job.
 */
export class WindowSession {
  readonly clientId: string;
  readonly timings: ResolvedTimings;
  private readonly pool: ServerPool;
  private readonly emitter = new TypedEmitter<SessionEvents>();
  private readonly registry = new JobRegistry();
  private readonly parser: TolerantParser;
  private readonly random: Random;
  private readonly http: ComfyHttp;
  private readonly connection: Connection;
  private readonly follower: JobFollower;
  private readonly poller: Poller;
  private readonly clock: Clock;
  private readonly acceptances = new Map<string, Promise<SubmitResult>>();
  /** Per server: whether its last POST reply kept the client's `prompt_id` (a capability learnt, not assumed). */
  private readonly idsHonoured = new Map<string, boolean>();
  private lockedServer: string | undefined;
  private lockTimer: TimerHandle | undefined;
  /** Uploads and submits in flight: they need the lock even before a job exists. */
  private busy = 0;
  private closed = false;
  private submitRetries = 0;
  private lockReleases = 0;
  /** For comfy-chaos's own tests only: the planted bug (mutants.ts), if any. */
  private readonly mutation: MutantName | undefined;
  /** Only for the polling-never-stops mutant: every job the poller ever polled. */
  private readonly everPolled = new Set<JobRecord>();

  constructor(options: WindowSessionOptions) {
    this.timings = resolveTimings(options);
    const transport = resolveTransport(options);
    this.mutation = resolveMutation(options);
    const mutation = this.mutation;
    this.clock = transport.clock;
    this.pool = options.servers instanceof ServerPool ? options.servers : new ServerPool(typeof options.servers === 'string' ? [options.servers] : options.servers);
    this.parser = new TolerantParser(mutation);
    this.random = seededRandom(transport.seed);
    this.clientId = options.clientId ?? uuid4(this.random).replace(/-/g, '');
    if (this.clientId === '') throw new ReferenceClientError('CC_ERR_INVALID_OPTION', 'clientId must not be empty (ComfyUI would route events nowhere)');
    const t = this.timings;
    this.http = new ComfyHttp(transport.fetch, this.clock, t.requestTimeoutMs);
    const backoff = new Backoff({
      baseMs: t.reconnectBaseMs,
      pendingBaseMs: t.reconnectPendingBaseMs,
      capMs: t.reconnectCapMs,
      pendingCapMs: t.reconnectPendingCapMs,
      jitterRatio: t.reconnectJitterRatio,
      maxAttempts: t.maxReconnectAttempts,
      random: this.random,
      mutation,
    });
    this.follower = new JobFollower(this.registry, this.http, this.clock, t, this.emitter, {
      gaveUp: () => this.connection.state === 'failed' || this.closed,
      changed: () => this.afterChange(),
      serverDrops: () => this.connection?.stats.serverDrops ?? 0,
    }, mutation);
    this.connection = new Connection(
      {
        clientId: this.clientId,
        clock: this.clock,
        webSocketFactory: transport.webSocketFactory,
        parser: this.parser,
        backoff,
        healthTimeoutMs: t.healthTimeoutMs,
        connectTimeoutMs: t.connectTimeoutMs,
        featureFlags: transport.featureFlags,
        mutation,
      },
      {
        message: (message) => this.follower.onMessage(message),
        binary: (frame) => this.follower.onBinary(frame),
        opened: ({ server, reconnect }) => {
          // MUTANT no-resync-after-reconnect: a reconnect is not followed by an HTTP look at the jobs.
          if (reconnect && mutation === 'no-resync-after-reconnect') return;
          this.follower.resync(server);
        },
        healthChanged: () => this.connectionChanged(),
        stateChanged: () => this.connectionChanged(),
        gaveUp: (server) => void this.follower.check(this.registry.accepted().filter((j) => j.server === server)),
      },
    );
    this.poller = new Poller(this.clock, t.pollIntervalMs, () => this.poll(), mutation);
    // MUTANT progress-to-wrong-window: the window opened last is the "current" one, and gets every window's progress too.
    if (mutation === 'progress-to-wrong-window') {
      currentWindow.set(this.pool, this);
      this.emitter.on('progress', (event) => {
        const current = currentWindow.get(this.pool);
        if (current && current !== this && !current.closed) current.emitter.emit('progress', event);
      });
    }
  }

  on<K extends keyof SessionEvents>(type: K, listener: Listener<SessionEvents[K]>): () => void {
    return this.emitter.on(type, listener);
  }

  off<K extends keyof SessionEvents>(type: K, listener: Listener<SessionEvents[K]>): void {
    this.emitter.off(type, listener);
  }

  /** Connects the socket to the locked (or a picked) server ahead of the first job. */
  connect(): void {
    this.assertOpen();
    this.connection.connect(this.lockedServer ?? this.connection.server ?? this.pool.servers[0]!);
  }

  /**
   * Queues `prompt` on the locked server (locking one if needed). Returns at once: the prompt id
   * is known before the POST, so nothing the socket says about it can be missed.
   */
  submit(prompt: ApiPrompt, options: SubmitOptions = {}): Job {
    this.assertOpen();
    const promptId = options.promptId ?? uuid4(this.random);
    if (this.registry.get(promptId)) throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `prompt id ${promptId} was already submitted in this window`);
    const server = this.lock();
    this.busy++;
    const { job, outcome } = this.follower.track(promptId, server);
    const accepted = this.post(job, prompt, options).finally(() => {
      this.busy--;
      this.acceptances.delete(promptId);
      this.afterChange();
    });
    this.acceptances.set(promptId, accepted);
    return { promptId, accepted, outcome };
  }

  /** Uploads an input file to the locked server (locking one if needed), so the prompt that uses it runs there. */
  async uploadImage(file: UploadFile): Promise<UploadImageReply> {
    this.assertOpen();
    const server = this.lock();
    this.busy++;
    try {
      return await this.http.uploadImage(server, file);
    } finally {
      this.busy--;
      this.afterChange();
    }
  }

  /** Cancels a job: deleted from the queue if still pending there, interrupted if running. */
  /** `promptId`: the job's handle ({@link Job.promptId}) or its id on the server. */
  async cancel(handle: string): Promise<CancelResult> {
    const first = this.registry.active(handle);
    if (!first) return 'not_pending';
    if (!first.released) await this.acceptances.get(first.submitId);
    const job = this.registry.active(handle);
    if (!job) return 'not_pending';
    const promptId = job.promptId;
    const queue = await this.http.getQueue(job.server);
    if (queue.pending.has(promptId)) {
      await this.http.deleteFromQueue(job.server, [promptId]);
      const after = await this.http.getQueue(job.server);
      if (!after.pending.has(promptId) && !after.running.has(promptId)) {
        this.follower.settle(job, { type: 'interrupted', promptId, server: job.server, cancelled: true });
        return 'deleted';
      }
      // It started between the two reads: interrupt it instead.
    }
    if (queue.running.has(promptId) || queue.pending.has(promptId)) {
      await this.http.interrupt(job.server, promptId);
      return 'interrupted';
    }
    return 'not_pending';
  }

  /**
   * Releases the server lock. Without `force` only when no job is pending (which the scheduled
   * check does by itself); with it, pending jobs stay on their server and are followed over HTTP
   * once the socket moves. Returns whether a lock was released.
   */
  releaseLock(options: { force?: boolean } = {}): boolean {
    if (this.lockedServer === undefined) return false;
    // MUTANT lock-never-released: only closing the window lets go of its server.
    if (!options.force && this.mutation === 'lock-never-released') return false;
    // MUTANT lock-released-while-pending: the lock does not wait for the window's other pending jobs.
    const pending = this.mutation === 'lock-released-while-pending' ? 0 : this.registry.pending().length;
    if (!options.force && (pending > 0 || this.busy > 0)) return false;
    this.clock.clearTimeout(this.lockTimer);
    this.lockTimer = undefined;
    this.pool.release(this.lockedServer);
    this.lockedServer = undefined;
    this.lockReleases++;
    this.updatePolling();
    return true;
  }

  status(): SessionStatus {
    return {
      clientId: this.clientId,
      connection: this.connection.state,
      healthy: this.connection.healthy,
      connectedServer: this.connection.server,
      lockedServer: this.lockedServer,
      polling: this.poller.running,
      pendingJobs: this.registry.pending().map((j) => ({ promptId: j.promptId, server: j.server, state: j.state })),
      counters: {
        jobs: { ...this.registry.counts },
        frames: { ...this.parser.stats },
        connection: { ...this.connection.stats },
        recovery: { ...this.follower.stats, polls: this.poller.polls, submitRetries: this.submitRetries },
        http: { requests: this.http.requests, failures: this.http.failures },
        progressDropped: this.follower.progressDropped,
        lockReleases: this.lockReleases,
        listenerErrors: this.emitter.listenerErrors,
      },
    };
  }

  /** Closes the socket and stops every timer; pending jobs fail with reason `disconnected`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.follower.stop('window session closed');
    this.connection.close();
    this.poller.stop();
    this.releaseLock({ force: true });
  }

  private async post(job: JobRecord, prompt: ApiPrompt, options: SubmitOptions): Promise<SubmitResult> {
    const { server, promptId } = job;
    this.connection.connect(server);
    // The socket must be registered before the prompt runs, or a fast (cached) job's events go nowhere.
    if (!this.connection.healthy) await this.connection.waitUntilOpen(this.timings.socketReadyTimeoutMs);
    // The submit id also rides in extra_data (echoed by /queue and /history), so a prompt whose
    // reply was lost can be found on a server that ignored `prompt_id` and named it itself.
    const body: Parameters<ComfyHttp['postPrompt']>[1] = { prompt, client_id: this.clientId, prompt_id: promptId, extra_data: { ...options.extraData, client_id: this.clientId, [SUBMIT_ID_KEY]: job.submitId } };
    // After a failed POST the reply may have been lost after ComfyUI queued the prompt: before
    // every retry, look; post again only when the server says it does not have it. A look that
    // cannot reach the server counts as a failed attempt, never as "absent" (posting then could
    // run the job twice: scenario 4.10).
    let mustLook = false;
    // Every socket opened from now on resyncs without this job (it is not accepted yet), so a
    // job that ended unheard meanwhile must be checked once accepted (issue 11).
    const opensBeforePost = this.connection.stats.opens;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return { ok: false, error: 'window session closed' };
      let failure: unknown;
      const seen = mustLook ? await this.look(job) : undefined;
      if (seen?.kind === 'queued' || seen?.kind === 'running' || seen?.kind === 'finished') return this.accept(job, undefined, opensBeforePost, seen);
      if (seen?.kind === 'unreachable') failure = new ReferenceClientError('CC_ERR_HTTP_NETWORK', `could not look for the prompt before posting again: ${seen.error}`);
      else {
        try {
          let result = await this.http.postPrompt(server, body);
          // A server that checks client ids (current ComfyUI wants a canonical UUID) refused this
          // one: the id is only an optimisation, so post once more without it and follow the reply's.
          if (result.kind === 'rejected' && result.message.startsWith('invalid_prompt_id:')) {
            delete body.prompt_id;
            result = await this.http.postPrompt(server, body);
          }
          if (result.kind === 'accepted') {
            this.idsHonoured.set(server, result.reply.prompt_id === job.submitId);
            this.follower.rename(job, result.reply.prompt_id);
            return this.accept(job, result.reply.number, opensBeforePost);
          }
          const error = `prompt rejected (${result.status}): ${result.message}`;
          this.follower.refused(job, 'error', error);
          return { ok: false, error };
        } catch (error) {
          failure = error;
          mustLook = true;
        }
      }
      const transient = isTransient(failure);
      if (!transient || attempt >= this.timings.submitRetryLimit) {
        // Last look: a prompt queued behind a lost reply must be followed, not reported failed.
        const last = await this.look(job);
        if (last.kind === 'queued' || last.kind === 'running' || last.kind === 'finished') return this.accept(job, undefined, opensBeforePost, last);
        const error = `POST /prompt failed after ${attempt + 1} attempt(s): ${describeError(failure)}`;
        this.follower.refused(job, transient && !(failure instanceof ReferenceClientError && failure.code === 'CC_ERR_HTTP_STATUS') ? 'disconnected' : 'error', error);
        return { ok: false, error };
      }
      this.submitRetries++;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.timings.submitRetryDelayMs * 2 ** attempt));
    }
  }

  /**
   * `seen`: what the look that found a prompt whose reply was lost saw (applied, not dropped).
   * `opensBeforePost`: the socket opens counted before the first POST.
   */
  private accept(job: JobRecord, number: number | undefined, opensBeforePost: number, seen?: JobObservation): SubmitResult {
    this.follower.accepted(job, number, seen);
    // Events may have been missed while the POST was in flight: on a sick socket, or on one that
    // dropped and came back, whose resync skipped the job (still submitting then).
    const resyncedWithoutJob = this.connection.stats.opens !== opensBeforePost;
    if (!this.connection.healthy || resyncedWithoutJob) void this.follower.check([job]);
    return { ok: true, server: job.server, promptId: job.promptId, ...(number === undefined ? {} : { number }) };
  }

  /**
   * What HTTP says about a job whose POST reply was lost: by its id, and, unless the server is
   * known to honour client ids, by the submit id in `extra_data` (renaming the job when found).
   */
  private async look(job: JobRecord): Promise<JobObservation> {
    const byId = (await observeJobs(this.http, job.server, [job.promptId])).get(job.promptId)!;
    if (byId.kind !== 'absent' || this.idsHonoured.get(job.server) === true) return byId;
    // "absent" means /queue was just read: its snapshot serves the search too.
    const found = await findBySubmitId(this.http, job.server, job.submitId, this.http.lastQueue(job.server));
    if (found.kind === 'unreachable') return found;
    if (found.kind === 'absent') return byId;
    this.follower.rename(job, found.promptId);
    return (await observeJobs(this.http, job.server, [job.promptId])).get(job.promptId)!;
  }

  private lock(): string {
    this.clock.clearTimeout(this.lockTimer);
    this.lockTimer = undefined;
    this.lockedServer ??= this.pool.acquire();
    // The socket follows the lock.
    this.connection.connect(this.lockedServer);
    return this.lockedServer;
  }

  private afterChange(): void {
    if (this.closed) return;
    const server = this.connection.server;
    this.connection.setJobsPending(this.registry.pending().some((j) => j.server === server));
    this.updatePolling();
    const { completed, failed, interrupted, lost } = this.registry.counts;
    // MUTANT lock-released-while-pending: once a job of the window has ended, the window counts as idle.
    const idle = this.mutation === 'lock-released-while-pending' ? completed + failed + interrupted + lost > 0 : this.registry.pending().length === 0;
    if (idle && this.busy === 0 && this.lockedServer !== undefined && this.lockTimer === undefined) {
      this.lockTimer = this.clock.setTimeout(() => {
        this.lockTimer = undefined;
        this.releaseLock();
      }, this.timings.lockReleaseDelayMs);
    }
  }

  private connectionChanged(): void {
    this.updatePolling();
    this.emitter.emit('connection', { state: this.connection.state, healthy: this.connection.healthy, server: this.connection.server });
  }

  /** Jobs the socket cannot currently speak for: it is down or deaf, or they run on another server. */
  private jobsNeedingPolling(): JobRecord[] {
    const healthy = this.connection.healthy;
    const server = this.connection.server;
    return this.registry.accepted().filter((job) => !healthy || job.server !== server);
  }

  private poll(): Promise<void> {
    const jobs = this.jobsNeedingPolling();
    // MUTANT polling-never-stops: every tick reports again each job the poller once saw finished.
    if (this.mutation === 'polling-never-stops') {
      for (const job of this.everPolled) {
        if (job.outcome?.type !== 'completed') continue;
        const { type: _type, ...event } = job.outcome;
        this.emitter.emit('completed', event);
      }
      for (const job of jobs) this.everPolled.add(job);
    }
    return this.follower.check(jobs);
  }

  private updatePolling(): void {
    this.poller.update(!this.closed && this.jobsNeedingPolling().length > 0);
  }

  private assertOpen(): void {
    if (this.closed) throw new ReferenceClientError('CC_ERR_SESSION_CLOSED', 'this window session was closed; open a new one');
  }
}
