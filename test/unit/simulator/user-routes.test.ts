import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/simulator/index.ts';
import type { SimResponse } from '../../../src/simulator/http/types.ts';
import { userPath } from '../../../src/simulator/http/user-store.ts';

const sims: Simulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function simulator(userDir?: string): Simulator {
  const sim = new Simulator({ keepTrace: true, ...(userDir ? { userDir } : {}) });
  sims.push(sim);
  return sim;
}

/** A request as the transports hand it over: the path still percent-encoded, `/api` taken off. */
function call(sim: Simulator, method: string, target: string, body?: string): Promise<SimResponse> {
  const url = new URL(target, 'http://x');
  return sim.handleHttp({ method, path: url.pathname, query: url.searchParams, headers: {}, body: new TextEncoder().encode(body ?? '') });
}

function text(response: SimResponse): string {
  return typeof response.body === 'string' ? response.body : new TextDecoder().decode(response.body ?? new Uint8Array());
}
const json = (response: SimResponse): unknown => JSON.parse(text(response));

describe('userPath', () => {
  it('keeps paths inside the user root and refuses the rest', () => {
    expect(userPath('workflows/a.json')).toBe('workflows/a.json');
    expect(userPath('workflows/../a.json')).toBe('a.json');
    expect(userPath('.')).toBe('');
    expect(userPath('../default2/x')).toBeUndefined();
    expect(userPath('/etc/passwd')).toBeUndefined();
    expect(userPath('C:\\x')).toBeUndefined();
  });
});

describe('/users and /settings', () => {
  it('a fresh server is not migrated; settings merge on POST /settings and set one id on POST /settings/{id}', async () => {
    const sim = simulator();
    expect(json(await call(sim, 'GET', '/users'))).toEqual({ storage: 'server', migrated: false });
    expect(json(await call(sim, 'GET', '/settings'))).toEqual({});
    expect(json(await call(sim, 'GET', '/settings/Comfy.Locale'))).toBeNull();
    expect((await call(sim, 'POST', '/settings', '{"Comfy.Locale":"en","Comfy.X":1}')).status).toBe(200);
    expect((await call(sim, 'POST', '/settings/Comfy.X', '2')).status).toBe(200);
    expect(json(await call(sim, 'GET', '/settings'))).toEqual({ 'Comfy.Locale': 'en', 'Comfy.X': 2 });
    expect(json(await call(sim, 'GET', '/settings/Comfy.X'))).toBe(2);
    expect(json(await call(sim, 'GET', '/users'))).toEqual({ storage: 'server', migrated: true });
    // The settings are a file of the user directory, as in ComfyUI.
    expect(json(await call(sim, 'GET', '/userdata?dir=.'))).toEqual(['comfy.settings.json']);
  });

  it('a body that is not JSON is a 400 naming the route, and nothing is stored', async () => {
    const sim = simulator();
    const response = await call(sim, 'POST', '/settings', '{nope');
    expect(response.status).toBe(400);
    expect(text(response)).toMatch(/^POST \/settings: /);
    expect((await call(sim, 'POST', '/settings', '[1]')).status).toBe(400);
    expect(json(await call(sim, 'GET', '/settings'))).toEqual({});
  });
});

