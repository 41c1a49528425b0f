import { describe, expect, it } from 'vitest';
import { featureFlagsMessage, objectInfoReply, systemStatsReply } from '../../../src/protocol/index.ts';
import { FileStore } from '../../../src/simulator/files/file-store.ts';
import {
  modelFolders,
  readEmbeddings,
  readExtensions,
  readFeatures,
  readModels,
  readObjectInfo,
  readSystemStats,
  serverFeatureFlags,
  systemStats,
} from '../../../src/simulator/http/info-routes.ts';
import type { SimRequest, SimResponse } from '../../../src/simulator/http/types.ts';

const get = (path: string): SimRequest => ({ method: 'GET', path, query: new URLSearchParams(), headers: {}, body: new Uint8Array() });

function json(response: SimResponse): unknown {
  expect(response.status).toBe(200);
  expect(response.headers?.['content-type']).toMatch(/^application\/json/);
  return JSON.parse(String(response.body));
}

describe('readSystemStats', () => {
  it('matches the schema and reports ComfyUI 0.3.64', () => {
    const stats = systemStatsReply.parse(json(readSystemStats(get('/system_stats'))));
    expect(stats.system.comfyui_version).toBe('0.3.64');
    expect(stats.devices.length).toBeGreaterThan(0);
    expect(stats.system.ram_free).toBeLessThanOrEqual(stats.system.ram_total);
  });

  it('applies overrides without changing the defaults of later calls', () => {
    expect(systemStats({ system: { comfyui_version: '0.3.60' }, devices: [] })).toMatchObject({
      system: { comfyui_version: '0.3.60' },
      devices: [],
    });
    expect(systemStats().system.comfyui_version).toBe('0.3.64');
  });
});

describe('readObjectInfo', () => {
  it('lists every catalogue node in a body the schema accepts', () => {
    const info = objectInfoReply.parse(json(readObjectInfo(get('/object_info'))));
    for (const name of ['CheckpointLoaderSimple', 'KSampler', 'SaveImage', 'PreviewImage', 'SimFail', 'SimSleep']) {
      expect(info[name], name).toBeDefined();
    }
  });

  it('answers one class at /object_info/{class}', () => {
    const info = objectInfoReply.parse(json(readObjectInfo(get('/object_info/KSampler'))));
    expect(Object.keys(info)).toEqual(['KSampler']);
    expect(info.KSampler.input.required?.steps).toEqual(['INT', { default: 20, min: 1, max: 10000 }]);
  });

  it('answers 200 {} for an unknown class', () => {
    expect(json(readObjectInfo(get('/object_info/NoSuchNode')))).toEqual({});
    expect(json(readObjectInfo(get('/object_info/toString')))).toEqual({});
  });

  it("fills LoadImage's list with the image files at the top of the input folder", () => {
    const store = new FileStore();
    store.write('input', '', 'b.png', Uint8Array.of(1));
    store.write('input', '', 'a.jpg', Uint8Array.of(1));
    store.write('input', '', 'notes.txt', Uint8Array.of(1));
    store.write('input', 'sub', 'c.png', Uint8Array.of(1));
    const info = objectInfoReply.parse(json(readObjectInfo(get('/object_info/LoadImage'), store)));
    expect(info.LoadImage.input.required?.image).toEqual([['a.jpg', 'b.png'], { image_upload: true }]);
  });
});

describe('readFeatures', () => {
  it('returns the server feature flags, the same dict as the WS reply', () => {
    const flags = json(readFeatures(get('/features')));
    expect(flags).toEqual({ supports_preview_metadata: true, max_upload_size: 104857600 });
    expect(featureFlagsMessage.parse({ type: 'feature_flags', data: flags }).data).toEqual(serverFeatureFlags);
  });
});

describe('minimal informational routes', () => {
  it('answers /embeddings and /extensions with empty lists', () => {
    expect(json(readEmbeddings(get('/embeddings')))).toEqual([]);
    expect(json(readExtensions(get('/extensions')))).toEqual([]);
  });

  it('lists model folders, the checkpoints of the catalogue, and 404s an unknown folder', () => {
    expect(json(readModels(get('/models')))).toEqual([...modelFolders]);
    expect(json(readModels(get('/models/checkpoints')))).toContain('v1-5-pruned-emaonly-fp16.safetensors');
    expect(json(readModels(get('/models/loras')))).toEqual([]);
    expect(readModels(get('/models/nope')).status).toBe(404);
  });
});
