import type { Clock, ComfyuiProfile, Fault, FaultInput, HistoryEntry, NodeOutput, TimerHandle } from '../protocol/index.ts';
import { SocketHub } from './delivery/socket-hub.ts';
import { executePrompt } from './engine/prompt-executor.ts';
import { HistoryStore } from './engine/history-store.ts';
import { catalogueBehaviour, type NodeBehaviour } from './engine/node-behaviour.ts';
import { NodeCache } from './engine/node-cache.ts';
import { PromptQueue, toQueueItem, type QueuedPrompt } from './engine/prompt-queue.ts';
import { acceptScriptedPrompt, playScriptedPrompt, scriptFor, type ScriptedOutcome, type ScriptedPrompt } from './engine/scripted-prompt.ts';
import { resolveTiming, type ResolvedTiming, type TimingOptions } from './engine/timing.ts';
import { FaultInjector, type FaultActions, type ServerEvent } from './faults/fault-injector.ts';
import { outputFileDigests } from './engine/output-files.ts';
import { asSaveException } from './engine/node-exception.ts';
import { FileStore } from './files/file-store.ts';
import { makePng } from './files/png.ts';
import { jsonResponse, type SimResponse } from './http/types.ts';
import { nodeCatalogue, type NodeCatalogue } from './nodes/catalogue.ts';
import { validatePrompt } from './nodes/validate-prompt.ts';
import { baselineProfile } from './profiles/index.ts';
import { decidePromptId } from './profiles/prompt-ids.ts';
import { guardedClock } from './guarded-clock.ts';
import { resolveLimits, type ResolvedLimits, type SimulatorLimits } from './limits.ts';
import { SeededRandom } from './random.ts';
import { TraceRecorder } from './trace/trace-recorder.ts';

export interface SimulatorCoreOptions {
  clock: Clock;
  /** Seeds prompt ids and sids [default 1] */
  seed?: number;
  /** Which ComfyUI release (or front) to be: src/simulator/profiles [default the baseline, 0.3.64]. */
  profile?: ComfyuiProfile;
  faults?: readonly FaultInput[];
  timing?: TimingOptions;
  /** Send a JPEG preview per sampler step, as with `--preview-method auto` [default false: ComfyUI's default is none] */
  previews?: boolean;
  /** Largest history, as MAXIMUM_HISTORY_SIZE [default 10000] */
  maxHistory?: number;
  /** Keep every trace event in memory (`sim.trace.events`) [default true] */
  keepTrace?: boolean;
  /** Record into this trace (shared by several simulators of one run) instead of a new one. */
  sharedTrace?: TraceRecorder;
  /** This server's index (1-based) in a pool; tags its trace events. */
  serverIndex?: number;
  /** Applies network faults (`toxic`, `partition`) when their triggers fire: the harness's Toxiproxy. */
  onNetworkFault?: (fault: Extract<Fault, { type: 'toxic' | 'partition' }>) => void;
  /** Called when a restart fault takes the server down or brings it back (the network transport closes its port). */
  onAvailability?: (up: boolean) => Promise<void> | void;
  /** What a client may make the simulator hold; each limit's default is in src/simulator/limits.ts. */
  limits?: SimulatorLimits;
  /** Told of every error of the simulator's own that it caught (after the trace's `internal_error`); `serve` prints them. */
  onInternalError?: (where: string, error: unknown) => void;
  /** Scripted mode: the n-th accepted prompt plays `script[n-1]` (recorded frames) instead of running the engine. */
  script?: readonly ScriptedPrompt[];
  /**
   * Do not start the fault schedule's time triggers at start; `startTimeFaults()` does, counting
   * from then. The harness starts them once the client under test is up, so `afterMs` means the
   * same for a client that starts in 10 ms and a relay that starts in 5 s [default false].
   */
  holdTimeFaults?: boolean;
  /** The node classes the server knows: `/object_info`, validation and execution [default the built-in `nodeCatalogue`; `serve --nodes` adds a node file's (nodes/custom-nodes.ts)]. */
  catalogue?: NodeCatalogue;
}

/**
 * The simulated ComfyUI process: queue, worker, history, caches, sockets and faults, with no
 * knowledge of ports. Transports reach it through {@link SimulatorEndpoint}; routes through the
 * methods below.
 */
