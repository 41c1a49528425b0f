import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireToxiproxy,
  binaryProvider,
  loopbackAddressing,
  type ToxiproxyKind,
  type ToxiproxyProvider,
} from '../../../src/harness/toxiproxy/index.ts';

const unavailable = (kind: ToxiproxyKind, reason: string, calls: string[] = []): ToxiproxyProvider => ({
  kind,
  start: async () => {
    calls.push(kind);
    return { available: false, reason };
  },
});

const fake = (kind: ToxiproxyKind, calls: string[] = []): ToxiproxyProvider => ({
  kind,
  start: async () => {
    calls.push(kind);
    return {
      available: true,
      server: { kind, url: 'http://127.0.0.1:1', version: '0.0.0', addressing: loopbackAddressing, dispose: async () => {} },
    };
  },
});

const noProviders = {
  env: unavailable('env', 'TOXIPROXY_URL is not set'),
  binary: unavailable('binary', 'no toxiproxy-server on PATH'),
  container: unavailable('container', 'no Docker engine reachable'),
};

describe('acquireToxiproxy', () => {
  it('tries env, then binary, then container, and takes the first that has a server', async () => {
    const calls: string[] = [];
    const result = await acquireToxiproxy({
      strict: false,
      providers: { env: unavailable('env', 'unset', calls), binary: fake('binary', calls), container: fake('container', calls) },
    });
    expect(result).toMatchObject({ status: 'ready', kind: 'binary' });
    expect(calls).toEqual(['env', 'binary']);
  });

  it('tries the preferred kind first and only the kinds listed in `only`', async () => {
    const calls: string[] = [];
    const providers = { env: fake('env', calls), binary: fake('binary', calls), container: fake('container', calls) };
    expect(await acquireToxiproxy({ providers, preferred: 'container' })).toMatchObject({ kind: 'container' });
    expect(await acquireToxiproxy({ providers, only: ['binary', 'container'] })).toMatchObject({ kind: 'binary' });
    expect(calls).toEqual(['container', 'binary']);
  });

  it('is skipped, with every reason and how to get a server, when none is available', async () => {
    const result = await acquireToxiproxy({ strict: false, providers: noProviders });
    expect(result.status).toBe('skipped');
    if (result.status !== 'skipped') return;
    expect(result.tried.map((t) => t.kind)).toEqual(['env', 'binary', 'container']);
    expect(result.reason).toContain('env: TOXIPROXY_URL is not set; binary: no toxiproxy-server on PATH; container: no Docker engine reachable');
    expect(result.reason).toContain('npx comfy-chaos toxiproxy install');
    expect(result.reason).toContain('TOXIPROXY_URL');
  });

  it('throws TOXIPROXY_UNAVAILABLE in strict mode, and COMFY_CHAOS_STRICT=1 turns strict mode on', async () => {
    const expected = { code: 'TOXIPROXY_UNAVAILABLE', message: expect.stringContaining('strict mode') };
    await expect(acquireToxiproxy({ strict: true, providers: noProviders })).rejects.toMatchObject(expected);
    await expect(acquireToxiproxy({ env: { COMFY_CHAOS_STRICT: '1' }, providers: noProviders })).rejects.toMatchObject(expected);
  });

  it('rejects an unknown provider kind', async () => {
    await expect(acquireToxiproxy({ only: ['podman' as ToxiproxyKind] })).rejects.toMatchObject({
      code: 'TOXIPROXY_INVALID_ARGUMENT',
      message: 'toxiproxy: unknown provider "podman"; expected one of env, binary, container',
    });
  });
});

describe('binary provider edges', () => {
  it('fails, naming the path, when TOXIPROXY_BIN is not an executable', async () => {
    await expect(binaryProvider({ env: { TOXIPROXY_BIN: '/nonexistent/toxiproxy-server' } }).start()).rejects.toMatchObject({
      code: 'TOXIPROXY_PROVIDER_FAILED',
      message: expect.stringContaining('TOXIPROXY_BIN "/nonexistent/toxiproxy-server" is not an executable file'),
    });
  });

  it('is unavailable when nothing is on PATH and no TOXIPROXY_BIN is set', async () => {
    const outcome = await binaryProvider({ env: { PATH: mkdtempSync(join(tmpdir(), 'empty-path-')) } }).start();
    // .tools/bin may hold a binary on a developer machine; either answer is valid, a throw is not.
    if (!outcome.available) expect(outcome.reason).toMatch(/^no toxiproxy-server on PATH, in TOXIPROXY_BIN, in \S+ or in the cache of `comfy-chaos toxiproxy install` \(/);
    else await outcome.server.dispose();
  });

  it('fails fast, with the exit code and output, when the binary exits at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-toxiproxy-'));
    const fakeBinary = join(dir, 'toxiproxy-server');
    writeFileSync(fakeBinary, '#!/bin/sh\necho "cannot start: fake" >&2\nexit 3\n');
    chmodSync(fakeBinary, 0o755);
    const started = Date.now();
    await expect(binaryProvider({ binary: fakeBinary }).start()).rejects.toMatchObject({
      code: 'TOXIPROXY_PROVIDER_FAILED',
      message: expect.stringMatching(/did not become ready: it exited with code 3; its output: cannot start: fake/),
    });
    expect(Date.now() - started).toBeLessThan(10_000); // well inside the readiness timeout: no hang
  });
});
