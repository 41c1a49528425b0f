import { graphSpecs, type GraphKey } from './graphs.ts';

/**
 * A small model of ComfyUI 0.3.64's queue, worker, history and socket table
 * (comfyui-protocol.md §1, §4, §5), written from the protocol page and not from the simulator:
 * the ground truth the oracle trusts is checked against it.
 *
 * Time is discrete: the model knows when the worker picks a prompt up (pickupMs after a POST to
 * an idle worker, at once after the previous prompt ends), how long each graph of `graphs.ts`
 * runs, where an interrupt is noticed (the next sampler step), and what a restart kills.
 */

/** ComfyUI's worker wakes this long after a POST to an idle queue (the simulator's default pickupMs). */
export const PICKUP_MS = 20;
/** PreviewAny and SimFail take 1 ms (nodes/catalogue.ts). */
const SMALL_NODE_MS = 1;

export type PromptEvent = 'queued' | 'started' | 'success' | 'error' | 'interrupted' | 'lost' | 'history_written' | 'deleted';
export type Outcome = 'success' | 'error' | 'interrupted';

export interface ModelPrompt {
  promptId: string;
  number: number;
  clientId: string | null;
  graph: GraphKey;
}

export interface Run {
  prompt: ModelPrompt;
  startedAt: number;
  /** Every node of the graph is in the cache: no per-node executing, no time spent. */
  cached: boolean;
  /** When the first interrupt that applies to this run arrived. */
  interruptAt: number | null;
  outcome?: Outcome | 'lost';
}

export interface ExpectedEvent {
  t: number;
  event: PromptEvent;
  promptId: string;
}

export interface HistoryModelEntry {
  run: Run;
  outcome: Outcome;
}

/** A timer the model expects the simulator to have set: due `at`, ordered like the virtual clock orders them. */
interface ModelTimer {
  at: number;
  /** When it was set, then 0 if set while time advanced, 1 if set by a command at that instant. */
  setAt: number;
  phase: 0 | 1;
}

export interface SocketRef {
  label: string;
  clientId: string | null;
  /** Known once connected. */
  sid: string | null;
  open: boolean;
}

export class QueueModel {
  now: number;
  counter = 0;
  pending: ModelPrompt[] = [];
  running: Run | null = null;
  readonly history = new Map<string, HistoryModelEntry>();
  /** The graph whose nodes are all cached (only the last prompt's nodes stay cached). */
  cache: GraphKey | null = null;
  up = true;
  private upTimer: ModelTimer | null = null;
  private kick: ModelTimer | null = null;
  readonly events: ExpectedEvent[] = [];
  readonly runs: Run[] = [];
  /** sid -> the socket registered for it (the latest connection with that sid). */
  readonly table = new Map<string, SocketRef>();
  readonly sockets: SocketRef[] = [];
  /** GET /queue's pending list as last seen (heap order): what "the first match" means for delete. */
  observedPendingOrder: Array<{ promptId: string; number: number }> = [];

  constructor(startMs: number) {
    this.now = startMs;
  }

  remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  private emit(event: PromptEvent, promptId: string): void {
    this.events.push({ t: this.now, event, promptId });
  }

  // --- commands --------------------------------------------------------------------------------

  /** POST /prompt: returns the number the reply must carry and whether it is accepted. */
  submit(graph: GraphKey, clientId: string | null, front: boolean, explicitNumber: number | null): { number: number; accepted: boolean } {
    let number: number;
    if (explicitNumber !== null) number = explicitNumber;
    else {
      number = front ? -this.counter : this.counter;
      this.counter++; // per POST, before validation (§7): a 400 still uses a number
    }
    number = number + 0; // -0 is 0 in JSON
    return { number, accepted: graphSpecs[graph].kind !== 'invalid' };
  }

  /** The accepted prompt joins the queue; an idle worker is woken. */
  enqueue(prompt: ModelPrompt): void {
    this.pending.push(prompt);
    this.emit('queued', prompt.promptId);
    if (!this.running && !this.kick) this.kick = { at: this.now + PICKUP_MS, setAt: this.now, phase: 1 };
  }

  /** POST /interrupt: only the running prompt, and only when the id (if any) is the running one. */
  interrupt(promptId: string | null): void {
    const run = this.running;
    if (!run || (promptId !== null && run.prompt.promptId !== promptId)) return;
    if (run.interruptAt === null) run.interruptAt = this.now;
  }

  /** POST /queue {delete: [id]}: the first pending match in GET /queue order only. */
  deletePending(promptId: string): void {
    const first = this.observedPendingOrder.find((p) => p.promptId === promptId);
    if (!first) return;
    const i = this.pending.findIndex((p) => p.promptId === first.promptId && p.number === first.number);
    const [removed] = this.pending.splice(i, 1);
    this.emit('deleted', removed!.promptId);
  }

  clearPending(): void {
    for (const p of this.pending) this.emit('deleted', p.promptId);
    this.pending = [];
  }

