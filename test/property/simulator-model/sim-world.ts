import { VirtualClock } from '../../../src/protocol/index.ts';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { Simulator, type MemoryTransport } from '../../../src/simulator/index.ts';
import { RawSocket } from '../../helpers/sim-fixture.ts';

export type HttpResult = { refused: true } | { refused: false; status: number; text: string; body: unknown };

/** One socket the test opened, and the connection number the trace gave it. */
export interface WorldSocket {
  raw: RawSocket;
  conn: number | null;
}

/**
 * The real side of the model run: one simulator on the memory transport and a virtual clock, so
 * a run costs no real time and every wait is bounded by virtual milliseconds.
 */
export class SimWorld {
  readonly clock = new VirtualClock();
  readonly sim: Simulator;
  readonly mem: MemoryTransport;
  /** Clock value the trace's `t` counts from. */
  readonly origin: number;
  /** Trace events already compared with the model. */
  traceCursor = 0;
  readonly sockets = new Map<string, WorldSocket>();
  /** Prompt ids seen so far, newest last (for GET /history/{id} checks). */
  readonly knownIds: string[] = ['p1', 'p2', 'p3'];

  constructor(seed: number) {
    this.origin = this.clock.now();
    this.sim = new Simulator({ clock: this.clock, seed });
    this.mem = this.sim.memoryTransport();
  }

  get trace(): readonly TraceEvent[] {
    return this.sim.trace;
  }

  rememberId(id: string): void {
    if (!this.knownIds.includes(id)) this.knownIds.push(id);
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResult> {
    let res;
    try {
      res = await this.mem.fetch(this.mem.baseUrl + path, {
        method,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    } catch {
      return { refused: true };
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { refused: false, status: res.status, text, body: parsed };
  }

  /** Opens a socket; it connects at the next clock turn. */
  open(label: string, clientId: string | null): WorldSocket {
    const query = clientId === null ? '' : `?clientId=${encodeURIComponent(clientId)}`;
    const socket: WorldSocket = { raw: new RawSocket(this.mem.webSocketFactory(`ws://memory/ws${query}`)), conn: null };
    this.sockets.set(label, socket);
    return socket;
  }

  /** Delivers what is in flight at this instant (0 ms timers: connects, frames, closes) and nothing later. */
  async flush(): Promise<void> {
    await this.clock.advanceBy(0);
  }

  async close(): Promise<void> {
    await this.sim.close();
  }
}
