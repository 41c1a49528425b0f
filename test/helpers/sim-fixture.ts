import WebSocket from 'ws';
import { parseServerMessage, VirtualClock } from '../../src/protocol/index.ts';
import type { FetchLike, ServerMessage, WebSocketLike } from '../../src/protocol/index.ts';
import { Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

export type TransportKind = 'memory' | 'network';

/** A raw client socket that records every frame, for tests that look at the wire. */
export class RawSocket {
  readonly frames: Array<string | Uint8Array> = [];
  closeCode: number | null = null;
  opened = false;
  errored = false;

  constructor(readonly socket: WebSocketLike) {
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.opened = true;
    };
    socket.onmessage = (event) => {
      const data = event.data;
      this.frames.push(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
    };
    socket.onclose = (event) => {
      this.closeCode = event.code;
    };
    socket.onerror = () => {
      this.errored = true;
    };
  }

  /** Text frames parsed as messages; throws if a JSON frame does not match its schema. */
  messages(): ServerMessage[] {
    const out: ServerMessage[] = [];
    for (const frame of this.frames) {
      if (typeof frame !== 'string') continue;
      let value: unknown;
      try {
        value = JSON.parse(frame);
      } catch {
        continue;
      }
      const parsed = parseServerMessage(value);
      if (!parsed.ok) throw new Error(`frame does not match the schema: ${parsed.error}\n${frame}`);
      out.push(parsed.message);
    }
    return out;
  }

  types(): string[] {
    return this.messages().map((m) => m.type);
  }

  texts(): string[] {
    return this.frames.filter((f): f is string => typeof f === 'string');
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }
}

export interface SimFixture {
  kind: TransportKind;
  sim: Simulator;
  baseUrl: string;
  fetch: FetchLike;
  connect(clientId?: string): RawSocket;
  /** Waits (virtual or real time) until `done()` or `maxMs`; returns whether `done()` became true. */
  waitUntil(done: () => boolean, maxMs?: number): Promise<boolean>;
  /** Lets `ms` pass (virtual or real). */
  pass(ms: number): Promise<void>;
  postJson(path: string, body: unknown): Promise<{ status: number; body: unknown; text: string }>;
  getJson(path: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startSim(kind: TransportKind, options: SimulatorOptions = {}): Promise<SimFixture> {
  let sim: Simulator;
  let baseUrl: string;
  let fetchLike: FetchLike;
  let factory: (url: string) => WebSocketLike;
  let waitUntil: SimFixture['waitUntil'];
  let pass: SimFixture['pass'];
  if (kind === 'memory') {
    const clock = new VirtualClock();
    sim = new Simulator({ ...options, clock });
    const mem = sim.memoryTransport();
    baseUrl = mem.baseUrl;
    fetchLike = mem.fetch;
    factory = mem.webSocketFactory;
    waitUntil = (done, maxMs = 60_000) => clock.runUntil(done, maxMs);
    pass = async (ms) => {
      await clock.advanceBy(ms);
    };
  } else {
    sim = new Simulator(options);
    const server = await sim.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = server.url;
    fetchLike = (url, init) => fetch(url, init as RequestInit);
    factory = (url) => new WebSocket(url) as unknown as WebSocketLike;
    waitUntil = async (done, maxMs = 15_000) => {
      const deadline = Date.now() + maxMs;
      while (!done()) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 5));
      }
      return true;
    };
    pass = (ms) => new Promise((r) => setTimeout(r, ms));
  }
  const fixture: SimFixture = {
    kind,
    sim,
    baseUrl,
    fetch: fetchLike,
    connect: (clientId) => new RawSocket(factory(`${baseUrl.replace(/^http/, 'ws')}/ws${clientId !== undefined ? `?clientId=${encodeURIComponent(clientId)}` : ''}`)),
    waitUntil,
    pass,
    postJson: async (path, body) => {
      const res = await fetchLike(baseUrl + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* plain text */
      }
      return { status: res.status, body: parsed, text };
    },
    getJson: async (path) => {
      const res = await fetchLike(baseUrl + path);
      return { status: res.status, body: await res.json() };
    },
    close: () => sim.close(),
  };
  return fixture;
}

/** Index of the first message of `type` (with the given prompt_id, if any) in `messages`. */
export function indexOfMessage(messages: ServerMessage[], type: string, promptId?: string): number {
  return messages.findIndex(
    (m) => m.type === type && (promptId === undefined || (m.data as { prompt_id?: string })?.prompt_id === promptId),
  );
}
