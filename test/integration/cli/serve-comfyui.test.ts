import { describe, expect, it } from 'vitest';
import { serve } from './serve-process.ts';


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