describe('/userdata', () => {
  it('saves, lists, reads, refuses an overwrite when told, moves and deletes a workflow', async () => {
    const sim = simulator();
    expect((await call(sim, 'GET', '/userdata')).status).toBe(400);
    expect((await call(sim, 'GET', '/userdata?dir=workflows')).status).toBe(404);
    const saved = await call(sim, 'POST', '/userdata/workflows%2Fa.json?overwrite=false&full_info=true', '{"nodes":[]}');
    expect(saved.status).toBe(200);
    expect(json(saved)).toMatchObject({ path: 'workflows/a.json', size: 12 });
    expect((await call(sim, 'POST', '/userdata/workflows%2Fa.json?overwrite=false', '{}')).status).toBe(409);
    expect(json(await call(sim, 'POST', '/userdata/workflows%2Fsub%2Fb.json', '{}'))).toBe('workflows/sub/b.json');
    expect(json(await call(sim, 'GET', '/userdata?dir=workflows'))).toEqual(['a.json']);
    expect(json(await call(sim, 'GET', '/userdata?dir=workflows&recurse=true'))).toEqual(['a.json', 'sub/b.json']);
    expect(json(await call(sim, 'GET', '/userdata?dir=workflows&recurse=true&split=true'))).toEqual([['a.json', 'a.json'], ['sub/b.json', 'sub', 'b.json']]);
    expect(text(await call(sim, 'GET', '/userdata/workflows%2Fa.json'))).toBe('{"nodes":[]}');
    expect((await call(sim, 'GET', '/userdata/workflows%2Fnone.json')).status).toBe(404);
    expect((await call(sim, 'GET', '/userdata/..%2F..%2Fetc%2Fpasswd')).status).toBe(403);
    expect((await call(sim, 'POST', '/userdata/workflows%2Fa.json/move/workflows%2Fsub%2Fb.json?overwrite=false')).status).toBe(409);
    expect(json(await call(sim, 'POST', '/userdata/workflows%2Fa.json/move/workflows%2Fc.json'))).toBe('workflows/c.json');
    expect((await call(sim, 'POST', '/userdata/workflows%2Fa.json/move/workflows%2Fd.json')).status).toBe(404);
    expect((await call(sim, 'DELETE', '/userdata/workflows%2Fc.json')).status).toBe(204);
    expect((await call(sim, 'DELETE', '/userdata/workflows%2Fc.json')).status).toBe(404);
    expect(json(await call(sim, 'GET', '/userdata?dir=workflows&recurse=true'))).toEqual(['sub/b.json']);
  });

  it('/v2/userdata lists directories first, then files', async () => {
    const sim = simulator();
    expect(json(await call(sim, 'GET', '/v2/userdata'))).toEqual([]);
    await call(sim, 'POST', '/userdata/z.json', '{}');
    await call(sim, 'POST', '/userdata/workflows%2Fa.json', '{}');
    const listed = json(await call(sim, 'GET', '/v2/userdata')) as { name: string; type: string; path: string }[];
    expect(listed.map((e) => [e.type, e.path])).toEqual([['directory', 'workflows'], ['file', 'workflows/a.json'], ['file', 'z.json']]);
    expect((await call(sim, 'GET', '/v2/userdata?path=none')).status).toBe(404);
    expect((await call(sim, 'GET', '/v2/userdata?path=z.json')).status).toBe(400);
    expect((await call(sim, 'GET', '/v2/userdata?path=..%2F..')).status).toBe(400);
  });

  it('with userDir the files are on disk and outlive the simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-user-'));
    dirs.push(dir);
    const first = simulator(dir);
    await call(first, 'POST', '/settings/Comfy.Theme', '"light"');
    await call(first, 'POST', '/userdata/workflows%2Fkept.json', '{"k":1}');
    await first.close();
    expect(JSON.parse(readFileSync(join(dir, 'default', 'comfy.settings.json'), 'utf8'))).toEqual({ 'Comfy.Theme': 'light' });
    const second = simulator(dir);
    expect(json(await call(second, 'GET', '/settings/Comfy.Theme'))).toBe('light');
    expect(json(await call(second, 'GET', '/userdata?dir=workflows'))).toEqual(['kept.json']);
  });
});

describe('frontend info routes', () => {
  it('answer with 0.3.64 shapes', async () => {
    const sim = simulator();
    expect(json(await call(sim, 'GET', '/i18n'))).toEqual({});
    expect(json(await call(sim, 'GET', '/workflow_templates'))).toEqual({});
    const folders = json(await call(sim, 'GET', '/experiment/models')) as { name: string }[];
    expect(folders.map((f) => f.name)).toContain('checkpoints');
    expect(folders.map((f) => f.name)).not.toContain('configs');
    const models = json(await call(sim, 'GET', '/experiment/models/checkpoints')) as { name: string; pathIndex: number }[];
    expect(models[0]).toMatchObject({ pathIndex: 0 });
    expect((await call(sim, 'GET', '/experiment/models/nope')).status).toBe(404);
    const raw = json(await call(sim, 'GET', '/internal/logs/raw')) as { entries: { t: string; m: string }[]; size: object };
    expect(raw.entries.length).toBeGreaterThan(0);
    expect(typeof json(await call(sim, 'GET', '/internal/logs'))).toBe('string');
    expect(json(await call(sim, 'GET', '/internal/files/nope'))).toEqual({ error: 'Invalid directory type' });
    expect(json(await call(sim, 'GET', '/internal/files/output'))).toEqual([]);
    expect(Object.keys(json(await call(sim, 'GET', '/internal/folder_paths')) as object)).toContain('checkpoints');
    expect((await call(sim, 'POST', '/free', '{"unload_models":true}')).status).toBe(200);
    expect((await call(sim, 'GET', `/view_metadata/checkpoints?filename=${models[0].name}`)).status).toBe(200);
    expect((await call(sim, 'GET', '/view_metadata/checkpoints?filename=x.ckpt')).status).toBe(404);
  });
});

describe('model loaders of the frontends default graphs', () => {
  it('list the simulated files, and the checkpoints equal the catalogue list', async () => {
    const { checkpointNames, nodeCatalogue } = await import('../../../src/simulator/nodes/catalogue.ts');
    const { simulatedModelFiles } = await import('../../../src/simulator/nodes/model-loader-nodes.ts');
    expect(simulatedModelFiles.checkpoints).toEqual([...checkpointNames]);
    for (const name of ['UNETLoader', 'CLIPLoader', 'VAELoader', 'EmptySD3LatentImage', 'ModelSamplingAuraFlow']) expect(nodeCatalogue[name]).toBeDefined();
    const sim = simulator();
    expect(json(await call(sim, 'GET', '/models/diffusion_models'))).toEqual(['z_image_turbo_bf16.safetensors']);
    const info = json(await call(sim, 'GET', '/object_info/CLIPLoader')) as Record<string, { input: { required: Record<string, unknown[]> } }>;
    expect(info.CLIPLoader.input.required.type[0]).toContain('lumina2');
  });
});
