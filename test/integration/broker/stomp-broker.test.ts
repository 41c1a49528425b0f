import { randomUUID } from 'node:crypto';
import { Client, type IMessage } from '@stomp/stompjs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireStompBroker,
  STOMP_SUBPROTOCOLS,
  waitForStompBroker,
  type AcquiredBroker,
  type BrokerKind,
  type BrokerProvider,
} from '../../../src/harness/broker/index.ts';

// The semantics the reference relay relies on (docs/relays.md): it SENDs each user's messages to
// the durable queue /queue/comfy.user.<clientId>, which the browser subscribes to with
// ack: client-individual. Skipped with the reason when no broker is found; a failure under
// COMFY_CHAOS_STRICT=1.

const STEP_MS = 10_000;
/** How long "nothing else arrives" is watched for, in ms. */
const QUIET_MS = 500;

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A STOMP client over `ws`, as the relay and the browser use it; it never reconnects by itself. */
class StompPeer {
  readonly received: IMessage[] = [];
  private readonly client: Client;
  private receipts = 0;
  private arrived: (() => void) | undefined;

  private constructor(broker: AcquiredBroker) {
    this.client = new Client({
      webSocketFactory: () => new WebSocket(broker.url, STOMP_SUBPROTOCOLS),
      connectHeaders: { login: broker.login, passcode: broker.passcode },
      reconnectDelay: 0,
      connectionTimeout: 5_000,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      debug: () => {},
    });
  }

  static async connect(broker: AcquiredBroker): Promise<StompPeer> {
    const peer = new StompPeer(broker);
    const connected = new Promise<void>((resolve, reject) => {
      peer.client.onConnect = () => resolve();
      peer.client.onStompError = (frame) => reject(new Error(`STOMP ERROR: ${frame.headers.message ?? ''} ${frame.body}`));
      peer.client.onWebSocketClose = (event) => reject(new Error(`socket closed (${event.code}) before CONNECTED`));
    });
    peer.client.activate();
    await bounded(connected, STEP_MS, `STOMP CONNECT to ${broker.url}`);
    return peer;
  }

  private withReceipt(what: string, send: (receipt: string) => void): Promise<void> {
    const receipt = `r-${++this.receipts}`;
    const done = new Promise<void>((resolve) => this.client.watchForReceipt(receipt, () => resolve()));
    send(receipt);
    return bounded(done, STEP_MS, `receipt for ${what}`);
  }

  /** SENDs as the reference relay does, and waits until the broker confirms it holds the message. */
  send(destination: string, body: string): Promise<void> {
    return this.withReceipt(`SEND to ${destination}`, (receipt) =>
      this.client.publish({ destination, body, headers: { 'content-type': 'application/json', persistent: 'true', receipt } }),
    );
  }

  /** SUBSCRIBEs with ack: client-individual; messages are kept in `received`, never ACKed here. */
  subscribe(destination: string): Promise<void> {
    return this.withReceipt(`SUBSCRIBE to ${destination}`, (receipt) =>
      this.client.subscribe(
        destination,
        (message) => {
          this.received.push(message);
          this.arrived?.();
        },
        { ack: 'client-individual', receipt },
      ),
    );
  }

  /** Resolves once `count` messages have arrived. */
  async waitFor(count: number): Promise<IMessage[]> {
    const enough = new Promise<void>((resolve) => {
      const check = () => {
        if (this.received.length >= count) resolve();
      };
      this.arrived = check;
      check();
    });
    await bounded(enough, STEP_MS, `waiting for ${count} message(s), got ${this.received.length}`);
    return this.received.slice(0, count);
  }

  /** Waits `QUIET_MS` and returns the bodies received by then. */
  async settledBodies(): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    return this.received.map((message) => message.body);
  }

  /** Leaves without ACKing, as a closed browser tab does: the socket just goes away. */
  drop(): void {
    (this.client.webSocket as unknown as WebSocket | undefined)?.terminate();
    void this.client.deactivate({ force: true });
  }

  async close(): Promise<void> {
    await bounded(this.client.deactivate(), 3_000, 'STOMP DISCONNECT').catch(() => this.drop());
  }
}

const userQueue = (user: string) => `/queue/comfy.user.${user}`;
const randomUser = () => `test-${randomUUID().slice(0, 8)}`;

