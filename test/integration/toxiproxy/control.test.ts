import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireToxiproxy,
  type AcquiredToxiproxy,
  type ProxyControl,
  type ToxiproxyChange,
  type ToxicSpec,
} from '../../../src/harness/toxiproxy/index.ts';
import { connect, exchange, roundTrip, startEchoServer, waitForEnd, type EchoServer } from './net-helpers.ts';

// Each toxic's effect through whichever provider is available first (TOXIPROXY_URL, binary, Docker).
describe('ToxiproxyControl', () => {
  let toxiproxy: AcquiredToxiproxy | undefined;
  let skippedBecause = '';
  let failure: unknown; // strict mode: acquire() threw, and every test fails with it
  let echo: EchoServer;
  let proxy: ProxyControl;
  const changes: ToxiproxyChange[] = [];

  beforeAll(async () => {
    echo = await startEchoServer();
    const result = await acquireToxiproxy({ onChange: (change) => changes.push(change) }).catch((error: unknown) => {
      failure = error;
      return undefined;
    });
    if (!result) return;
    if (result.status === 'skipped') {
      skippedBecause = result.reason;
      return;
    }
    toxiproxy = result;
    proxy = await result.client.createProxy({ name: 'control_echo', upstream: echo.address });
  }, 90_000);

  afterAll(async () => {
    await proxy?.remove().catch(() => {});
    await toxiproxy?.dispose();
    await echo?.close();
  });

  const client = (skip: (note?: string) => never) => {
    if (failure !== undefined) throw failure;
    return (toxiproxy ?? skip(skippedBecause)).client;
  };

  it('accepts every toxic type, upstream and downstream, and lists them', async ({ skip }) => {
    client(skip);
    const specs: ToxicSpec[] = [
      { type: 'latency', attributes: { latency: 10, jitter: 5 } },
      { type: 'bandwidth', attributes: { rate: 1000 }, stream: 'upstream' },
      { type: 'slow_close', attributes: { delay: 10 } },
      { type: 'timeout', attributes: { timeout: 1000 }, toxicity: 0 },
      { type: 'slicer', attributes: { average_size: 64, size_variation: 8, delay: 10 }, stream: 'upstream' },
      { type: 'reset_peer', attributes: { timeout: 0 }, toxicity: 0 },
      { type: 'limit_data', attributes: { bytes: 1_000_000 } },
    ];
    for (const spec of specs) await proxy.addToxic(spec);
    const listed = await proxy.toxics();
    expect(listed.map((t) => `${t.name}:${t.type}:${t.stream}`).sort()).toEqual([
      'bandwidth_upstream:bandwidth:upstream',
      'latency_downstream:latency:downstream',
      'limit_data_downstream:limit_data:downstream',
      'reset_peer_downstream:reset_peer:downstream',
      'slicer_upstream:slicer:upstream',
      'slow_close_downstream:slow_close:downstream',
      'timeout_downstream:timeout:downstream',
    ]);
    await proxy.updateToxic('latency_downstream', { attributes: { latency: 20, jitter: 0 } });
    expect((await proxy.toxics()).find((t) => t.name === 'latency_downstream')?.attributes).toEqual({ latency: 20, jitter: 0 });
    await toxiproxy!.client.reset();
    expect(await proxy.toxics()).toEqual([]);
    expect(changes.map((c) => c.action)).toEqual(['proxy-created', ...specs.map(() => 'toxic-added'), 'toxic-updated', 'reset']);
  });

  it('rejects a bad toxic before sending it, naming the field', async ({ skip }) => {
    client(skip);
    await expect(proxy.addToxic({ type: 'latency', attributes: { latency: -5 } })).rejects.toMatchObject({
      code: 'TOXIPROXY_INVALID_ARGUMENT',
      message: expect.stringMatching(/invalid latency toxic for proxy "control_echo".*latency/s),
    });
    await expect(proxy.addToxic({ type: 'latency', attributes: { latency: 1 }, toxicity: 2 })).rejects.toMatchObject({
      code: 'TOXIPROXY_INVALID_ARGUMENT',
    });
  });

  it('names the request, the server and the reason when Toxiproxy refuses', async ({ skip }) => {
    const control = client(skip);
    await expect(control.createProxy({ name: 'control_echo', upstream: echo.address })).rejects.toMatchObject({
      code: 'TOXIPROXY_REQUEST_FAILED',
      message: expect.stringMatching(/^toxiproxy at http:\/\/.+: creating proxy "control_echo" .*failed: .*409; the name is already taken/),
    });
    await expect(proxy.removeToxic('no_such_toxic')).rejects.toMatchObject({
      code: 'TOXIPROXY_REQUEST_FAILED',
      message: expect.stringContaining('removing toxic "no_such_toxic" from proxy "control_echo" failed: Request failed with status code 404; not found'),
    });
    await expect(control.createProxy({ name: 'bad name!', upstream: echo.address })).rejects.toMatchObject({
      code: 'TOXIPROXY_INVALID_ARGUMENT',
    });
  });

  it('limit_data closes the connection once the byte budget is spent', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'limit_data', attributes: { bytes: 10 } });
    const result = await roundTrip(proxy.address, 'x'.repeat(100));
    expect(result.reply.length).toBeLessThanOrEqual(10);
    expect(result.ended).toMatch(/end|close|ECONNRESET/);
    await proxy.removeToxic('limit_data_downstream');
  });

  it('reset_peer resets the connection when data flows', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 }, stream: 'upstream' });
    const result = await roundTrip(proxy.address, 'anyone there?');
    expect(result.reply).toBe('');
    expect(result.ended).toMatch(/ECONNRESET|end|close|EPIPE/);
    await proxy.removeToxic('reset_peer_upstream');
  });

  it('timeout holds the data and closes the connection after its timeout', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'timeout', attributes: { timeout: 400 } });
    const result = await roundTrip(proxy.address, 'into the void');
    expect(result.reply).toBe('');
    expect(result.ended).toMatch(/end|close|ECONNRESET/);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(399);
    await proxy.removeToxic('timeout_downstream');
  });

  it('slicer cuts a reply into several chunks', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'slicer', attributes: { average_size: 16, size_variation: 4, delay: 5_000 } });
    const payload = 'y'.repeat(400);
    const result = await roundTrip(proxy.address, payload);
    expect(result.reply).toBe(payload);
    expect(result.chunks).toBeGreaterThan(1);
    await proxy.removeToxic('slicer_downstream');
  });

  it('bandwidth slows a transfer to at least size / rate', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'bandwidth', attributes: { rate: 20 } }); // KB/s
    const payload = 'z'.repeat(10 * 1024); // 10 KB at 20 KB/s: at least ~500 ms
    const result = await roundTrip(proxy.address, payload);
    expect(result.reply.length).toBe(payload.length);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(400);
    await proxy.removeToxic('bandwidth_downstream');
  });

  it('slow_close delays the close that the upstream sends', async ({ skip }) => {
    client(skip);
    await proxy.addToxic({ type: 'slow_close', attributes: { delay: 300 } });
    const socket = await connect(proxy.address);
    const started = performance.now();
    const ended = waitForEnd(socket);
    await exchange(socket, 'BYE');
    expect(await ended).not.toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(299);
    socket.destroy();
    await proxy.removeToxic('slow_close_downstream');
  });
});
