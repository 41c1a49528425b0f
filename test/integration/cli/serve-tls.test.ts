import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeLoopbackCertificate } from '../../../src/simulator/index.ts';
import { serve } from './serve-process.ts';

/** Runs `serve` until its TLS lines are out, hands them to `use` (then Ctrl-C); bounded by `maxMs`. */
function serveTls(args: string[], use: (url: string, caFile: string) => Promise<void>, maxMs = 30_000): ReturnType<typeof serve> {
  const tlsLines = (stdout: string) => {
    const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    const ca = /clients must trust (\S+?),? /.exec(stdout)?.[1];
    return url && ca ? { url, ca } : undefined;
  };
  return serve(args, ({ url, ca }) => use(url, ca), maxMs, tlsLines);
}

function statusOver(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

function firstFrame(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca });
    const timer = setTimeout(() => reject(new Error('no frame in 10 s')), 10_000);
    ws.on('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(String(data));
    });
    ws.on('error', reject);
  });
}

describe('comfy-chaos serve over TLS', () => {
  it('--comfyui gateway-tls makes a loopback certificate, prints https/wss URLs and the CA, and serves both', async () => {
    let status = 0;
    let frame = '';
    let caPath = '';
    const run = await serveTls(['--comfyui', 'gateway-tls'], async (url, caFile) => {
      caPath = caFile;
      const ca = readFileSync(caFile);
      status = await statusOver(`${url}/queue`, ca);
      frame = await firstFrame(`${url.replace(/^https/, 'wss')}/ws?clientId=t`, ca);
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+ \(ws: wss:\/\/127\.0\.0\.1:\d+\/ws\)/);
    expect(status).toBe(200);
    expect(JSON.parse(frame).type).toBe('status');
    // The made certificate lives only as long as the server.
    expect(existsSync(caPath)).toBe(false);
  }, 60_000);

  it('--tls-keyfile and --tls-certfile serve the files given, as ComfyUI takes them', async () => {
    const made = await makeLoopbackCertificate();
    try {
      let status = 0;
      const run = await serveTls(['--tls-keyfile', made.keyFile, '--tls-certfile', made.certFile], async (url) => {
        status = await statusOver(`${url}/system_stats`, readFileSync(made.caFile));
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`tls: cert ${made.certFile}, key ${made.keyFile}: clients must trust the CA that signed it`);
      expect(status).toBe(200);
    } finally {
      made.dispose();
    }
  }, 60_000);

  it('exits 2 for a key without a certificate, and for a file that is not PEM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-serve-tls-'));
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a key\n');
    const lone = await serveTls(['--tls-keyfile', junk], async () => undefined, 15_000);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--tls-keyfile and --tls-certfile go together \(got only --tls-keyfile\)/);
    const notPem = await serveTls(['--tls-keyfile', junk, '--tls-certfile', junk], async () => undefined, 15_000);
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toContain(`the TLS key file ${junk} is not PEM`);
  }, 60_000);
});