export class SimulatorCore {
  readonly clock: Clock;
  readonly trace: TraceRecorder;
  readonly queue = new PromptQueue();
  readonly history: HistoryStore;
  readonly cache = new NodeCache();
  readonly files: FileStore;
  readonly limits: ResolvedLimits;
  readonly hub: SocketHub;
  readonly injector: FaultInjector;
  readonly timing: ResolvedTiming;
  readonly behaviourOf: (classType: string) => NodeBehaviour;
  readonly catalogue: NodeCatalogue;
  readonly profile: ComfyuiProfile;
  private readonly random: SeededRandom;
  private counter = 0;
  private accepted = 0;
  private interruptFlag = false;
  private generation = 0;
  private currentNode: string | null = null;
  private workerBusy = false;
  /** `history_late` (ComfyUI#11540): time between the terminal `execution_*` message and task_done, in ms. */
  private taskDoneDelayMs = 0;
  /** `history_replica_lag`: how far history reads lag behind the queue, in ms. */
  private replicaLagMs = 0;
  private refuseUntil = 0;
  private refuseStatus = 503;
  private up = true;
  private closed = false;
  /** Timers of the process (worker pickup, late history, restart), cleared when it stops so nothing outlives it. */
  private readonly timers = new Set<TimerHandle>();

  constructor(private readonly options: SimulatorCoreOptions) {
    this.clock = options.clock;
    this.random = new SeededRandom(options.seed ?? 1);
    this.limits = resolveLimits(options.limits);
    this.files = new FileStore({ maxTotalBytes: this.limits.maxFileBytes });
    this.profile = options.profile ?? baselineProfile;
    const trace = options.sharedTrace ?? new TraceRecorder(options.clock, options.keepTrace ?? true);
    this.trace = options.serverIndex === undefined ? trace : trace.forServer(options.serverIndex);
    this.history = new HistoryStore(options.maxHistory, this.limits.maxHistoryBytes, (promptId, held) =>
      this.trace.record({ kind: 'note', message: `limit: history entry ${promptId} evicted: history holds ${held} bytes (limits.maxHistoryBytes ${this.limits.maxHistoryBytes})` }),
    );
    this.timing = resolveTiming(options.timing);
    this.catalogue = options.catalogue ?? nodeCatalogue;
    this.behaviourOf = catalogueBehaviour(this.catalogue);
    // Timers of faults and of the publish loop report a throw as internal_error instead of ending the process.
    const timers = guardedClock(this.clock, (error) => this.recordInternalError('engine', error));
    this.injector = new FaultInjector(options.faults ?? [], this.faultActions(), timers, this.trace);
    this.hub = new SocketHub(timers, this.trace, this.random, this.injector, {
      queueRemaining: () => this.queue.remaining(),
      serverFeatureFlags: () => this.profile.featureFlags,
      replayFor: (sid) => {
        const running = this.queue.running;
        if (!running || running.extraData.client_id !== sid || this.currentNode === null) return [];
        return [{ type: 'executing', data: { node: this.currentNode } }];
      },
    }, this.limits.maxTracedClientFrameBytes);
  }

  start(): void {
    this.trace.record({ kind: 'server', event: 'start' });
    if (!this.options.holdTimeFaults) this.injector.start();
  }

  /** Starts held time triggers (`holdTimeFaults`), counting from now. */
  startTimeFaults(): void {
    if (this.options.holdTimeFaults && !this.closed) this.injector.start();
  }

