import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustingFetch } from '../../src/reference-client/node.ts';
import { disposeSharedLoopbackCertificate, Simulator, type SimulatorServer } from '../../src/simulator/index.ts';
import { gatewayTls } from '../../src/simulator/profiles/index.ts';

/**
 * The reference client's Node fetch that trusts a given CA (src/reference-client/node-fetch.ts),
 * against the simulator on gateway-tls: what the in-process client and a driver with COMFY_CA_FILE use.
 */
let sim: Simulator;
let server: SimulatorServer;
let ca: Buffer;
beforeAll(async () => {
  sim = new Simulator({ profile: gatewayTls });
  server = await sim.listen({ host: '127.0.0.1', port: 0 });
  ca = readFileSync(server.caFile!);
});
afterAll(async () => {
  await sim.close();
  await disposeSharedLoopbackCertificate();
});

describe('createTrustingFetch', () => {
  it('GETs and POSTs JSON over https with the CA, as the global fetch would', async () => {
    const fetch = createTrustingFetch({ ca });
    const stats = await fetch(`${server.url}/system_stats`);
    expect(stats.status).toBe(200);
    expect(stats.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await stats.json()) as { system: { comfyui_version: string } }).system.comfyui_version).toBe('0.3.64');
    const bad = await fetch(`${server.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: {} }) });
    expect(bad.status).toBe(400);
    expect(bad.ok).toBe(false);
    expect(await bad.text()).toMatch(/prompt_no_outputs|no outputs/i);
  });

  it('uploads a FormData body (multipart) over https', async () => {
    const fetch = createTrustingFetch({ ca });
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array([137, 80, 78, 71])]), 'x.png');
    const reply = await fetch(`${server.url}/upload/image`, { method: 'POST', body: form });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { name: string }).name).toBe('x.png');
  });

  it('refuses the server without the CA, and rejects with AbortError when aborted', async () => {
    const untrusting = createTrustingFetch({ ca: [] });
    await expect(untrusting(`${server.url}/system_stats`)).rejects.toThrow(TypeError);
    const controller = new AbortController();
    controller.abort();
    await expect(createTrustingFetch({ ca })(`${server.url}/system_stats`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
