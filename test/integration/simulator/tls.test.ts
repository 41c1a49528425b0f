import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RawSocket } from '../../helpers/sim-fixture.ts';
import { disposeSharedLoopbackCertificate, Simulator, type SimulatorServer } from '../../../src/simulator/index.ts';
import { comfyui0364, gatewayTls } from '../../../src/simulator/profiles/index.ts';
import { VirtualClock, type WebSocketLike } from '../../../src/protocol/index.ts';

/**
 * The gateway-tls profile (docs/comfyui-protocol.md, "TLS"): the simulator serves HTTPS and WSS on
 * one port, as ComfyUI with --tls-keyfile/--tls-certfile or a TLS-terminating proxy does. Raw
 * `https`/`ws` clients that trust the run's CA get ComfyUI; plain http:// and ws:// to the same
 * port fail, and so does a client that does not trust the CA.
 */

const sims: Simulator[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
});
afterAll(disposeSharedLoopbackCertificate);

async function listening(profile = gatewayTls): Promise<{ sim: Simulator; server: SimulatorServer }> {
  const sim = new Simulator({ profile });
  sims.push(sim);
  return { sim, server: await sim.listen({ host: '127.0.0.1', port: 0 }) };
}

function httpsJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
  });
}

/** Opens a socket and waits (at most 10 s) until it opened and got a frame, or closed. */
async function settled(socket: RawSocket): Promise<RawSocket> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && socket.closeCode === null && socket.frames.length === 0) await new Promise((r) => setTimeout(r, 10));
  return socket;
}

describe('the gateway-tls profile on the network transport', () => {
  it('serves https:// with a certificate for 127.0.0.1 signed by the CA it names', async () => {
    const { server } = await listening();
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.caFile).toBeDefined();
    const stats = await httpsJson(`${server.url}/system_stats`, readFileSync(server.caFile!));
    expect(stats.status).toBe(200);
    expect((stats.body as { system: { comfyui_version: string } }).system.comfyui_version).toBe('0.3.64');
  });

  it('opens wss:// with the CA, and the first frame is the status greeting as on plain ws', async () => {
    const { server } = await listening();
    const socket = await settled(new RawSocket(new WebSocket(`${server.url.replace(/^https/, 'wss')}/ws?clientId=c1`, { ca: readFileSync(server.caFile!) }) as unknown as WebSocketLike));
    expect(socket.opened).toBe(true);
    expect(socket.messages()[0]?.type).toBe('status');
    socket.close();
  });

  it('fails plain ws:// and http:// to the TLS port, and https:// without the CA', async () => {
    const { server } = await listening();
    const plainWs = await settled(new RawSocket(new WebSocket(`${server.url.replace(/^https/, 'ws')}/ws?clientId=c1`) as unknown as WebSocketLike));
    expect(plainWs.opened).toBe(false);
    expect(plainWs.closeCode).toBe(1006);
    await expect(fetch(`${server.url.replace(/^https/, 'http')}/system_stats`)).rejects.toThrow(TypeError);
    // The harness process was not told to trust the test CA: Node's own roots refuse it.
    await expect(fetch(`${server.url}/system_stats`)).rejects.toThrow(TypeError);
  });

  it('serves a request that offers a non-WebSocket upgrade as plain HTTPS, as on the plain port', async () => {
    const { server } = await listening();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: readFileSync(server.caFile!), servername: 'localhost' }, () => {
        socket.write('GET /queue HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, close\r\nUpgrade: foo/1\r\n\r\n');
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('"queue_running"');
  });

  it('the baseline stays plain: wss:// to it fails and ws:// works', async () => {
    const { server } = await listening(comfyui0364);
    expect(server.url).toMatch(/^http:\/\//);
    expect(server.caFile).toBeUndefined();
    const tlsToPlain = await settled(new RawSocket(new WebSocket(`${server.url.replace(/^http/, 'wss')}/ws?clientId=c1`) as unknown as WebSocketLike));
    expect(tlsToPlain.opened).toBe(false);
    const plain = await settled(new RawSocket(new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws?clientId=c1`) as unknown as WebSocketLike));
    expect(plain.opened).toBe(true);
    plain.close();
  });
});

describe('the gateway-tls profile on the memory transport (an https:// base)', () => {
  it('accepts https:// and wss://, and fails http:// and ws:// as the TLS port does', async () => {
    const clock = new VirtualClock();
    const sim = new Simulator({ profile: gatewayTls, clock });
    sims.push(sim);
    const mem = sim.memoryTransport('https://127.0.0.1:8188');
    expect((await mem.fetch('https://127.0.0.1:8188/system_stats')).status).toBe(200);
    await expect(mem.fetch('http://127.0.0.1:8188/system_stats')).rejects.toThrow(/TLS handshake failed/);
    const secure = new RawSocket(mem.webSocketFactory('wss://127.0.0.1:8188/ws?clientId=a'));
    const plain = new RawSocket(mem.webSocketFactory('ws://127.0.0.1:8188/ws?clientId=b'));
    await clock.runUntil(() => secure.frames.length > 0 && plain.closeCode !== null, 5_000);
    expect(secure.messages()[0]?.type).toBe('status');
    expect(plain.opened).toBe(false);
    expect(plain.closeCode).toBe(1006);
  });
});