describe('STOMP broker (real)', () => {
  let broker: AcquiredBroker | undefined;
  let skippedBecause = 'the broker was not acquired';
  // In strict mode acquire throws; every test then fails with that error (not just the hook).
  let failure: unknown;
  const peers: StompPeer[] = [];
  /** A new client of the broker; tests call it only after `use` (which skips without a broker). */
  const connect = async () => {
    const peer = await StompPeer.connect(broker!);
    peers.push(peer);
    return peer;
  };

  beforeAll(async () => {
    const result = await acquireStompBroker().catch((error: unknown) => {
      failure = error;
      return undefined;
    });
    if (result?.status === 'skipped') skippedBecause = result.reason;
    if (result?.status === 'ready') broker = result;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.close()));
    await broker?.dispose();
  }, 60_000);

  const use = (skip: (note?: string) => never): AcquiredBroker => {
    if (failure !== undefined) throw failure;
    return broker ?? skip(skippedBecause);
  };

  it('speaks STOMP over WebSocket with the login it hands out', async ({ skip }) => {
    const { url, login, passcode } = use(skip);
    expect(url).toMatch(/^wss?:\/\/[^/]+\/ws$/);
    const info = await waitForStompBroker(url, login, passcode, STEP_MS);
    expect(info.version).toMatch(/^1\.[0-2]$/);
  });

  it('refuses a wrong passcode at once with BROKER_NOT_READY', async ({ skip }) => {
    const { url, login } = use(skip);
    const started = Date.now();
    await expect(waitForStompBroker(url, login, 'not-the-passcode', STEP_MS)).rejects.toMatchObject({
      code: 'BROKER_NOT_READY',
      message: expect.stringContaining(`refused CONNECT as "${login}"`),
    });
    expect(Date.now() - started).toBeLessThan(STEP_MS / 2);
  });

  it('keeps a message sent while no one subscribes and delivers it to a later subscriber', async ({ skip }) => {
    use(skip);
    const queue = userQueue(randomUser());
    const relay = await connect();
    await relay.send(queue, '{"type":"imageResult","prompt_id":"p1"}');
    await relay.close();

    const browser = await connect();
    await browser.subscribe(queue);
    const [message] = await browser.waitFor(1);
    expect(message.body).toBe('{"type":"imageResult","prompt_id":"p1"}');
    expect(message.headers.destination).toBe(queue);
    message.ack();
    expect(await browser.settledBodies()).toHaveLength(1);
  });

  it('redelivers a message that was received but not ACKed to the next subscriber', async ({ skip }) => {
    use(skip);
    const queue = userQueue(randomUser());
    const relay = await connect();
    await relay.send(queue, '{"type":"progress","prompt_id":"p2","value":1,"max":2}');

    const first = await connect();
    await first.subscribe(queue);
    const [unacked] = await first.waitFor(1);
    expect(unacked.headers.redelivered).not.toBe('true');
    first.drop();

    const second = await connect();
    await second.subscribe(queue);
    const [again] = await second.waitFor(1);
    expect(again.body).toBe(unacked.body);
    expect(again.headers.redelivered).toBe('true');
    again.ack();
    await second.close();

    // ACKed now: a third subscriber gets nothing.
    const third = await connect();
    await third.subscribe(queue);
    expect(await third.settledBodies()).toEqual([]);
  });

  it("keeps two users' queues apart", async ({ skip }) => {
    use(skip);
    const [alice, bob] = [randomUser(), randomUser()];
    const relay = await connect();
    await relay.send(userQueue(alice), '{"for":"alice"}');
    await relay.send(userQueue(bob), '{"for":"bob"}');

    const aliceBrowser = await connect();
    await aliceBrowser.subscribe(userQueue(alice));
    await aliceBrowser.waitFor(1);
    expect(await aliceBrowser.settledBodies()).toEqual(['{"for":"alice"}']);

    const bobBrowser = await connect();
    await bobBrowser.subscribe(userQueue(bob));
    await bobBrowser.waitFor(1);
    expect(await bobBrowser.settledBodies()).toEqual(['{"for":"bob"}']);
    expect(aliceBrowser.received.map((m) => m.body)).toEqual(['{"for":"alice"}']);
    for (const message of [...aliceBrowser.received, ...bobBrowser.received]) message.ack();
  });

  it('uses STOMP_BROKER_URL as is and leaves that broker running on dispose', async ({ skip }) => {
    const { url, login, passcode } = use(skip);
    const viaEnv = await acquireStompBroker({ env: { STOMP_BROKER_URL: url, STOMP_LOGIN: login, STOMP_PASSCODE: passcode } });
    expect(viaEnv).toMatchObject({ status: 'ready', kind: 'env', url, login, passcode });
    if (viaEnv.status === 'ready') await viaEnv.dispose();
    await expect(waitForStompBroker(url, login, passcode, STEP_MS)).resolves.toBeDefined();
  });
});

describe('acquireStompBroker without a broker', () => {
  const unavailable = (kind: BrokerKind, reason: string): BrokerProvider => ({ kind, start: async () => ({ available: false, reason }) });
  const none = { env: unavailable('env', 'STOMP_BROKER_URL is not set'), rabbitmq: unavailable('rabbitmq', 'rabbitmq-server is not installed') };

  it('is skipped, with every reason and how to get a broker, when none is available', async () => {
    const result = await acquireStompBroker({ strict: false, providers: none });
    expect(result.status).toBe('skipped');
    if (result.status !== 'skipped') return;
    expect(result.reason).toContain('env: STOMP_BROKER_URL is not set; rabbitmq: rabbitmq-server is not installed');
    expect(result.reason).toContain('scripts/install-rabbitmq.sh');
    expect(result.reason).toContain('set STOMP_BROKER_URL');
  });

  it('throws BROKER_UNAVAILABLE in strict mode, and COMFY_CHAOS_STRICT=1 turns strict mode on', async () => {
    const expected = { code: 'BROKER_UNAVAILABLE', message: expect.stringContaining('scripts/install-rabbitmq.sh') };
    await expect(acquireStompBroker({ strict: true, providers: none })).rejects.toMatchObject(expected);
    await expect(acquireStompBroker({ env: { COMFY_CHAOS_STRICT: '1' }, providers: none })).rejects.toMatchObject(expected);
  });

  it('rejects a STOMP_BROKER_URL that is not a ws(s) URL', async () => {
    await expect(acquireStompBroker({ env: { STOMP_BROKER_URL: 'http://127.0.0.1:15674/ws' } })).rejects.toMatchObject({
      code: 'BROKER_PROVIDER_FAILED',
      message: expect.stringContaining('STOMP_BROKER_URL="http://127.0.0.1:15674/ws" is not a ws(s) URL'),
    });
  });

  it('gives up on a port where nothing listens with BROKER_NOT_READY, within its timeout', async () => {
    const started = Date.now();
    await expect(waitForStompBroker('ws://127.0.0.1:9/ws', 'guest', 'guest', 1_000)).rejects.toMatchObject({
      code: 'BROKER_NOT_READY',
      message: expect.stringContaining('no STOMP CONNECTED frame from ws://127.0.0.1:9/ws within 1000 ms'),
    });
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
