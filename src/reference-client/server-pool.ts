import { ReferenceClientError } from './errors.ts';

/**
 * The ComfyUI servers a set of windows shares. A window locks the server its pending jobs run on
 * (uploads, prompts, socket and history all go there: a job exists on one server only); an
 * unlocked window takes the server with the fewest locks, ties broken round-robin.
 */
export class ServerPool {
  readonly servers: readonly string[];
  private readonly locks = new Map<string, number>();
  private cursor = 0;

  constructor(servers: readonly string[]) {
    if (servers.length === 0) throw new ReferenceClientError('CC_ERR_INVALID_OPTION', 'servers must list at least one ComfyUI base URL');
    this.servers = servers.map((url) => {
      if (!/^https?:\/\/[^/]/i.test(url)) {
        throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `server "${url}" is not an http:// or https:// base URL`);
      }
      return normaliseServerUrl(url);
    });
    for (const server of this.servers) this.locks.set(server, 0);
  }

  /** Picks the least-locked server and locks it. */
  acquire(): string {
    let best: string | undefined;
    let bestLocks = Infinity;
    for (let i = 0; i < this.servers.length; i++) {
      const server = this.servers[(this.cursor + i) % this.servers.length]!;
      const locks = this.locks.get(server)!;
      if (locks < bestLocks) {
        best = server;
        bestLocks = locks;
      }
    }
    this.cursor = (this.servers.indexOf(best!) + 1) % this.servers.length;
    this.locks.set(best!, bestLocks + 1);
    return best!;
  }

  release(server: string): void {
    const locks = this.locks.get(server);
    if (locks !== undefined && locks > 0) this.locks.set(server, locks - 1);
  }

  /** How many windows hold a lock on `server`. */
  lockCount(server: string): number {
    return this.locks.get(normaliseServerUrl(server)) ?? 0;
  }
}

export function normaliseServerUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
