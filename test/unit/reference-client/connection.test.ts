import { describe, expect, it } from 'vitest';
import { VirtualClock, type WebSocketLike } from '../../../src/protocol/index.ts';
import { Backoff } from '../../../src/reference-client/backoff.ts';
import { Connection, webSocketUrl, type ConnectionListener } from '../../../src/reference-client/connection.ts';
import { seededRandom } from '../../../src/reference-client/seeded-random.ts';
import { TolerantParser } from '../../../src/reference-client/tolerant-parser.ts';
import { FakeComfy } from './fakes/fake-comfy.ts';

function make(overrides: { maxAttempts?: number; connectTimeoutMs?: number; factory?: (url: string) => WebSocketLike } = {}) {
  const clock = new VirtualClock();
  const server = new FakeComfy(clock);
  const log: string[] = [];
  const listener: ConnectionListener = {
    message: (m) => log.push(`message ${m.type}`),
    binary: () => log.push('binary'),
    opened: ({ reconnect }) => log.push(reconnect ? 'reopened' : 'opened'),
    healthChanged: (h) => log.push(h ? 'healthy' : 'unhealthy'),
    stateChanged: () => undefined,
    gaveUp: () => log.push('gave up'),
  };
  const connection = new Connection(
    {
      clientId: 'cid',
      clock,
      webSocketFactory: overrides.factory ?? server.webSocketFactory,
      parser: new TolerantParser(),
      backoff: new Backoff({ baseMs: 1000, pendingBaseMs: 100, capMs: 4000, jitterRatio: 0, maxAttempts: overrides.maxAttempts ?? 0, random: seededRandom(1) }),
      healthTimeoutMs: 5000,
      connectTimeoutMs: overrides.connectTimeoutMs ?? 3000,
      featureFlags: { supports_preview_metadata: true },
    },
    listener,
  );
  return { clock, server, connection, log };
}

describe('webSocketUrl', () => {
  it('turns an http(s) base URL into the /ws URL with the clientId', () => {
    expect(webSocketUrl('http://127.0.0.1:8188', 'a b')).toBe('ws://127.0.0.1:8188/ws?clientId=a%20b');
    expect(webSocketUrl('https://host/comfy/', 'c')).toBe('wss://host/comfy/ws?clientId=c');
  });
});

describe('Connection', () => {
  it('reconnects with the same clientId and reports the reopen', async () => {
    const t = make();
    t.connection.connect(t.server.baseUrl);
    await t.clock.runUntil(() => t.connection.healthy, 10_000);
    t.server.terminateAll();
    await t.clock.runUntil(() => t.log.includes('reopened') && t.connection.healthy, 10_000);
    expect(t.server.allSockets.map((s) => s.clientId)).toEqual(['cid', 'cid']);
    expect(t.log).toEqual(['opened', 'healthy', 'message status', 'unhealthy', 'reopened', 'healthy', 'message status']);
  });

  it('replaces a deaf socket only while jobs are pending', async () => {
    const t = make();
    t.connection.connect(t.server.baseUrl);
    await t.clock.runUntil(() => t.connection.healthy, 10_000);
    for (const s of t.server.openSockets) s.deaf = true;
    await t.clock.advanceBy(20_000);
    expect(t.connection.stats.deafDetections).toBe(0);
    t.connection.setJobsPending(true);
    await t.clock.advanceBy(5001);
    expect(t.connection.stats.deafDetections).toBe(1);
    await t.clock.runUntil(() => t.connection.healthy, 10_000);
    expect(t.server.allSockets).toHaveLength(2);
  });

  it('drops a socket that never opens after connectTimeoutMs and tries again', async () => {
    const t = make({ connectTimeoutMs: 3000 });
    const stuck: WebSocketLike = { readyState: 0, binaryType: '', onopen: null, onmessage: null, onclose: null, onerror: null, send: () => undefined, close: () => undefined };
    let made = 0;
    const real = t.server.webSocketFactory;
    const c = make({ connectTimeoutMs: 3000, factory: (url) => (++made === 1 ? stuck : real(url)) });
    c.connection.connect(t.server.baseUrl);
    await c.clock.advanceBy(2999);
    expect(made).toBe(1);
    await c.clock.advanceBy(2);
    expect(c.connection.stats.connectTimeouts).toBe(1);
    expect(c.connection.state).toBe('waiting');
  });

  it('gives up after maxAttempts consecutive failures and tells the listener once', async () => {
    const t = make({ maxAttempts: 4 });
    t.server.down = true;
    t.connection.connect(t.server.baseUrl);
    await t.clock.advanceBy(600_000);
    expect(t.connection.state).toBe('failed');
    expect(t.server.allSockets).toHaveLength(4);
    expect(t.log.filter((l) => l === 'gave up')).toHaveLength(1);
    // connect() starts afresh after giving up.
    t.server.down = false;
    t.connection.connect(t.server.baseUrl);
    await t.clock.runUntil(() => t.connection.healthy, 10_000);
    expect(t.connection.healthy).toBe(true);
  });

  it('survives a socket factory that throws', async () => {
    const t = make({ maxAttempts: 2, factory: () => { throw new SyntaxError('bad url'); } });
    t.connection.connect('http://x');
    await t.clock.advanceBy(60_000);
    expect(t.connection.state).toBe('failed');
  });

  it('stops everything on close', async () => {
    const t = make();
    t.connection.connect(t.server.baseUrl);
    await t.clock.runUntil(() => t.connection.healthy, 10_000);
    t.connection.close();
    await t.clock.advanceBy(60_000);
    expect(t.connection.state).toBe('closed');
    expect(t.server.allSockets).toHaveLength(1);
    expect(t.clock.pendingTimers).toBe(0);
  });
});