  /** Runs `callback` after `delayMs` on the simulator's clock, unless the simulator stops first. */
  private later(callback: () => void, delayMs: number): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      try {
        callback();
      } catch (error) {
        this.recordInternalError('engine', error);
      }
    }, delayMs);
    this.timers.add(handle);
  }

  /**
   * An error of the simulator's own, caught: `internal_error` in the trace (the run's verdict
   * becomes `harness-error`), then `onInternalError`. Never throws.
   */
  recordInternalError(where: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    try {
      this.trace.record({ kind: 'internal_error', where, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
      this.options.onInternalError?.(where, e);
    } catch {
      // The trace or the listener failed too: nothing is left to tell, and the simulator goes on.
    }
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
    this.hub.reset();
    this.injector.stop();
    this.hub.terminateAll();
    this.trace.record({ kind: 'server', event: 'stop' });
  }

  isUp(): boolean {
    return this.up && !this.closed;
  }

  /** Whether a WebSocket upgrade is refused right now, and with which status. */
  upgradeRefusal(): number | null {
    return this.clock.now() < this.refuseUntil ? this.refuseStatus : null;
  }

  // --- prompts -------------------------------------------------------------------------------

  /** `POST /prompt` with a parsed body; `bodyBytes` (its size on the wire) counts against `limits.maxQueueBytes`. */
  acceptPrompt(body: Record<string, unknown>, bodyBytes = 0): SimResponse {
    const full = this.queueFull(bodyBytes);
    if (full) return full;
    let number: number;
    if (typeof body.number === 'number' && Number.isFinite(body.number)) number = body.number;
    else {
      number = body.front === true ? -this.counter : this.counter;
      this.counter++;
    }
    let result = validatePrompt(body, { catalogue: this.catalogue, context: { fileExists: (name: string) => this.files.existsAnnotated(name) } });
    const script = scriptFor(this.options.script, this.accepted + 1);
    if (!result.ok && script) {
      // The real server accepted it (nodes the simulator does not know): so does the replay.
      const accepted = acceptScriptedPrompt(body, script);
      if (accepted) result = { ok: true, prompt: accepted.prompt, outputs: accepted.outputs, nodeErrors: {} };
    }
    if (!result.ok) return jsonResponse(result.body, 400);
    const decided = decidePromptId(this.profile, body.prompt_id, () => this.random.uuid4(), (id) => this.isQueued(id));
    if (!decided.ok) return jsonResponse(decided.body, decided.status);
    const promptId = decided.promptId;
    const extraData: Record<string, unknown> =
      typeof body.extra_data === 'object' && body.extra_data !== null && !Array.isArray(body.extra_data)
        ? { ...(body.extra_data as Record<string, unknown>) }
        : {};
    if ('client_id' in body) extraData.client_id = body.client_id;
    if (this.profile.queueCreateTime) extraData.create_time = Math.floor(this.clock.now());
    const item: QueuedPrompt = {
      number,
      promptId,
      prompt: result.prompt,
      extraData,
      outputsToExecute: result.outputs,
      index: ++this.accepted,
      bytes: bodyBytes,
    };
    this.queue.push(item);
    this.trace.record({
      kind: 'prompt',
      event: 'queued',
      promptId,
      number,
      clientId: typeof extraData.client_id === 'string' ? extraData.client_id : null,
    });
    this.broadcastStatus(item.index);
    this.kickWorker();
    return jsonResponse({ prompt_id: promptId, number, node_errors: result.nodeErrors });
  }

  /**
   * The 429 for a prompt the queue has no room for (`limits.maxQueueLength`, `maxQueueBytes`), or
   * null. ComfyUI queues without bound; the simulator says in the trace that it refused.
   */
  private queueFull(bodyBytes: number): SimResponse | null {
    const { maxQueueLength, maxQueueBytes } = this.limits;
    let reason: string | null = null;
    if (this.queue.pending.length >= maxQueueLength) reason = `${this.queue.pending.length} prompts are pending (limits.maxQueueLength ${maxQueueLength})`;
    else {
      const held = this.queue.pending.reduce((n, p) => n + (p.bytes ?? 0), this.queue.running?.bytes ?? 0);
      if (held + bodyBytes > maxQueueBytes) reason = `the queue holds ${held} bytes of prompts and this one is ${bodyBytes} (limits.maxQueueBytes ${maxQueueBytes})`;
    }
    if (reason === null) return null;
    this.trace.record({ kind: 'note', message: `limit: POST /prompt refused with 429: ${reason}` });
    const message = `The simulator's queue is full: ${reason}. Wait for prompts to finish or delete some (POST /queue).`;
    return jsonResponse({ error: { type: 'queue_full', message, details: reason, extra_info: {} }, node_errors: {} }, 429);
  }

  clearPending(): void {
    for (const item of this.queue.clearPending()) this.trace.record({ kind: 'prompt', event: 'deleted', promptId: item.promptId });
    this.broadcastStatus();
  }

  deletePending(promptId: string): void {
    const removed = this.queue.deletePending(promptId);
    if (!removed) return;
    this.trace.record({ kind: 'prompt', event: 'deleted', promptId });
    this.broadcastStatus();
  }

  /** Whether a prompt with this id is pending or running. */
  isQueued(promptId: string): boolean {
    return this.queue.running?.promptId === promptId || this.queue.pending.some((p) => p.promptId === promptId);
  }

  /**
   * With an id, only if that prompt is running; without, global. Reset when the next prompt
   * starts. A profile without targeted interrupts (before PR #9607) ignores the id.
   */
  interrupt(promptId?: string): void {
    if (promptId !== undefined && this.profile.targetedInterrupt && this.queue.running?.promptId !== promptId) return;
    this.interruptFlag = true;
  }

  /**
   * The `status` broadcast. `promptIndex` names the prompt whose queueing, start or end caused it,
   * so that a trigger "before status of prompt n" matches a broadcast without a prompt_id.
   */
  private broadcastStatus(promptIndex?: number): void {
    this.hub.emit({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queue.remaining() } } } }, null, promptIndex);
  }

  private kickWorker(): void {
    if (this.workerBusy || this.closed) return;
    this.workerBusy = true;
    const generation = this.generation;
    this.later(() => {
      void this.work(generation);
    }, this.timing.pickupMs);
  }

  private async work(generation: number): Promise<void> {
    try {
      while (generation === this.generation && this.up) {
        const item = this.queue.take();
        if (!item) break;
        this.interruptFlag = false;
        this.broadcastStatus(item.index);
        this.trace.record({ kind: 'prompt', event: 'started', promptId: item.promptId });
        this.injector.onServerEvent({ kind: 'prompt', event: 'started', promptIndex: item.index });
        if (generation !== this.generation) return; // a fault of that very moment (a restart that lost the queue)
        const script = scriptFor(this.options.script, item.index);
        if (script) this.trace.record({ kind: 'note', message: `prompt ${item.index} (${item.promptId}) plays the recorded frames of ${script.promptId}` });
        const outcome: ScriptedOutcome = script
          ? await playScriptedPrompt(this.executorHost(generation), item, script)
          : await executePrompt(this.executorHost(generation), item);
        if (outcome.status === 'aborted' || generation !== this.generation) return;
        const outputs = outcome.status === 'success' ? outcome.outputs : {};
        const files = outputFileDigests(outputs, this.files);
        this.trace.record({ kind: 'prompt', event: outcome.status, promptId: item.promptId, outputs, ...(files.length > 0 ? { files } : {}) });
        // ComfyUI#11540: the worker thread reaches task_done a while after the terminal message.
        if (this.taskDoneDelayMs > 0) await this.pause(this.taskDoneDelayMs);
        if (generation !== this.generation || this.closed) return;
        this.finish(item, outcome);
      }
    } catch (error) {
      // A prompt's own failures end as its execution_error; this is the worker itself breaking.
      this.recordInternalError('engine', error);
      if (generation === this.generation && this.queue.running) {
        this.queue.running = null;
        this.broadcastStatus();
      }
      this.later(() => this.kickWorker(), 0);
    } finally {
      if (generation === this.generation) this.workerBusy = false;
    }
  }

  /**
   * ComfyUI's `PromptQueue.task_done` and what main.py does right after it: under one lock the
   * prompt leaves `currently_running`, its history entry is written and the queue status is
   * broadcast; then `executing {node: null}` goes to the prompt's client. The terminal
   * `execution_*` message was sent before, by the executor (comfyui-protocol.md, "#11540").
   */
  private finish(item: QueuedPrompt, outcome: Exclude<ScriptedOutcome, { status: 'aborted' }>): void {
    const outputs = outcome.status === 'success' ? outcome.outputs : {};
    const entry: HistoryEntry = outcome.history ?? {
      prompt: toQueueItem(item),
      outputs,
      status: {
        status_str: outcome.status === 'success' ? 'success' : 'error',
        completed: outcome.status === 'success',
        messages: outcome.messages,
      },
      meta: outcome.status === 'success' ? metaOf(outputs) : {},
    };
    const writeHistory = () => {
      this.history.write(item.promptId, entry, item.bytes ?? 0);
      this.trace.record({ kind: 'prompt', event: 'history_written', promptId: item.promptId });
      this.injector.onServerEvent({ kind: 'prompt', event: 'history_written', promptIndex: item.index });
    };
    const generation = this.generation;
    // `history_replica_lag` (not ComfyUI): reads of /history see the entry only `replicaLagMs` later.
    if (this.replicaLagMs > 0 && outcome.status === 'success') {
      this.later(() => generation === this.generation && writeHistory(), this.replicaLagMs);
    } else writeHistory();
    this.queue.running = null;
    this.broadcastStatus(item.index);
    const clientId = item.extraData.client_id;
    if (typeof clientId === 'string') {
      this.hub.emit({ type: 'executing', data: { node: null, prompt_id: item.promptId } }, clientId, item.index);
    }
  }

  /** Resolves after `delayMs` on the simulator's clock; never, if the simulator stops first. */
  private pause(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.later(resolve, delayMs));
  }

  private executorHost(generation: number) {
    return {
      clock: this.clock,
      timing: this.timing,
      cache: this.cache,
      behaviourOf: this.behaviourOf,
      catalogue: this.catalogue,
      previews: this.options.previews ?? false,
      progressState: this.profile.progressState,
      previewMetadata: this.profile.featureFlags?.supports_preview_metadata === true,
      emit: (message: { type: string; data: Record<string, unknown> }, sid: string | null, text?: string) =>
        this.hub.emit(message, sid, this.queue.running?.index, text),
      emitBinary: (bytes: Uint8Array, sid: string | null) => this.hub.emitBinary(bytes, sid),
      flagsOf: (sid: string) => this.hub.flagsOf(sid),
      interruptRequested: () => this.interruptFlag,
      alive: () => generation === this.generation && !this.closed,
      setCurrentNode: (node: string | null) => {
        this.currentNode = node;
      },
      phase: (event: ServerEvent) => this.injector.onServerEvent(event),
      reportInternalError: (where: string, error: unknown) => this.recordInternalError(where, error),
      saveImage: (folder: 'output' | 'temp', prefix: string, seed: string, size?: { width: number; height: number }) => {
        // The size the graph asks for (issue 17), within what makePng draws (1..4096 px a side).
        const side = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 64 : Math.min(4096, Math.max(1, Math.round(n))));
        const png = makePng({ width: side(size?.width), height: side(size?.height), seed });
        try {
          const ref =
            folder === 'output'
              ? this.files.saveCounted('output', prefix, png)
              : this.files.write('temp', '', `${prefix}${this.random.uuid4Hex().slice(0, 5)}_00001_.png`, png);
          return { filename: ref.filename, subfolder: ref.subfolder, type: ref.type };
        } catch (error) {
          throw asSaveException(error, prefix); // as SaveImage raises it: the prompt's execution_error
        }
      },
    };
  }

  // --- faults --------------------------------------------------------------------------------

  private faultActions(): FaultActions {
    return {
      terminateAll: () => this.hub.terminateAll(),
      closeAll: (code, reason) => this.hub.closeAll(code, reason),
      refuseUpgrades: (durationMs, status) => {
        this.refuseUntil = this.clock.now() + durationMs;
        this.refuseStatus = status;
      },
      silence: (durationMs) => this.hub.silence(durationMs),
      restart: (downMs, loseState) => this.restart(downMs, loseState),
      deafNextReconnect: () => this.hub.deafNextReconnect(),
      stall: (durationMs) => this.hub.stall(durationMs),
      historyLate: (delayMs) => {
        this.taskDoneDelayMs = delayMs;
      },
      historyReplicaLag: (delayMs) => {
        this.replicaLagMs = delayMs;
      },
      ...(this.options.onNetworkFault ? { network: this.options.onNetworkFault } : {}),
    };
  }

  /** Kills the process: every socket drops, nothing answers for `downMs`, then a fresh process comes up. */
  restart(downMs: number, loseState: boolean): void {
    this.up = false;
    this.hub.terminateAll();
    this.hub.reset();
    this.trace.record({ kind: 'server', event: 'restart_down', detail: loseState ? 'state lost' : 'state kept' });
    if (loseState) {
      this.generation++;
      this.workerBusy = false;
      this.currentNode = null;
      const lost = [...(this.queue.running ? [this.queue.running] : []), ...this.queue.clearPending()];
      this.queue.running = null;
      for (const item of lost) this.trace.record({ kind: 'prompt', event: 'lost', promptId: item.promptId });
      this.history.clear();
      this.cache.clear();
      this.files.clear(['temp']);
      this.counter = 0;
      this.taskDoneDelayMs = 0;
      this.replicaLagMs = 0;
    }
    void this.options.onAvailability?.(false);
    this.later(() => {
      if (this.closed) return;
      void Promise.resolve(this.options.onAvailability?.(true)).then(() => {
        this.up = true;
        this.trace.record({ kind: 'server', event: 'restart_up' });
        this.kickWorker();
      });
    }, downMs);
  }
}

function metaOf(outputs: Record<string, NodeOutput>) {
  return Object.fromEntries(
    Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }]),
  );
}
