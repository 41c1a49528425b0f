import { describeFault } from '../protocol/index.ts';
import type { TraceEvent } from '../protocol/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { effectMs } from './oracle/healthy-point.ts';

const terminal = new Set(['success', 'error', 'interrupted', 'lost', 'deleted']);

/**
 * The server's side of a run, followed from its trace as it is written: how many prompts are
 * still open, and from when the server was done and the network healthy (the later of every
 * prompt's end, every fault's end, `network healthy` and a restart coming back). A client that has
 * not reported a job a recovery bound after that never will, so the runner can stop waiting.
 */
export class ServerProgress {
  openPrompts = 0;
  everQueued = false;
  /** Trace time (ms) from which the server is done and the network healthy, as far as the run knows. */
  quietFrom = 0;

  constructor(private readonly faults: Scenario['faults']) {}

  observe(e: TraceEvent): void {
    if (e.kind === 'prompt' && e.event === 'queued') {
      this.openPrompts++;
      this.everQueued = true;
    } else if (e.kind === 'prompt' && terminal.has(e.event)) {
      this.openPrompts--;
      this.quietFrom = Math.max(this.quietFrom, e.t);
    } else if (e.kind === 'fault') {
      const fault = this.faults.find((f) => f.type === e.faultType && describeFault(f) === e.fault);
      this.quietFrom = Math.max(this.quietFrom, e.t + (fault ? effectMs(fault) : 0));
    } else if (e.kind === 'http' && e.fault) {
      this.quietFrom = Math.max(this.quietFrom, e.t); // an answer a fault shaped: the fault still hurts
    } else if (e.kind === 'note' && e.message.startsWith('http_hang: holding ')) {
      this.quietFrom = Math.max(this.quietFrom, e.t); // a request hung now: the fault hurts from here
    } else if ((e.kind === 'note' && e.message === 'network healthy') || (e.kind === 'server' && e.event === 'restart_up')) {
      this.quietFrom = Math.max(this.quietFrom, e.t);
    }
  }

  /** Nothing is running and nothing has happened for `boundMs` of trace time (longer if nothing was ever queued). */
  doneFor(nowT: number, boundMs: number): boolean {
    return this.openPrompts <= 0 && nowT - this.quietFrom > boundMs + (this.everQueued ? 0 : 5_000);
  }
}
