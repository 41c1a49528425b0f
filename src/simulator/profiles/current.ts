import { comfyuiProfile } from '../../protocol/index.ts';

/**
 * A current ComfyUI (well past 0.6), from its master source: client prompt ids must be canonical
 * UUIDs, more feature flags, `create_time` on queue items, the jobs API under `/api` only, and
 * `/system_stats` `os` from `sys.platform`. Rows 7-12 of the version table in docs/comfyui-protocol.md.
 */
export const comfyuiCurrent = comfyuiProfile.parse({
  name: 'current',
  summary: 'ComfyUI master (2026, past 0.6): canonical-UUID prompt ids, jobs API under /api, create_time on queue items',
  comfyuiVersion: '0.38.1',
  promptIds: 'canonical-uuid',
  featureFlags: {
    supports_preview_metadata: true,
    supports_model_type_tags: true,
    max_upload_size: 104_857_600,
    extension: { manager: { supports_v4: true } },
    node_replacements: true,
    assets: false,
  },
  queueCreateTime: true,
  jobsApi: true,
  systemStats: { set: { os: 'linux' } },
  sources: [
    'Comfy-Org/ComfyUI server.py 5e14d797 (read): post_prompt, /features, /api/jobs, /interrupt, /system_stats',
    'Comfy-Org/ComfyUI comfy_execution/jobs.py 172be438 (read): job shapes and statuses',
    'Comfy-Org/ComfyUI comfy_api/feature_flags.py 1924b05e (read): the server flags',
    'Comfy-Org/ComfyUI comfyui_version.py 20ca544e (read): 0.38.1',
  ],
});
