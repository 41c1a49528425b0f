import { describeFault } from '../protocol/index.ts';
import type { Clock, Fault, TimerHandle } from '../protocol/index.ts';
import type { TraceRecorder } from '../simulator/trace/trace-recorder.ts';
import type { ProxyControl } from './toxiproxy/index.ts';

type NetworkFault = Extract<Fault, { type: 'toxic' | 'partition' }>;

/**
 * Applies a scenario's network faults to the Toxiproxy proxies in front of the simulators when
 * their triggers fire, and undoes them after their duration. Each change is traced; when the last
 * one ends, a `network healthy` note starts the oracle's recovery bound.
 */
export class NetworkFaults {
  private readonly proxies: ProxyControl[] = [];
  private readonly timers: TimerHandle[] = [];
  private active = 0;
  private counter = 0;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly trace: TraceRecorder, private readonly clock: Clock) {}

  addProxy(proxy: ProxyControl): void {
    this.proxies.push(proxy);
  }

  apply(fault: NetworkFault): void {
    const proxy = this.proxies[0];
    if (!proxy) {
      this.trace.record({ kind: 'note', message: `network fault "${describeFault(fault)}" not applied: no Toxiproxy proxy` });
      return;
    }
    this.active++;
    const name = `${fault.type === 'toxic' ? fault.toxic : 'partition'}_${++this.counter}`;
    const step = (action: string, detail: Record<string, unknown>, work: () => Promise<unknown>) => {
      this.pending = this.pending
        .then(work)
        .then(() => this.trace.record({ kind: 'toxic', action, detail }))
        .catch((error: Error) => this.trace.record({ kind: 'note', message: `toxiproxy: ${action} failed: ${error.message}` }));
    };
    const end = (action: string, work: () => Promise<unknown>) => {
      step(action, { name }, work);
      this.pending = this.pending.then(() => {
        this.active--;
        if (this.active === 0) this.trace.record({ kind: 'note', message: 'network healthy' });
      });
    };
    if (fault.type === 'partition') {
      step('disable', { proxy: proxy.name, durationMs: fault.durationMs }, () => proxy.disable());
      this.timers.push(this.clock.setTimeout(() => end('enable', () => proxy.enable()), fault.durationMs));
      return;
    }
    const spec = { type: fault.toxic, name, stream: fault.stream, toxicity: fault.toxicity, attributes: fault.attributes };
    step('add', { ...spec }, () => proxy.addToxic(spec as Parameters<ProxyControl['addToxic']>[0]));
    if (fault.durationMs > 0) {
      this.timers.push(this.clock.setTimeout(() => end('remove', () => proxy.removeToxic(name)), fault.durationMs));
    }
  }

  /** Removes the proxies (and so every toxic). */
  async dispose(): Promise<void> {
    for (const t of this.timers) this.clock.clearTimeout(t);
    await this.pending.catch(() => undefined);
    for (const proxy of this.proxies) await proxy.remove().catch(() => undefined);
  }
}
