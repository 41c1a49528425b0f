import { describeFault, faultSchedule, isNetworkFault } from '../../protocol/index.ts';
import type { Clock, Fault, FaultInput, TimerHandle, Trigger } from '../../protocol/index.ts';
import type { TraceRecorder } from '../trace/trace-recorder.ts';
import { applyFrameFault, isFrameFault } from './frame-faults.ts';

/** What the injector can ask of the simulator when a connection or HTTP fault fires. */
export interface FaultActions {
  terminateAll(): void;
  closeAll(code: number, reason: string): void;
  refuseUpgrades(durationMs: number, status: number): void;
  silence(durationMs: number): void;
  restart(downMs: number, loseState: boolean): void;
  deafNextReconnect(): void;
  stall(durationMs: number): void;
  historyLate(delayMs: number): void;
  historyReplicaLag(delayMs: number): void;
  /**
   * A network fault (`toxic`, `partition`) fired. The simulator cannot apply these; the harness
   * does, through Toxiproxy. Without this action network faults are ignored here.
   */
  network?(fault: Extract<Fault, { type: 'toxic' | 'partition' }>): void;
}

/** One message on its way out, as the fault triggers see it. */
export interface Emission {
  message: { type: string; data: unknown };
  /** 1-based acceptance index of the prompt the message is about, if any. */
  promptIndex?: number;
}

/**
 * Something the engine did, as `prompt` and `node` triggers see it: these fire for every client,
 * whether or not any message about it is sent (a prompt without client_id gets no `execution_*`).
 */
export type ServerEvent =
  | { kind: 'prompt'; event: 'started' | 'finished' | 'history_written'; promptIndex: number }
  | { kind: 'node'; event: 'started' | 'finished'; promptIndex: number; nodeId: string; outputNode: boolean };

export interface FramePlan {
  frames: Array<string | Uint8Array>;
  /** Hold these frames and send them after the next message (the `reorder` fault). */
  hold: boolean;
}

/** An HTTP fault in force for a path, consumed request by request. */
export interface HttpOverride {
  fault: Extract<Fault, { type: 'http_status' | 'http_delay' | 'http_hang' }>;
  remaining: number;
}

interface ArmedFault {
  fault: Fault;
  fired: boolean;
  seen: number;
}

interface ActiveFrameFault {
  fault: Extract<Fault, { frames: number }>;
  remaining: number;
}

/**
 * Whether a fault's `path` (with or without `/api`) names a request's route path. Routes reach
 * the injector without `/api` (`/prompt` for `/api/prompt`), except the jobs API, which ComfyUI
 * registers at `/api/jobs` itself (Simulator.normalisePath keeps it): it is compared without its
 * `/api` too, so `/jobs` and `/api/jobs` both name it (issue 17: frontend 1.58 reads its queue there).
 */
export function pathMatches(pattern: string, path: string): boolean {
  const normal = pattern.startsWith('/api/') ? pattern.slice(4) : pattern;
  const route = path === '/api/jobs' || path.startsWith('/api/jobs/') ? path.slice(4) : path;
  return normal.endsWith('*') ? route.startsWith(normal.slice(0, -1)) : route === normal;
}

/**
 * Watches triggers and fires faults. Frame faults alter the frames of the next messages;
 * connection and HTTP faults call {@link FaultActions}; network faults are left to the harness
 * (Toxiproxy) and ignored here. Every fault fires at most once, and each firing is traced.
 */
export class FaultInjector {
  private readonly armed: ArmedFault[];
  private readonly activeFrameFaults: ActiveFrameFault[] = [];
  private readonly httpOverrides: HttpOverride[] = [];
  private readonly timers: TimerHandle[] = [];
  private emitted = 0;
  private connections = 0;

  constructor(
    schedule: readonly (Fault | FaultInput)[],
    private readonly actions: FaultActions,
    private readonly clock: Clock,
    private readonly trace: TraceRecorder,
  ) {
    const parsed = faultSchedule.parse(schedule);
    this.armed = parsed
      .filter((f) => !isNetworkFault(f) || actions.network !== undefined)
      .map((fault) => ({ fault, fired: false, seen: 0 }));
  }

  /** Starts the time triggers; call once when the simulator starts. */
  start(): void {
    for (const armed of this.armed) {
      if (armed.fault.at.on === 'time') {
        this.timers.push(this.clock.setTimeout(() => this.fireOnTime(armed), armed.fault.at.afterMs));
      }
    }
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.length = 0;
  }

  /** Adds a fault while running (the TypeScript API: `sim.inject(...)`). It fires on its trigger. */
  add(fault: Fault | FaultInput): void {
    const [parsed] = faultSchedule.parse([fault]);
    if (!parsed || (isNetworkFault(parsed) && !this.actions.network)) return;
    const armed = { fault: parsed, fired: false, seen: 0 };
    this.armed.push(armed);
    if (parsed.at.on === 'time') {
      const delay = Math.max(0, parsed.at.afterMs - this.trace.elapsed());
      this.timers.push(this.clock.setTimeout(() => this.fireOnTime(armed), delay));
    }
  }

