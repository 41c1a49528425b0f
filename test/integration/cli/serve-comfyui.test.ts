import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../../bin/comfy-chaos.js');

/** Runs `serve` until `onUrl` is done with the URL it prints (then Ctrl-C); bounded by `maxMs`. */
function serve(args: string[], onUrl: (url: string) => Promise<void>, maxMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let seen = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(stdout)?.[1];
      if (url && !seen) {
        seen = true;
        void onUrl(url).finally(() => child.kill('SIGINT'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('comfy-chaos serve --comfyui', () => {
  it('serves the named release: 0.3.44 has no /features and names the profile', async () => {
    let features = 0;
    let stats: { system?: { comfyui_version?: string } } = {};
    const run = await serve(['--comfyui', '0.3.44'], async (url) => {
      features = (await fetch(`${url}/features`)).status;
      stats = (await (await fetch(`${url}/system_stats`)).json()) as typeof stats;
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/simulator \(ComfyUI 0\.3\.44\) listening on/);
    expect(features).toBe(404);
    expect(stats.system?.comfyui_version).toBe('0.3.44');
  });

  it("a front's base path is part of the printed URL", async () => {
    let status = 0;
    const run = await serve(['--comfyui', 'gateway-api-prefix'], async (url) => {
      expect(url).toMatch(/\/comfyui\/api$/);
      status = (await fetch(`${url}/queue`)).status;
    });
    expect(run.code, run.stderr).toBe(0);
    expect(status).toBe(200);
  });

  it('exits 2 naming an unknown profile', async () => {
    const run = await serve(['--comfyui', 'nope'], async () => undefined, 10_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--comfyui: unknown ComfyUI profile "nope" \(known: 0\.3\.44, 0\.3\.64, current, gateway-api-prefix/);
  });
});
