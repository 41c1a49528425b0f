/**
 * The heart of the relay: submits users' prompts through one reference-client window (one
 * upstream clientId and socket for all users, as a backend holds it) and turns every event the
 * reference client reports for a job into a message for the job's owner, on every downstream.
 *
 * Reconnects, polling, resync and exactly-once outcomes are the reference client's; this file
 * only routes. Routing is by prompt id, which the relay chooses and enters in the {@link JobBook}
 * before the POST, so an event can only reach the user who submitted the job.
 */
import { randomUUID } from 'node:crypto';
import type { ApiPrompt } from '../../../src/protocol/index.ts';
import type { JobOutcome, WindowSession } from '../../../src/reference-client/index.ts';
import { JobBook, type ActiveTask } from './jobs.ts';
import { imageUrls, type Downstream, type RelayMessage } from './messages.ts';
import type { Refunds } from './refunds.ts';

export type SubmitReply = { ok: true; promptId: string } | { ok: false; error: string };

export interface JobsRelayOptions {
  session: WindowSession;
  comfyUrl: string;
  refunds: Refunds;
  downstreams: readonly Downstream[];
  log: (line: string) => void;
}

export class JobsRelay {
  readonly book = new JobBook();
  private readonly unsubscribers: (() => void)[];
  private closed = false;

  constructor(private readonly options: JobsRelayOptions) {
    const { session } = options;
    this.unsubscribers = [
      session.on('submitted', ({ promptId, submitId }) => {
        // A server that ignores the relay's prompt_id names the job itself; its events carry that id.
        this.book.rename(submitId, promptId);
        const job = this.book.get(promptId);
        if (job) job.accepted = true;
      }),
      session.on('progress', ({ promptId, value, max }) => {
        const job = this.acceptedJob(promptId);
        if (!job) return;
        job.running = true;
        job.value = value;
        job.max = max;
        this.send(job.clientId, { type: 'progress', prompt_id: promptId, value, max });
      }),
      session.on('completed', (event) => this.finish({ type: 'completed', ...event })),
      session.on('failed', (event) => this.finish({ type: 'failed', ...event })),
      session.on('interrupted', (event) => this.finish({ type: 'interrupted', ...event })),
      session.on('lost', (event) => this.finish({ type: 'lost', ...event })),
    ];
  }

  /** Submits `prompt` for its owner; resolves once ComfyUI queued it or the reference client gave up. */
  async submit(userId: string, clientId: string, prompt: ApiPrompt): Promise<SubmitReply> {
    if (this.closed) return { ok: false, error: 'the relay is shutting down' };
    const promptId = randomUUID();
    this.book.add(promptId, userId, clientId);
    let accepted;
    try {
      accepted = await this.options.session.submit(prompt, { promptId }).accepted;
    } catch (error) {
      accepted = { ok: false as const, error: error instanceof Error ? error.message : String(error) };
    }
    if (accepted.ok) return { ok: true, promptId: accepted.promptId };
    // Refused (400 from ComfyUI, or POST kept failing): the caller hears it as this reply, so
    // no downstream message and no refund (nothing was charged for a job that never ran).
    this.book.remove(promptId);
    return { ok: false, error: accepted.error };
  }

  /** A user's accepted, unfinished jobs (for Socket.IO's `active_tasks`). */
  activeTasks(clientId: string): ActiveTask[] {
    const tasks = this.book.activeFor(clientId);
    if (tasks.length === 0) return tasks;
    // The reference client knows a job started even when it has no progress to show.
    const running = new Set(this.options.session.status().pendingJobs.filter((j) => j.state === 'running').map((j) => j.promptId));
    return tasks.map((task) => (running.has(task.prompt_id) ? { ...task, status: 'running' } : task));
  }

  /** Stops relaying. Call before closing the reference client, whose close fails pending jobs locally only. */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribers) off();
  }

  private acceptedJob(promptId: string) {
    const job = this.book.get(promptId);
    return job?.accepted ? job : undefined;
  }

  private finish(outcome: JobOutcome): void {
    const job = this.acceptedJob(outcome.promptId);
    // Not accepted: a refused submit (answered by `submit`); unknown: not ours, or already ended.
    if (!job) return;
    this.book.remove(job.promptId);
    if (outcome.type === 'completed') {
      this.send(job.clientId, { type: 'imageResult', prompt_id: job.promptId, urls: imageUrls(this.options.comfyUrl, outcome.outputs as Record<string, Record<string, unknown>>) });
      return;
    }
    const message =
      outcome.type === 'failed' ? outcome.error
      : outcome.type === 'interrupted' ? (outcome.cancelled ? 'cancelled before it ran' : 'interrupted')
      : `lost: ${outcome.error}`;
    this.options.log(`job ${job.promptId} of user ${job.userId} ended with ${outcome.type}: ${message}; refunding`);
    this.options.refunds.refund(job.userId, job.promptId);
    this.send(job.clientId, { type: 'error', prompt_id: job.promptId, message });
  }

  private send(clientId: string, message: RelayMessage): void {
    for (const downstream of this.options.downstreams) downstream.deliver(clientId, message);
  }
}