  /** The process dies: sockets drop; with `loseState` queue, history, cache and counter go too. */
  restart(downMs: number, loseState: boolean): void {
    this.up = false;
    this.upTimer = { at: this.now + downMs, setAt: this.now, phase: 1 };
    for (const socket of this.sockets) socket.open = false;
    this.table.clear();
    if (!loseState) return;
    if (this.running) {
      this.running.outcome = 'lost';
      this.emit('lost', this.running.prompt.promptId);
    }
    for (const p of this.pending) this.emit('lost', p.promptId);
    this.running = null;
    this.pending = [];
    this.history.clear();
    this.cache = null;
    this.counter = 0;
    this.kick = null;
  }

  connect(socket: SocketRef, sid: string): void {
    socket.sid = sid;
    socket.open = true;
    this.sockets.push(socket);
    this.table.set(sid, socket);
  }

  disconnect(socket: SocketRef): void {
    socket.open = false;
    // Only if it is still the registered one; the #16010 unconditional removal is a fault, not the default.
    if (socket.sid !== null && this.table.get(socket.sid) === socket) this.table.delete(socket.sid);
  }

  /** The node a reconnecting owner is told about (`executing{node}` replay), or null. */
  currentNode(): string | null {
    const run = this.running;
    if (!run || run.cached) return null;
    const spec = graphSpecs[run.prompt.graph];
    if (spec.kind !== 'sleep') return '1';
    return this.now < run.startedAt + spec.durationMs ? '1' : '2';
  }

  // --- time ------------------------------------------------------------------------------------

  /** When the running prompt ends and how, given the interrupts so far. */
  terminalOf(run: Run): ModelTimer & { outcome: Outcome } {
    const start = run.startedAt;
    if (run.cached) return { at: start, setAt: start, phase: 0, outcome: 'success' };
    const spec = graphSpecs[run.prompt.graph];
    // SimFail fails after its 1 ms; it has no step at which an interrupt could be noticed.
    if (spec.kind !== 'sleep') return { at: start + SMALL_NODE_MS, setAt: start, phase: 0, outcome: 'error' };
    const stepMs = spec.durationMs / spec.steps;
    const end = start + spec.durationMs;
    if (run.interruptAt !== null && run.interruptAt < end) {
      // Noticed at the next step boundary after it arrived (a step that already ran does not look back).
      const at = start + stepMs * (Math.floor((run.interruptAt - start) / stepMs) + 1);
      return { at, setAt: at - stepMs, phase: 0, outcome: 'interrupted' };
    }
    return { at: end + SMALL_NODE_MS, setAt: end, phase: 0, outcome: 'success' };
  }

  /** Runs everything due up to `target`, in the virtual clock's order. */
  advanceTo(target: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const terminal = this.running ? this.terminalOf(this.running) : null;
      const due = [
        terminal && { timer: terminal, kind: 'terminal' as const },
        this.kick && { timer: this.kick, kind: 'kick' as const },
        this.upTimer && { timer: this.upTimer, kind: 'up' as const },
      ]
        .filter((x): x is NonNullable<typeof x> => x !== null)
        .sort((a, b) => a.timer.at - b.timer.at || a.timer.setAt - b.timer.setAt || a.timer.phase - b.timer.phase);
      const next = due[0];
      if (!next || next.timer.at > target) break;
      this.now = Math.max(this.now, next.timer.at);
      if (next.kind === 'terminal') this.finish(this.running!, terminal!.outcome);
      else if (next.kind === 'kick') {
        this.kick = null;
        this.startNext();
      } else {
        this.upTimer = null;
        this.up = true;
        if (!this.running && !this.kick) this.kick = { at: this.now + PICKUP_MS, setAt: this.now, phase: 0 };
      }
    }
    this.now = Math.max(this.now, target);
  }

  private startNext(): void {
    if (!this.up || this.pending.length === 0) return;
    let best = 0;
    for (let i = 1; i < this.pending.length; i++) if (lessThan(this.pending[i]!, this.pending[best]!)) best = i;
    const [prompt] = this.pending.splice(best, 1);
    const spec = graphSpecs[prompt!.graph];
    const run: Run = { prompt: prompt!, startedAt: this.now, cached: spec.kind === 'sleep' && this.cache === prompt!.graph, interruptAt: null };
    this.running = run;
    this.runs.push(run);
    this.emit('started', prompt!.promptId);
    // A fully cached prompt runs no node: it ends at the instant it starts.
    if (run.cached) this.finish(run, 'success');
  }

  private finish(run: Run, outcome: Outcome): void {
    run.outcome = outcome;
    this.emit(outcome, run.prompt.promptId);
    this.history.set(run.prompt.promptId, { run, outcome }); // an overwrite keeps the old position
    this.emit('history_written', run.prompt.promptId);
    this.cache = outcome === 'success' ? run.prompt.graph : null;
    this.running = null;
    this.startNext();
  }
}

/** Python's tuple order on (number, prompt_id). */
export function lessThan(a: { number: number; promptId: string }, b: { number: number; promptId: string }): boolean {
  if (a.number !== b.number) return a.number < b.number;
  return a.promptId < b.promptId;
}
