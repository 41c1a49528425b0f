/**
 * Connection with hand-driven sockets: state changes, switching servers, late callbacks of
 * abandoned sockets, blobs, bounded waits, backoff and deaf detection timing. Written from
 * StrykerJS survivors (npm run mutation).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, type MessageEventLike, type WebSocketLike } from '../../../src/protocol/index.ts';
import { Backoff } from '../../../src/reference-client/backoff.ts';
import { Connection, webSocketUrl, type ConnectionListener, type ConnectionState } from '../../../src/reference-client/connection.ts';
import { TolerantParser } from '../../../src/reference-client/tolerant-parser.ts';

const status = JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 1 } } } });

class Socket implements WebSocketLike {
  readyState = 0;
  private type = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  constructor(
    readonly url: string,
    private readonly behaviour: { readOnlyBinaryType?: boolean; sendThrows?: boolean; closeThrows?: boolean } = {},
  ) {}
  get binaryType(): string {
    return this.type;
  }
  set binaryType(value: string) {
    if (this.behaviour.readOnlyBinaryType) throw new TypeError('read-only');
    this.type = value;
  }
  send(data: string | Uint8Array | ArrayBuffer): void {
    if (this.behaviour.sendThrows) throw new Error('cannot send');
    this.sent.push(String(data));
  }
  close(code?: number, reason?: string): void {
    if (this.behaviour.closeThrows) throw new Error('gone');
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  // server side
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(data: unknown = status): void {
    this.onmessage?.({ data: data as string });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
}

function make(options: { maxAttempts?: number; behaviour?: ConstructorParameters<typeof Socket>[1]; throwOnCreate?: boolean } = {}) {
  const clock = new VirtualClock();
  const sockets: Socket[] = [];
  const log: string[] = [];
  const states: ConnectionState[] = [];
  const parser = new TolerantParser();
  const listener: ConnectionListener = {
    message: (m) => log.push(`message ${m.type}`),
    unknownMessage: (m) => log.push(`unknown ${m.type}`),
    binary: (f) => log.push(`binary ${f.kind}`),
    opened: ({ server, reconnect }) => log.push(`${reconnect ? 'reopened' : 'opened'} ${server}`),
    healthChanged: (h) => log.push(h ? 'healthy' : 'unhealthy'),
    stateChanged: (s) => states.push(s),
    gaveUp: (server) => log.push(`gave up ${server}`),
  };
  const backoff = new Backoff({ baseMs: 1000, pendingBaseMs: 100, capMs: 8000, jitterRatio: 0, maxAttempts: options.maxAttempts ?? 0, random: () => 0 });
  const connection = new Connection(
    {
      clientId: 'cid',
      clock,
      webSocketFactory: (url) => {
        if (options.throwOnCreate) throw new Error('factory');
        const socket = new Socket(url, options.behaviour);
        sockets.push(socket);
        return socket;
      },
      parser,
      backoff,
      healthTimeoutMs: 5000,
      connectTimeoutMs: 3000,
      featureFlags: { supports_preview_metadata: true, x: 1 },
    },
    listener,
  );
  const last = () => sockets[sockets.length - 1]!;
  return { clock, sockets, log, states, parser, backoff, connection, last };
}

describe('webSocketUrl (more)', () => {
  it('keeps the path, drops trailing slashes, and reads the scheme case-insensitively', () => {
    expect(webSocketUrl('HTTP://h:1///', 'c')).toBe('ws://h:1/ws?clientId=c');
    expect(webSocketUrl('https://h/a/b', 'c/d')).toBe('wss://h/a/b/ws?clientId=c%2Fd');
    // The scheme's case is kept ("wsS://"): valid, since URL schemes are case-insensitive.
    expect(new URL(webSocketUrl('HTTPS://h', 'c')).protocol).toBe('wss:');
  });
});

describe('Connection (driven by hand)', () => {
  it('goes idle -> connecting -> open, sends feature flags first, and is healthy only after a frame', async () => {
    const t = make();
    expect(t.connection.state).toBe('idle');
    expect(t.connection.server).toBeUndefined();
    expect(t.connection.healthy).toBe(false);
    t.connection.connect('http://a');
    expect(t.connection.state).toBe('connecting');
    expect(t.connection.server).toBe('http://a');
    expect(t.last().url).toBe('ws://a/ws?clientId=cid');
    expect(t.last().binaryType).toBe('arraybuffer');
    t.last().open();
    expect(t.connection.state).toBe('open');
    expect(t.connection.healthy).toBe(false);
    expect(t.last().sent).toEqual([JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true, x: 1 } })]);
    t.last().frame();
    t.last().frame();
    expect(t.connection.healthy).toBe(true);
    expect(t.log).toEqual(['opened http://a', 'healthy', 'message status', 'message status']);
    expect(t.states).toEqual(['connecting', 'open']);
    expect(t.connection.stats).toEqual({ opens: 1, reconnects: 0, drops: 0, deafDetections: 0, connectTimeouts: 0, serverDrops: 0 });
  });

  it('tolerates a read-only binaryType and a socket that cannot send', async () => {
    const t = make({ behaviour: { readOnlyBinaryType: true, sendThrows: true } });
    t.connection.connect('http://a');
    t.last().open();
    t.last().frame();
    expect(t.connection.healthy).toBe(true);
    expect(t.last().binaryType).toBe('blob');
  });

  it('is a no-op to connect to the same server again, but moves to another server at once', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.connection.connect('http://a');
    expect(t.sockets).toHaveLength(1);
    t.last().open();
    t.last().frame();
    t.connection.connect('http://a');
    expect(t.sockets).toHaveLength(1);
    const old = t.last();
    t.connection.connect('http://b/');
    expect(t.sockets).toHaveLength(2);
    expect(old.closedWith).toEqual([1000, 'reconnecting']);
    expect(old.onmessage).toBeNull();
    expect(old.onclose).toBeNull();
    expect(old.onopen).toBeNull();
    expect(old.onerror).toBeNull();
    expect(t.last().url).toBe('ws://b/ws?clientId=cid');
    expect(t.connection.server).toBe('http://b/');
    expect(t.connection.healthy).toBe(false);
    t.last().open();
    expect(t.log).toContain('reopened http://b/');
    expect(t.connection.stats.reconnects).toBe(1);
  });

  it('does not open a second socket when connect() is called again while a retry is scheduled', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().drop();
    expect(t.connection.state).toBe('waiting');
    t.connection.connect('http://a'); // already reconnecting to it
    expect(t.sockets).toHaveLength(1);
    await t.clock.advanceBy(999);
    expect(t.sockets).toHaveLength(1);
    await t.clock.advanceBy(1);
    expect(t.sockets).toHaveLength(2);
  });

  it('ignores late callbacks of a socket it abandoned', async () => {
    const t = make();
    t.connection.connect('http://a');
    const first = t.last();
    const { onopen, onmessage, onclose } = first;
    t.connection.connect('http://b');
    onopen?.({});
    onmessage?.({ data: status });
    onclose?.({ code: 1006, reason: '' });
    expect(t.log).toEqual([]);
    expect(t.connection.state).toBe('connecting');
    expect(t.connection.stats.drops).toBe(0);
  });

  it('does not close a socket that is already closing or closed, and survives a close that throws', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().readyState = 2;
    t.connection.connect('http://b');
    expect(t.sockets[0]!.closedWith).toBeUndefined();
    const u = make({ behaviour: { closeThrows: true } });
    u.connection.connect('http://a');
    expect(() => u.connection.connect('http://b')).not.toThrow();
    expect(u.connection.state).toBe('connecting');
  });

  it('retries with the backoff delay, reset by a healthy socket, and reports health changes once each', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().drop(); // never opened: not unhealthy
    expect(t.log).toEqual([]);
    await t.clock.advanceBy(1000);
    t.last().drop();
    await t.clock.advanceBy(1999);
    expect(t.sockets).toHaveLength(2);
    await t.clock.advanceBy(1);
    expect(t.sockets).toHaveLength(3);
    t.last().open();
    t.last().drop(); // opened, no frame: not healthy, so no unhealthy event
    expect(t.log).toEqual(['opened http://a']);
    await t.clock.advanceBy(4000);
    t.last().open();
    t.last().frame(); // healthy: the backoff starts over
    t.last().drop();
    expect(t.log.slice(-3)).toEqual(['healthy', 'message status', 'unhealthy']);
    await t.clock.advanceBy(999);
    expect(t.sockets).toHaveLength(4);
    await t.clock.advanceBy(1);
    expect(t.sockets).toHaveLength(5);
    expect(t.connection.stats).toMatchObject({ opens: 2, reconnects: 1, drops: 4 });
    expect(t.states).toEqual(['connecting', 'waiting', 'connecting', 'waiting', 'connecting', 'open', 'waiting', 'connecting', 'open', 'waiting', 'connecting']);
  });

  it('uses the shorter pending delays while jobs are pending', async () => {
    const t = make();
    t.connection.setJobsPending(true);
    t.connection.connect('http://a');
    t.last().drop();
    await t.clock.advanceBy(99);
    expect(t.sockets).toHaveLength(1);
    await t.clock.advanceBy(1);
    expect(t.sockets).toHaveLength(2);
  });

  it('treats an error like a close', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().onerror?.({});
    expect(t.connection.state).toBe('waiting');
    expect(t.connection.stats.drops).toBe(1);
  });

  it('times out a socket that does not open, but not one that opened', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().open();
    await t.clock.advanceBy(10_000);
    expect(t.connection.state).toBe('open');
    expect(t.connection.stats.connectTimeouts).toBe(0);
    t.connection.connect('http://b');
    await t.clock.advanceBy(2999);
    expect(t.connection.state).toBe('connecting');
    await t.clock.advanceBy(1);
    expect(t.connection.stats.connectTimeouts).toBe(1);
    expect(t.connection.state).toBe('waiting');
  });

  it('detects a deaf socket healthTimeoutMs after its last frame, only while jobs are pending and it is open', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.connection.setJobsPending(true);
    await t.clock.advanceBy(2000); // connecting: no deaf detection
    t.last().open();
    await t.clock.advanceBy(4000);
    t.last().frame(); // re-arms
    await t.clock.advanceBy(4999);
    expect(t.connection.stats.deafDetections).toBe(0);
    await t.clock.advanceBy(1);
    expect(t.connection.stats.deafDetections).toBe(1);
    expect(t.connection.state).toBe('waiting');
    expect(t.log).toContain('unhealthy');
  });

  it('stops watching for deafness once no job is pending', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().open();
    t.connection.setJobsPending(true);
    t.connection.setJobsPending(true);
    await t.clock.advanceBy(4000);
    t.connection.setJobsPending(false);
    await t.clock.advanceBy(60_000);
    expect(t.connection.stats.deafDetections).toBe(0);
    expect(t.connection.state).toBe('open');
    t.connection.setJobsPending(true);
    await t.clock.advanceBy(5000);
    expect(t.connection.stats.deafDetections).toBe(1);
  });

  it('gives up after maxAttempts, resolves waiters, and names the server', async () => {
    const t = make({ maxAttempts: 2 });
    t.connection.connect('http://a');
    let waited: boolean | undefined;
    void t.connection.waitUntilOpen(1_000_000).then((v) => (waited = v));
    t.last().drop();
    await t.clock.advanceBy(1000);
    t.last().drop();
    await t.clock.advanceBy(0);
    expect(t.connection.state).toBe('failed');
    expect(t.log).toEqual(['gave up http://a']);
    expect(waited).toBeDefined();
    expect(await t.connection.waitUntilOpen(10)).toBe(false);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('survives a factory that throws by scheduling a retry', async () => {
    const t = make({ throwOnCreate: true, maxAttempts: 3 });
    t.connection.connect('http://a');
    expect(t.connection.state).toBe('waiting');
    expect(t.connection.stats.drops).toBe(1);
  });

  it('waits for the socket to open, bounded', async () => {
    const t = make();
    expect(await t.connection.waitUntilOpen(100)).toBe(false); // idle
    t.connection.connect('http://a');
    let first: boolean | undefined;
    let second: boolean | undefined;
    void t.connection.waitUntilOpen(100).then((v) => (first = v));
    void t.connection.waitUntilOpen(500).then((v) => (second = v));
    await t.clock.advanceBy(100);
    expect(first).toBe(false);
    expect(second).toBeUndefined();
    t.last().open();
    await t.clock.advanceBy(0);
    expect(second).toBe(true);
    expect(await t.connection.waitUntilOpen(1)).toBe(true);
    expect(t.clock.pendingTimers).toBe(0); // the connect timeout and every waiter's timer are cleared
  });

  it('reconnects at once on reconnectNow, and not when idle or closed', async () => {
    const t = make();
    t.connection.reconnectNow();
    expect(t.sockets).toHaveLength(0);
    t.connection.connect('http://a');
    t.last().open();
    t.last().drop();
    t.connection.reconnectNow();
    expect(t.sockets).toHaveLength(2);
    expect(t.connection.state).toBe('connecting');
    t.connection.close();
    t.connection.reconnectNow();
    t.connection.connect('http://b');
    expect(t.sockets).toHaveLength(2);
    expect(t.connection.state).toBe('closed');
  });

  it('closes for good: reports lost health, resolves waiters, clears timers, and stays closed', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.connection.setJobsPending(true);
    t.last().open();
    t.last().frame();
    t.connection.close();
    expect(t.connection.state).toBe('closed');
    expect(t.log.slice(-1)).toEqual(['unhealthy']);
    expect(t.sockets[0]!.closedWith).toEqual([1000, 'reconnecting']);
    expect(t.clock.pendingTimers).toBe(0);
    t.connection.close();
    expect(t.states.filter((s) => s === 'closed')).toHaveLength(1);
    expect(await t.connection.waitUntilOpen(10)).toBe(false);

    const u = make();
    u.connection.connect('http://a');
    let waited: boolean | undefined;
    void u.connection.waitUntilOpen(1_000_000).then((v) => (waited = v));
    u.connection.close();
    await u.clock.advanceBy(0);
    expect(waited).toBeDefined();
    expect(u.log).toEqual([]); // never healthy: no unhealthy event
  });

  it('hands unknown messages and binary frames to their own listeners, and skips garbage', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().open();
    t.last().frame(JSON.stringify({ type: 'crystools.monitor', data: {} }));
    t.last().frame('garbage');
    t.last().frame(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 9]).buffer);
    expect(t.log).toEqual(['opened http://a', 'healthy', 'unknown crystools.monitor', 'binary preview_image']);
  });

  it('reads Blob frames before parsing them, and counts unreadable ones', async () => {
    const t = make();
    t.connection.connect('http://a');
    t.last().open();
    t.last().frame(new Blob([status]));
    await t.clock.advanceBy(0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.log).toContain('message status');
    t.last().frame({ arrayBuffer: () => Promise.reject(new Error('unreadable')) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.parser.stats.unreadable).toBe(1);
    // A Blob still being read when the socket is replaced is dropped.
    const before = t.log.length;
    t.last().frame(new Blob([status]));
    t.connection.connect('http://b');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.log.slice(before)).toEqual([]);
  });
});
