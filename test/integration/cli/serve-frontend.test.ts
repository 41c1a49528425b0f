import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { serve } from './serve-process.ts';


/** A frontend package as pip installs it: <dir>/comfyui_frontend_package/static/... */
let root: string;
let staticDir: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cc-frontend-'));
  staticDir = join(root, 'comfyui_frontend_package', 'static');
  mkdirSync(join(staticDir, 'extensions', 'core'), { recursive: true });
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  mkdirSync(join(root, 'comfyui_frontend_package-9.9.9.dist-info'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>fake frontend</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'extensions', 'core', 'widgets.js'), '');
  writeFileSync(join(root, 'secret.txt'), 'outside the static folder');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('comfy-chaos serve --frontend', () => {
  it('serves the static files at / next to the API, and lists the frontend extensions', async () => {
    const seen: Record<string, unknown> = {};
    const run = await serve(['--frontend', root], async (url) => {
      const index = await fetch(`${url}/`);
      seen.index = [index.status, index.headers.get('content-type'), index.headers.get('cache-control'), await index.text()];
      const js = await fetch(`${url}/assets/app.js`);
      seen.js = [js.status, js.headers.get('content-type')];
      seen.extensions = await (await fetch(`${url}/api/extensions`)).json();
      seen.queue = (await fetch(`${url}/api/queue`)).status;
      seen.outside = (await fetch(`${url}/..%2Fsecret.txt`)).status;
      seen.directory = (await fetch(`${url}/assets`)).status;
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/frontend 9\.9\.9 at http:\/\/127\.0\.0\.1:\d+\/ from .*static/);
    expect(seen.index).toEqual([200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html><title>fake frontend</title>']);
    expect(seen.js).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(seen.extensions).toEqual(['/extensions/core/widgets.js']);
    expect(seen.queue).toBe(200);
    expect(seen.outside).toBe(404);
    expect(seen.directory).toBe(404);
  });

  it('--extensions lists an extension folder\'s scripts after the frontend\'s and serves them', async () => {
    const extension = join(root, 'my-nodes');
    mkdirSync(join(extension, 'js'), { recursive: true });
    writeFileSync(join(extension, 'js', 'widget.js'), 'export const x = 1;');
    const seen: unknown[] = [];
    const run = await serve(['--frontend', root, '--extensions', extension], async (url) => {
      seen.push(await (await fetch(`${url}/api/extensions`)).json());
      const script = await fetch(`${url}/extensions/my-nodes/js/widget.js`);
      seen.push(script.status, await script.text(), (await fetch(`${url}/extensions/my-nodes/js/none.js`)).status);
    });
    expect(run.code, run.stderr).toBe(0);
    expect(seen).toEqual([['/extensions/core/widgets.js', '/extensions/my-nodes/js/widget.js'], 200, 'export const x = 1;', 404]);
    const missing = await serve(['--extensions', join(root, 'none')], async () => undefined, 10_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--extensions .*none: no such folder/);
  });

  it('--user-dir keeps settings on disk across two servers', async () => {
    const userDir = join(root, 'user');
    const first = await serve(['--user-dir', userDir], async (url) => {
      await fetch(`${url}/api/settings/Comfy.Theme`, { method: 'POST', body: '"light"' });
    });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(userDir, 'default', 'comfy.settings.json'), 'utf8'))).toEqual({ 'Comfy.Theme': 'light' });
    let value: unknown;
    const second = await serve(['--user-dir', userDir], async (url) => {
      value = await (await fetch(`${url}/api/settings/Comfy.Theme`)).json();
    });
    expect(second.code, second.stderr).toBe(0);
    expect(value).toBe('light');
  });

  it('exits 2 with how to get a frontend when the folder has none, and for --python without auto', async () => {
    const missing = await serve(['--frontend', join(root, 'nope')], async () => undefined, 10_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--frontend .*nope: no such folder; install one with `pip install comfyui-frontend-package==1\.27\.10`/);
    const empty = await serve(['--frontend', join(root, 'user')], async () => undefined, 10_000);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no index\.html in it/);
    const python = await serve(['--frontend', root, '--python', 'python3'], async () => undefined, 10_000);
    expect(python.code).toBe(2);
    expect(python.stderr).toMatch(/--python only goes with --frontend auto/);
  });
});
