/**
 * Who owns which job, and how far each unfinished job got. A job is entered before it is
 * submitted (the relay chooses the prompt id), so no event about it can arrive unowned, and it
 * is removed at its one terminal event, so the book holds only unfinished jobs.
 */
export interface RelayJob {
  promptId: string;
  readonly userId: string;
  readonly clientId: string;
  /** ComfyUI accepted it (the reference client said `submitted`). Until then nothing is relayed. */
  accepted: boolean;
  running: boolean;
  value: number;
  max: number;
}

/** What `active_tasks` lists for a user. */
export interface ActiveTask {
  prompt_id: string;
  status: 'queued' | 'running';
  value: number;
  max: number;
}

export class JobBook {
  private readonly jobs = new Map<string, RelayJob>();
  private readonly byClient = new Map<string, Set<string>>();

  add(promptId: string, userId: string, clientId: string): RelayJob {
    const job: RelayJob = { promptId, userId, clientId, accepted: false, running: false, value: 0, max: 0 };
    this.jobs.set(promptId, job);
    let ids = this.byClient.get(clientId);
    if (!ids) this.byClient.set(clientId, (ids = new Set()));
    ids.add(promptId);
    return job;
  }

  get(promptId: string): RelayJob | undefined {
    return this.jobs.get(promptId);
  }

  /** The server named the prompt itself (ComfyUI before 2025-07-14): the job is known by that id from now on. */
  rename(from: string, to: string): void {
    const job = this.jobs.get(from);
    if (!job || from === to) return;
    this.jobs.delete(from);
    job.promptId = to;
    this.jobs.set(to, job);
    const ids = this.byClient.get(job.clientId);
    ids?.delete(from);
    ids?.add(to);
  }

  /** Forgets a job (it ended, or ComfyUI never took it); returns it if it was there. */
  remove(promptId: string): RelayJob | undefined {
    const job = this.jobs.get(promptId);
    if (!job) return undefined;
    this.jobs.delete(promptId);
    const ids = this.byClient.get(job.clientId);
    ids?.delete(promptId);
    if (ids?.size === 0) this.byClient.delete(job.clientId);
    return job;
  }

  /** A user's accepted, unfinished jobs, oldest first. */
  activeFor(clientId: string): ActiveTask[] {
    const tasks: ActiveTask[] = [];
    for (const id of this.byClient.get(clientId) ?? []) {
      const job = this.jobs.get(id);
      if (!job?.accepted) continue;
      tasks.push({ prompt_id: id, status: job.running ? 'running' : 'queued', value: job.value, max: job.max });
    }
    return tasks;
  }

  get size(): number {
    return this.jobs.size;
  }
}