  /** Called for each message before it is sent: fires `before` triggers, then applies frame faults. */
  planFrames(emission: Emission, frames: Array<string | Uint8Array>): FramePlan {
    for (const armed of this.armed) {
      if (armed.fired) continue;
      const at = armed.fault.at;
      if (at.on === 'frames' && this.emitted >= at.count) this.fire(armed, `after ${this.emitted} frames`);
      else if (at.on === 'message' && at.when === 'before' && this.matches(at, emission)) {
        armed.seen++;
        if (armed.seen === at.occurrence) this.fire(armed, `before ${emission.message.type}`);
      }
    }
    this.emitted++;
    let out = frames;
    let hold = false;
    for (const active of this.activeFrameFaults) {
      if (active.remaining <= 0) continue;
      active.remaining--;
      if (active.fault.type === 'reorder') hold = true;
      out = applyFrameFault(active.fault, out, emission.message);
    }
    this.pruneFrameFaults();
    return { frames: out, hold };
  }

  /** Called after a message was sent: fires `after` triggers. */
  afterEmission(emission: Emission): void {
    for (const armed of this.armed) {
      if (armed.fired) continue;
      const at = armed.fault.at;
      if (at.on === 'message' && at.when === 'after' && this.matches(at, emission)) {
        armed.seen++;
        if (armed.seen === at.occurrence) this.fire(armed, `after ${emission.message.type}`);
      }
    }
  }

  /** Called by the engine at each phase of a prompt: fires the `prompt` and `node` triggers it matches. */
  onServerEvent(event: ServerEvent): void {
    for (const armed of this.armed) {
      const at = armed.fault.at;
      if (armed.fired || (at.on !== 'prompt' && at.on !== 'node') || at.on !== event.kind || at.event !== event.event) continue;
      if (at.prompt !== undefined && at.prompt !== event.promptIndex) continue;
      if (at.on === 'node' && event.kind === 'node') {
        if (at.node !== undefined && at.node !== event.nodeId) continue;
        if (at.outputNode !== undefined && at.outputNode !== event.outputNode) continue;
      }
      armed.seen++;
      if (armed.seen === at.occurrence) this.fire(armed, describeServerEvent(event));
    }
  }

  /** Called as a WebSocket connection is accepted (before anything is sent on it). */
  onConnect(): void {
    this.connections++;
    for (const armed of this.armed) {
      if (!armed.fired && armed.fault.at.on === 'connect' && armed.fault.at.occurrence === this.connections) {
        this.fire(armed, `connect #${this.connections}`);
      }
    }
  }

  /** Called for each HTTP request: fires request triggers, and returns the override in force for it, if any. */
  onRequest(method: string, path: string): HttpOverride | undefined {
    for (const armed of this.armed) {
      const at = armed.fault.at;
      if (armed.fired || at.on !== 'request') continue;
      if (!pathMatches(at.path, path) || (at.method && at.method.toUpperCase() !== method)) continue;
      armed.seen++;
      if (armed.seen === at.occurrence) this.fire(armed, `${method} ${path}`);
    }
    const override = this.httpOverrides.find((o) => o.remaining > 0 && pathMatches(o.fault.path, path));
    if (override) override.remaining--;
    return override;
  }

  /** Faults in the schedule that the simulator did not fire (for reports: a trigger that never came). */
  unfired(): Fault[] {
    return this.armed.filter((a) => !a.fired).map((a) => a.fault);
  }

  private matches(at: Extract<Trigger, { on: 'message' }>, emission: Emission): boolean {
    if (at.type !== emission.message.type) return false;
    return at.prompt === undefined || at.prompt === emission.promptIndex;
  }

  private pruneFrameFaults(): void {
    for (let i = this.activeFrameFaults.length - 1; i >= 0; i--) {
      if (this.activeFrameFaults[i]!.remaining <= 0) this.activeFrameFaults.splice(i, 1);
    }
  }

  /** A time trigger: a fault whose timer was set twice (started again, or injected while held) still fires once. */
  private fireOnTime(armed: ArmedFault): void {
    if (!armed.fired) this.fire(armed, 'time');
  }

  private fire(armed: ArmedFault, why: string): void {
    armed.fired = true;
    const f = armed.fault;
    this.trace.record({ kind: 'fault', fault: describeFault(f), faultType: f.type, detail: why });
    if (isFrameFault(f)) {
      this.activeFrameFaults.push({ fault: f, remaining: f.frames });
      return;
    }
    switch (f.type) {
      case 'terminate':
        return this.actions.terminateAll();
      case 'close':
        return this.actions.closeAll(f.code, f.reason);
      case 'refuse_upgrades':
        return this.actions.refuseUpgrades(f.durationMs, f.status);
      case 'silence':
        return this.actions.silence(f.durationMs);
      case 'restart':
        return this.actions.restart(f.downMs, f.loseState);
      case 'deaf_reconnect':
        return this.actions.deafNextReconnect();
      case 'stalled_peer':
        return this.actions.stall(f.durationMs);
      case 'history_late':
        return this.actions.historyLate(f.delayMs);
      case 'history_replica_lag':
        return this.actions.historyReplicaLag(f.delayMs);
      case 'toxic':
      case 'partition':
        return this.actions.network?.(f);
      case 'http_status':
      case 'http_delay':
      case 'http_hang':
        this.httpOverrides.push({ fault: f, remaining: f.times });
        return;
    }
  }
}

function describeServerEvent(event: ServerEvent): string {
  if (event.kind === 'prompt') return `prompt ${event.promptIndex} ${event.event === 'history_written' ? 'history written' : event.event}`;
  return `node ${event.nodeId} of prompt ${event.promptIndex} ${event.event}`;
}
