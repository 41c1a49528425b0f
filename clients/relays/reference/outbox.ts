/**
 * Messages per user that wait for a downstream to confirm them (a Socket.IO ack, a STOMP
 * receipt). Bounded: past `capPerUser` a user's oldest expendable entry (else its oldest) is
 * dropped and logged, so a user who never comes back cannot grow the relay's memory.
 */
export interface OutboxOptions<T> {
  /** [options.capPerUser=1000] Entries kept per user. */
  capPerUser?: number;
  /** Entries worth less than the others (progress): dropped first when a user's outbox is full. */
  expendable?: (item: T) => boolean;
  /** Told of every dropped entry (the relay logs it). */
  dropped?: (user: string, key: string, item: T) => void;
}

export class BoundedOutbox<T> {
  private readonly users = new Map<string, Map<string, T>>();
  private readonly capPerUser: number;
  private readonly options: OutboxOptions<T>;

  constructor(options: OutboxOptions<T> = {}) {
    const cap = options.capPerUser ?? 1000;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`capPerUser must be an integer >= 1, got ${cap}`);
    this.capPerUser = cap;
    this.options = options;
  }

  /** Adds (or replaces) `key` for `user`, at the end of that user's order. */
  add(user: string, key: string, item: T): void {
    let entries = this.users.get(user);
    if (!entries) this.users.set(user, (entries = new Map()));
    entries.delete(key);
    entries.set(key, item);
    while (entries.size > this.capPerUser) this.evict(user, entries);
  }

  /** Removes `key`; true if it was there. */
  remove(user: string, key: string): boolean {
    const entries = this.users.get(user);
    if (!entries?.delete(key)) return false;
    if (entries.size === 0) this.users.delete(user);
    return true;
  }

  has(user: string, key: string): boolean {
    return this.users.get(user)?.has(key) ?? false;
  }

  /** A user's entries, oldest first (a copy: safe to remove while iterating). */
  entries(user: string): [string, T][] {
    return [...(this.users.get(user) ?? [])];
  }

  /** Every user's entries, each user's oldest first. */
  all(): [user: string, key: string, item: T][] {
    const out: [string, string, T][] = [];
    for (const [user, entries] of this.users) for (const [key, item] of entries) out.push([user, key, item]);
    return out;
  }

  get size(): number {
    let n = 0;
    for (const entries of this.users.values()) n += entries.size;
    return n;
  }

  private evict(user: string, entries: Map<string, T>): void {
    let victim: string | undefined;
    if (this.options.expendable) {
      for (const [key, item] of entries) {
        if (this.options.expendable(item)) {
          victim = key;
          break;
        }
      }
    }
    victim ??= entries.keys().next().value as string;
    const item = entries.get(victim)!;
    entries.delete(victim);
    this.options.dropped?.(user, victim, item);
  }
}
