import { ReferenceClientError } from './errors.ts';
import { resolveMutation, type MutationOptions } from './mutants.ts';
import { resolveTransport, type TimingOptions, type TransportOptions } from './options.ts';
import { randomSeed } from './seeded-random.ts';
import { ServerPool } from './server-pool.ts';
import { WindowSession } from './window-session.ts';

export interface ReferenceClientOptions extends TimingOptions, TransportOptions, MutationOptions {
  /** ComfyUI base URL(s); every window shares one {@link ServerPool} over them. */
  servers: string | readonly string[];
}

/**
 * An application with several windows on one pool of servers. Each window is a
 * {@link WindowSession} (own clientId, own jobs, own lock); the pool spreads unlocked windows
 * over the servers.
 */
export class ReferenceClient {
  readonly pool: ServerPool;
  private readonly sessions = new Map<string, WindowSession>();
  private readonly seed: number;
  private opened = 0;
  private closed = false;

  constructor(private readonly options: ReferenceClientOptions) {
    this.pool = new ServerPool(typeof options.servers === 'string' ? [options.servers] : options.servers);
    // Fail on a missing fetch/WebSocket now rather than at the first window.
    resolveTransport(options);
    resolveMutation(options);
    this.seed = options.seed ?? randomSeed();
  }

  /** The window called `name`, opened on first use. Windows get distinct seeds derived from the client's. */
  window(name = 'default'): WindowSession {
    if (this.closed) throw new ReferenceClientError('CC_ERR_SESSION_CLOSED', 'this reference client was closed');
    let session = this.sessions.get(name);
    if (!session) {
      const seed = (this.seed + Math.imul(++this.opened, 0x9e3779b9)) >>> 0;
      session = new WindowSession({ ...this.options, servers: this.pool, seed });
      this.sessions.set(name, session);
    }
    return session;
  }

  windowNames(): string[] {
    return [...this.sessions.keys()];
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) session.close();
  }
}
