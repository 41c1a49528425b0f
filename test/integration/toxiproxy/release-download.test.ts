import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireToxiproxy,
  cachedToxiproxyBinary,
  findToxiproxyBinary,
  installToxiproxy,
  PINNED_RELEASE,
  toxiproxyAssetName,
  ToxiproxyHarnessError,
  TOXIPROXY_VERSION,
} from '../../../src/harness/toxiproxy/index.ts';
import { cli } from '../cli/cli.ts';

// `comfy-chaos toxiproxy install` against a loopback file server standing in for the GitHub
// release (this machine has no internet): COMFY_CHAOS_TOXIPROXY_BASE_URL points the download at
// it. The server's folder mimics the release layout: /v<version>/<asset>.
const root = mkdtempSync(join(tmpdir(), 'cc-release-'));
const files = join(root, 'files');
let server: Server;
let base = '';
const served: string[] = [];

const asset = (() => {
  const named = toxiproxyAssetName();
  if ('unsupported' in named) throw new Error(named.unsupported);
  return named.asset;
})();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const envFor = (name: string) => ({ PATH: '', HOME: join(root, name), XDG_CACHE_HOME: join(root, name, 'cache'), COMFY_CHAOS_TOXIPROXY_BASE_URL: `${base}/release` });

/** A real executable to serve: the locally built Toxiproxy server when there is one (then it is started too), else a shell script. */
const localBinary = (() => {
  try {
    return findToxiproxyBinary({ env: process.env });
  } catch {
    return undefined;
  }
})();

beforeAll(async () => {
  mkdirSync(join(files, `v${TOXIPROXY_VERSION}`), { recursive: true });
  const good = join(files, `v${TOXIPROXY_VERSION}`, asset);
  if (localBinary) copyFileSync(localBinary, good);
  else writeFileSync(good, '#!/bin/sh\necho "toxiproxy stand-in"\n');
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    // GitHub answers a release download with a redirect to its object store; so does this server.
    if (req.url?.startsWith('/release/')) {
      res.writeHead(302, { location: req.url.replace('/release/', '/objects/') }).end();
      return;
    }
    const path = join(files, decodeURIComponent((req.url ?? '').replace(/^\/objects\//, '')));
    if (!existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end('Not Found');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('toxiproxy install (the pinned release binary, checked and cached)', () => {
  it('pins a SHA-256 for the version in toxiproxy.version, for the four platforms Toxiproxy publishes', () => {
    expect(PINNED_RELEASE.version).toBe(TOXIPROXY_VERSION);
    expect(Object.keys(PINNED_RELEASE.sha256).sort()).toEqual(['toxiproxy-server-darwin-amd64', 'toxiproxy-server-darwin-arm64', 'toxiproxy-server-linux-amd64', 'toxiproxy-server-linux-arm64']);
    for (const digest of Object.values(PINNED_RELEASE.sha256)) expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the release asset of each platform, and refuses one Toxiproxy does not publish', () => {
    expect(toxiproxyAssetName('linux', 'x64')).toEqual({ asset: 'toxiproxy-server-linux-amd64' });
    expect(toxiproxyAssetName('darwin', 'arm64')).toEqual({ asset: 'toxiproxy-server-darwin-arm64' });
    expect(toxiproxyAssetName('linux', 'ia32')).toEqual({ unsupported: 'Toxiproxy publishes no server binary for linux/ia32' });
  });

  it('downloads the file (following the redirect), checks its digest, installs it executable in the cache, where the binary provider finds it', async () => {
    const env = envFor('good');
    const bytes = readFileSync(join(files, `v${TOXIPROXY_VERSION}`, asset));
    const got = await installToxiproxy({ env, sha256: { [asset]: sha256(bytes) } });
    expect(got).toMatchObject({ path: cachedToxiproxyBinary(env), downloaded: true, bytes: bytes.length, sha256: sha256(bytes), url: `${base}/release/v${TOXIPROXY_VERSION}/${asset}` });
    expect(got.path).toBe(join(root, 'good', 'cache', 'comfy-chaos', 'toxiproxy', TOXIPROXY_VERSION, 'toxiproxy-server'));
    expect(statSync(got.path).mode & 0o111).not.toBe(0);
    expect(readFileSync(got.path).equals(bytes)).toBe(true);
    expect(served).toContain(`/objects/v${TOXIPROXY_VERSION}/${asset}`);
    // A second install finds it in place and downloads nothing.
    const again = await installToxiproxy({ env, sha256: { [asset]: sha256(bytes) } });
    expect(again.downloaded).toBe(false);
    // Nothing on PATH: the provider finds the cached binary.
    expect(findToxiproxyBinary({ env })).toBe(got.path);
    if (localBinary) {
      const started = await acquireToxiproxy({ only: ['binary'], env, strict: true });
      try {
        expect(started).toMatchObject({ status: 'ready', kind: 'binary' });
      } finally {
        if (started.status === 'ready') await started.dispose();
      }
    }
  });

  it('refuses a file whose SHA-256 is not the pinned one, and installs nothing', async () => {
    const env = envFor('wrong');
    // The served file is not the official release, so the real pinned digest cannot match.
    const error = await installToxiproxy({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToxiproxyHarnessError);
    expect((error as ToxiproxyHarnessError).code).toBe('TOXIPROXY_CHECKSUM_MISMATCH');
    expect((error as Error).message).toContain(`but the pinned SHA-256 of ${asset} ${TOXIPROXY_VERSION} is ${PINNED_RELEASE.sha256[asset]}; nothing was installed`);
    expect(existsSync(cachedToxiproxyBinary(env))).toBe(false);
    expect(existsSync(join(root, 'wrong', 'cache', 'comfy-chaos', 'toxiproxy', TOXIPROXY_VERSION))).toBe(false);
  });

  it('says which asset is missing when the release has no such file (HTTP 404), and names the other ways to get Toxiproxy', async () => {
    const env = { ...envFor('missing'), COMFY_CHAOS_TOXIPROXY_BASE_URL: `${base}/release/nowhere` };
    const error = await installToxiproxy({ env }).catch((e: unknown) => e);
    expect((error as ToxiproxyHarnessError).code).toBe('TOXIPROXY_DOWNLOAD_FAILED');
    expect((error as Error).message).toContain(`GET ${base}/release/nowhere/v${TOXIPROXY_VERSION}/${asset} answered HTTP 404: the release v${TOXIPROXY_VERSION} has no asset ${asset} there`);
    expect((error as Error).message).toContain('TOXIPROXY_URL');
    expect(existsSync(cachedToxiproxyBinary(env))).toBe(false);
  });

  it('comfy-chaos toxiproxy install exits 2 with the reason when the digest is wrong', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, envFor('cli'));
    try {
      const run = await cli(['toxiproxy', 'install']);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^comfy-chaos: toxiproxy install: the file at http:\/\/127\.0\.0\.1:\d+\/release\/v[\d.]+\/toxiproxy-server-\S+ has SHA-256 [0-9a-f]{64}, but the pinned/);
    } finally {
      for (const key of Object.keys(envFor('x'))) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
