import type { NodeOutput } from '../protocol/index.ts';
import type { ConnectionState } from './connection.ts';

/** Why a job failed; `interrupted` and `lost` have events of their own. */
export type FailedReason = 'error' | 'timeout' | 'disconnected';

export interface SubmittedEvent {
  /** The prompt's id on the server: every later event of the job carries this one. */
  promptId: string;
  /**
   * The id the job was submitted under ({@link Job.promptId}, sent as `prompt_id`). It differs
   * from `promptId` on a server that names prompts itself (ComfyUI before 2025-07-14).
   */
  submitId: string;
  server: string;
  /** The queue number ComfyUI gave it (unknown when the reply was lost and the job found by a check). */
  number?: number;
}
export interface ProgressEvent {
  promptId: string;
  value: number;
  max: number;
  node: string;
}
export interface PreviewEvent {
  promptId: string;
  mimeType: 'image/jpeg' | 'image/png';
  image: Uint8Array;
  /** Known for metadata previews (type 4); for type 1 frames, the node last seen executing. */
  node?: string;
}
export interface CompletedEvent {
  promptId: string;
  server: string;
  /** Node id -> UI dict, from `/history` (cached output nodes included). */
  outputs: Record<string, NodeOutput>;
  /**
   * `history` normally; `websocket` only when `execution_success` was seen but the history entry
   * never appeared within the retries (outputs then come from `executed` frames).
   */
  confirmedBy: 'history' | 'websocket';
}
export interface FailedEvent {
  promptId: string;
  server: string;
  reason: FailedReason;
  error: string;
}
export interface InterruptedEvent {
  promptId: string;
  server: string;
  /** True when the job was removed from the queue by `cancel()` before it ran. */
  cancelled: boolean;
}
export interface LostEvent {
  promptId: string;
  server: string;
  error: string;
}
export interface ConnectionEvent {
  state: ConnectionState;
  healthy: boolean;
  server: string | undefined;
}

export interface SessionEvents {
  submitted: SubmittedEvent;
  progress: ProgressEvent;
  preview: PreviewEvent;
  completed: CompletedEvent;
  failed: FailedEvent;
  interrupted: InterruptedEvent;
  lost: LostEvent;
  connection: ConnectionEvent;
}

/** How a job ended: exactly one per job. */
export type JobOutcome =
  | ({ type: 'completed' } & CompletedEvent)
  | ({ type: 'failed' } & FailedEvent)
  | ({ type: 'interrupted' } & InterruptedEvent)
  | ({ type: 'lost' } & LostEvent);

export type Listener<T> = (event: T) => void;

/**
 * A tiny typed emitter (no `node:events`, so it runs in a browser). A throwing listener is
 * counted and does not stop the others or the client.
 */
export class TypedEmitter<Events extends object> {
  listenerErrors = 0;
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(event);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
