/**
 * `--client frontend` and `--client frontend@<version>` (issue 17): which version a run's ComfyUI
 * profile pins, and the usage errors (exit 2) that say what is missing and how to get it, before
 * any browser starts.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontendClient } from '../../../../src/harness/adapters/frontend/frontend-client.ts';
import { FrontendUnavailableError, frontendVersionFor, parseFrontendSpec } from '../../../../src/harness/adapters/frontend/frontend-version.ts';
import { frontendFiles } from '../../../../src/harness/adapters/frontend/static-files.ts';
import { clientFromSpec } from '../../../../src/harness/client-spec.ts';
import { UsageError } from '../../../../src/harness/usage-error.ts';
import { findComfyuiProfile } from '../../../../src/simulator/index.ts';

const [comfyui0344, comfyui0364, comfyuiCurrent] = ['0.3.44', '0.3.64', 'current'].map(findComfyuiProfile) as [ReturnType<typeof findComfyuiProfile>, ReturnType<typeof findComfyuiProfile>, ReturnType<typeof findComfyuiProfile>];

/** A fake Chromium: an executable file, so the check passes without launching anything. */
function fakeChromium(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-chromium-'));
  const path = join(dir, 'chromium');
  writeFileSync(path, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return path;
}

describe('--client frontend specs', () => {
  it('reads frontend and frontend@<version>, and leaves other specs to the driver parser', () => {
    expect(parseFrontendSpec('frontend')).toEqual({});
    expect(parseFrontendSpec(' frontend@1.27.10 ')).toEqual({ version: '1.27.10' });
    expect(parseFrontendSpec('frontend-driver.mjs')).toBeUndefined();
    expect(parseFrontendSpec('node frontend')).toBeUndefined();
  });

  it('frontend alone is the version the profile pins: 1.27.10 on 0.3.64, 1.58.1 on current; none known for 0.3.44', () => {
    expect(frontendVersionFor(undefined, comfyui0364)).toBe('1.27.10');
    expect(frontendVersionFor(undefined, comfyuiCurrent)).toBe('1.58.1');
    expect(frontendVersionFor('1.30.0', comfyui0364)).toBe('1.30.0');
    expect(() => frontendVersionFor(undefined, comfyui0344)).toThrow(FrontendUnavailableError);
    expect(() => frontendVersionFor(undefined, comfyui0344)).toThrow(/--client frontend@<version>/);
  });

  it('a version that is no version is a usage error naming it', () => {
    expect(() => clientFromSpec('frontend@latest')).toThrow(UsageError);
    expect(() => clientFromSpec('frontend@latest')).toThrow(/"latest" is not a version of comfyui-frontend-package/);
  });

  it('a missing Chromium is a usage error with the ways to get one', () => {
    const env = { PATH: '', COMFY_CHAOS_CHROMIUM: '/nonexistent/chromium' };
    expect(() => frontendClient('1.27.10', { env })).toThrow(UsageError);
    expect(() => frontendClient('1.27.10', { env })).toThrow(/COMFY_CHAOS_CHROMIUM=\/nonexistent\/chromium is not an executable file; install it \(`apt-get install chromium`\)/);
  });

  it('a version that is not installed is a usage error with the pip command and the install script', () => {
    const env = { PATH: '', COMFY_CHAOS_CHROMIUM: fakeChromium(), COMFY_CHAOS_PYTHON: '/nonexistent/python' };
    const make = () => frontendClient('0.0.1', { env });
    expect(make).toThrow(UsageError);
    expect(make).toThrow(/comfyui-frontend-package 0\.0\.1 is not installed; install it with `pip install comfyui-frontend-package==0\.0\.1`/);
    expect(make).toThrow(/COMFY_CHAOS_FRONTEND_VERSIONS=0\.0\.1 scripts\/install-frontend\.sh/);
  });

  it('frontend alone checks each profile of the run before it starts: 0.3.44 pins no known version', () => {
    const client = frontendClient(undefined, { env: { PATH: '', COMFY_CHAOS_CHROMIUM: fakeChromium() } });
    expect(client.name).toBe('frontend');
    expect(client.transports).toEqual(['network']);
    expect(() => client.checkProfiles!([comfyui0344])).toThrow(UsageError);
    expect(() => client.checkProfiles!([comfyui0344])).toThrow(/no frontend version is known for ComfyUI 0\.3\.44/);
  });

  it('a TLS front is a usage error before anything starts (the browser does not trust the run\'s test certificate)', () => {
    const client = frontendClient(undefined, { env: { PATH: '', COMFY_CHAOS_CHROMIUM: fakeChromium() } });
    expect(() => client.checkProfiles!([findComfyuiProfile('gateway-tls')])).toThrow(/cannot run on gateway-tls yet: the browser does not trust the run's test certificate/);
  });
});

describe('the frontend files the browser is given from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-static-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'extensions', 'core'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<html></html>');
  writeFileSync(join(dir, 'assets', 'index-1.js'), '');
  writeFileSync(join(dir, 'extensions', 'core', 'x.js'), '');
  const files = frontendFiles(dir);

  it('owns / and the static folder\'s top-level entries, never what the server answers', () => {
    expect(files.owns('/')).toBe(true);
    expect(files.owns('/assets/index-1.js')).toBe(true);
    expect(files.owns('/assets/missing.js')).toBe(true);
    for (const path of ['/api/prompt', '/ws', '/extensions', '/extensions/core/x.js', '/view', '/templates/index.json', '/user.css']) expect(files.owns(path), path).toBe(false);
  });

  it('gives the file for an owned path, nothing outside the folder and nothing for a missing file', () => {
    expect(files.fileFor('/')).toBe(join(dir, 'index.html'));
    expect(files.fileFor('/assets/index-1.js')).toBe(join(dir, 'assets', 'index-1.js'));
    expect(files.fileFor('/assets/missing.js')).toBeUndefined();
    expect(files.fileFor('/assets/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(files.fileFor('/assets')).toBeUndefined();
  });
});
