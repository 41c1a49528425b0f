import type { ComfyuiProfile, ObjectInfoEntry, SystemStatsReply } from '../../protocol/index.ts';
import type { FileStore } from '../files/file-store.ts';
import { nodeCatalogue, type NodeCatalogue } from '../nodes/catalogue.ts';
import { modelFilesIn } from '../nodes/model-loader-nodes.ts';
import { contentTypeFor, REASON_HEADER } from './file-routes.ts';
import { jsonResponse, type SimRequest, type SimResponse } from './types.ts';

/**
 * The read-only informational routes: /system_stats, /object_info[/{class}], /features,
 * /embeddings, /extensions, /models[/{folder}]. None matters for execution, but clients call
 * them at start-up (the frontend, SDK health checks), so they answer like a 0.3.64 server.
 */

/** What 0.3.64 sends in `feature_flags` and `GET /features` (comfyui-protocol.md §1). */
export const serverFeatureFlags = Object.freeze({ supports_preview_metadata: true, max_upload_size: 104_857_600 });

/** A machine with one 24 GiB CUDA GPU and 32 GiB of RAM; sizes are in bytes. */
const defaultSystemStats: SystemStatsReply = {
  system: {
    os: 'posix',
    ram_total: 34_359_738_368,
    ram_free: 25_769_803_776,
    comfyui_version: '0.3.64',
    required_frontend_version: '1.27.10',
    installed_templates_version: '0.1.94',
    required_templates_version: '0.1.94',
    python_version: '3.12.3 (main, Apr 10 2024, 05:33:47) [GCC 13.2.0]',
    pytorch_version: '2.8.0+cu128',
    embedded_python: false,
    argv: ['main.py', '--listen', '127.0.0.1'],
  },
  devices: [
    {
      name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
      type: 'cuda',
      index: 0,
      vram_total: 25_393_692_672,
      vram_free: 23_901_306_880,
      torch_vram_total: 0,
      torch_vram_free: 0,
    },
  ],
};

export interface SystemStatsOverrides {
  /** Fields replacing the defaults in `system`, e.g. `{ comfyui_version: '0.3.60' }`. */
  system?: Partial<SystemStatsReply['system']>;
  /** Replaces the device list (default: one CUDA GPU). */
  devices?: SystemStatsReply['devices'];
}

/** The `/system_stats` body: plausible figures, `comfyui_version` "0.3.64" unless overridden. */
export function systemStats(overrides: SystemStatsOverrides = {}): SystemStatsReply {
  return {
    system: { ...structuredClone(defaultSystemStats.system), ...overrides.system },
    devices: structuredClone(overrides.devices ?? defaultSystemStats.devices),
  };
}

/** GET /system_stats; a profile sets the version and removes or sets `system` keys (its `systemStats`). */
export function readSystemStats(_req: SimRequest, overrides: SystemStatsOverrides = {}, profile?: ComfyuiProfile): SimResponse {
  const stats = systemStats(overrides);
  if (profile) {
    const system: Record<string, unknown> = { ...stats.system, comfyui_version: profile.comfyuiVersion, ...profile.systemStats.set, ...overrides.system };
    for (const key of profile.systemStats.omit) delete system[key];
    return jsonResponse({ system, devices: stats.devices });
  }
  return jsonResponse(stats);
}

/**
 * The `/object_info` map of `catalogue`. COMBO inputs fed by the input folder (LoadImage's
 * `image`) list the image files at its top level, sorted, as ComfyUI lists them per request.
 */
export function objectInfo(catalogue: NodeCatalogue = nodeCatalogue, store?: FileStore): Record<string, ObjectInfoEntry> {
  const images = store ? store.list('input').filter((name) => contentTypeFor(name).startsWith('image/')) : [];
  const info: Record<string, ObjectInfoEntry> = {};
  for (const [name, definition] of Object.entries(catalogue)) {
    const entry = structuredClone(definition.info);
    const comboInput = definition.sim.inputFilesCombo;
    const spec = comboInput ? entry.input.required?.[comboInput] : undefined;
    if (spec) spec[0] = images;
    info[name] = entry;
  }
  return info;
}

/** GET /object_info and GET /object_info/{class}; an unknown class gets 200 `{}`. */
export function readObjectInfo(req: SimRequest, store?: FileStore, catalogue: NodeCatalogue = nodeCatalogue): SimResponse {
  const all = objectInfo(catalogue, store);
  if (req.path === '/object_info') return jsonResponse(all);
  const match = /^\/object_info\/([^/]+)$/.exec(req.path);
  if (!match) return { status: 404, headers: { [REASON_HEADER]: `no route ${req.path}` }, body: '' };
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    name = match[1];
  }
  return jsonResponse(Object.hasOwn(all, name) ? { [name]: all[name] } : {});
}

/**
 * GET /features: the server's feature flags, the same dict the WS `feature_flags` reply carries.
 * (A profile from before feature flags has no such route: all-routes.ts lets it fall through.)
 */
export function readFeatures(_req: SimRequest, profile?: ComfyuiProfile): SimResponse {
  return jsonResponse(structuredClone(profile?.featureFlags ?? serverFeatureFlags));
}

/** GET /embeddings: embedding names; the simulator has none. */
export function readEmbeddings(_req: SimRequest): SimResponse {
  return jsonResponse([]);
}

/** GET /extensions: URLs of custom nodes' web extensions; the simulator has none. */
export function readExtensions(_req: SimRequest): SimResponse {
  return jsonResponse([]);
}

/** Model folder names of a 0.3.64 server (`folder_paths.folder_names_and_paths`). */
export const modelFolders = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'hypernetworks',
  'photomaker', 'classifiers', 'model_patches', 'audio_encoders', 'custom_nodes',
] as const;

/** GET /models lists the folders; GET /models/{folder} its files (404 for an unknown folder). */
export function readModels(req: SimRequest): SimResponse {
  if (req.path === '/models') return jsonResponse([...modelFolders]);
  const folder = /^\/models\/([^/]+)$/.exec(req.path)?.[1];
  if (!folder || !(modelFolders as readonly string[]).includes(folder)) {
    return { status: 404, headers: { [REASON_HEADER]: `no model folder "${folder ?? ''}"` }, body: '' };
  }
  return jsonResponse(modelFilesIn(folder));
}
