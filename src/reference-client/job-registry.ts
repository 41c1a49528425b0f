import type { NodeOutput, TimerHandle } from '../protocol/index.ts';
import type { JobOutcome } from './events.ts';

/**
 * - `submitting`: POST /prompt in flight (WebSocket events may already arrive: ComfyUI sends them
 *   before the HTTP reply under load, which is why prompt ids are chosen by the client);
 * - `queued` / `running`: accepted, not finished;
 * - `done`: a terminal outcome was reported; nothing can change it.
 */
export type JobState = 'submitting' | 'queued' | 'running' | 'done';

/** Last thing HTTP said about a job. */
export type Observation = 'finished' | 'queued' | 'running' | 'absent' | 'unreachable';

export interface JobRecord {
  /**
   * The prompt's id on the server, which every frame and HTTP answer about it carries. Until the
   * POST /prompt reply it is the id the client sent; a server that names prompts itself (every
   * ComfyUI before 2025-07-14, commit 260a5ca5) gives another, and the job is renamed to it.
   */
  promptId: string;
  /** The id the job was submitted under (the client's choice, sent as `prompt_id`): the user's handle, never changed. */
  readonly submitId: string;
  readonly server: string;
  readonly submittedAt: number;
  state: JobState;
  /**
   * Events flow to the user. False until the POST /prompt reply: events that arrive earlier are
   * held, so a user always hears `submitted` before anything else about a job.
   */
  released: boolean;
  /** `execution_success` seen on the socket. */
  successSeen: boolean;
  /** The end of the job was seen (success or `executing{node:null}`); history confirmation runs. */
  confirming: boolean;
  /** An HTTP check of this job is in flight (checks never overlap per job). */
  checking: boolean;
  /**
   * A check was asked for while one was in flight: the one in flight may have read the server
   * before what prompted the new one (a reconnect after the job ended unheard), so one more
   * check runs when it returns.
   */
  checkAgain: boolean;
  /** Consecutive checks that found the job in neither the queue nor history. */
  absentChecks: number;
  /** The connection's server-side drops when the job was submitted: no drop since, no restart, so not lost. */
  serverDropsAtSubmit?: number;
  /** When the first counted absence was seen (reset when the job is seen again). */
  firstAbsentAt?: number;
  /** When the last counted absence was seen: absences closer together than the recheck delay count once. */
  lastAbsentAt?: number;
  lastObservation: Observation | undefined;
  /** Outputs from `executed` frames: used only if history never confirms a seen success. */
  socketOutputs: Record<string, NodeOutput>;
  /** The node last seen in `executing`, for type-1 previews that carry no ids. */
  currentNode: string | undefined;
  timers: TimerHandle[];
  outcome: JobOutcome | undefined;
}

export interface RegistryCounts {
  completed: number;
  failed: number;
  interrupted: number;
  lost: number;
  /** Second (or later) terminal reports for a job that were suppressed: proof of exactly-once. */
  duplicatesSuppressed: number;
}

/**
 * The jobs of one window. `settle` is the only way to end a job and succeeds once per job, so a
 * job is reported completed once, and never completed and failed, whatever mix of socket events,
 * polling and resync saw its end.
 */
export class JobRegistry {
  readonly counts: RegistryCounts = { completed: 0, failed: 0, interrupted: 0, lost: 0, duplicatesSuppressed: 0 };
  private readonly jobs = new Map<string, JobRecord>();
  /** Finished jobs are remembered (bounded) so late frames about them are recognised and ignored. */
  private readonly finished: string[] = [];
  /** submitId -> promptId, for jobs the server named itself. */
  private readonly renamed = new Map<string, string>();

  constructor(private readonly retainFinished = 1000) {}

  add(promptId: string, server: string, now: number): JobRecord {
    if (this.jobs.has(promptId)) throw new Error(`job ${promptId} is already registered`);
    const record: JobRecord = {
      promptId,
      submitId: promptId,
      server,
      submittedAt: now,
      state: 'submitting',
      released: false,
      successSeen: false,
      confirming: false,
      checking: false,
      checkAgain: false,
      absentChecks: 0,
      lastObservation: undefined,
      socketOutputs: {},
      currentNode: undefined,
      timers: [],
      outcome: undefined,
    };
    this.jobs.set(promptId, record);
    return record;
  }

  /** By the server's prompt id, or by the id the job was submitted under. */
  get(promptId: string | undefined): JobRecord | undefined {
    if (promptId === undefined) return undefined;
    return this.jobs.get(promptId) ?? this.jobs.get(this.renamed.get(promptId) ?? '');
  }

  /** A job not yet done (submitting included). */
  active(promptId: string | undefined): JobRecord | undefined {
    const job = this.get(promptId);
    return job && job.state !== 'done' ? job : undefined;
  }

  /** Jobs not done, in submission order. */
  pending(): JobRecord[] {
    return [...this.jobs.values()].filter((job) => job.state !== 'done');
  }

  /** Pending jobs ComfyUI has accepted (the ones HTTP can be asked about). */
  accepted(): JobRecord[] {
    return this.pending().filter((job) => job.state !== 'submitting');
  }

  /**
   * Ends the job with `outcome`. Returns false, and counts a suppressed duplicate, if it had
   * already ended.
   */
  settle(promptId: string, outcome: JobOutcome): boolean {
    const job = this.jobs.get(promptId);
    if (!job) return false;
    if (job.state === 'done') {
      this.counts.duplicatesSuppressed++;
      return false;
    }
    job.state = 'done';
    job.outcome = outcome;
    this.counts[outcome.type]++;
    this.finished.push(promptId);
    while (this.finished.length > this.retainFinished) {
      const evicted = this.finished.shift()!;
      const record = this.jobs.get(evicted);
      this.jobs.delete(evicted);
      if (record) this.renamed.delete(record.submitId);
    }
    return true;
  }

  /** Jobs whose POST /prompt is still in flight: their server-side id may not be known yet. */
  unnamed(): JobRecord[] {
    return this.pending().filter((job) => !job.released);
  }

  /** The server named the prompt `promptId` (not the id sent): frames and HTTP use that from now on. */
  rename(job: JobRecord, promptId: string): void {
    if (job.promptId === promptId) return;
    const other = this.jobs.get(promptId);
    if (other && other !== job) throw new Error(`the server named job ${job.submitId} ${promptId}, the id of job ${other.submitId}`);
    this.jobs.delete(job.promptId);
    job.promptId = promptId;
    this.jobs.set(promptId, job);
    this.renamed.set(job.submitId, promptId);
  }

  /** Removes a job that never reached the server (POST rejected or not sent). */
  forget(promptId: string): void {
    this.jobs.delete(promptId);
  }
}
