import { comfyuiProfile } from '../../protocol/index.ts';

/**
 * A release from before 2025-07-14 (commit 260a5ca5 "Allow the prompt request to specify the
 * prompt ID"): the server names every prompt itself, negotiates no feature flags (so previews are
 * always binary type 1), sends no `progress_state`, interrupts globally whatever the body says,
 * and reports no frontend or templates versions. Rows 1-6 of the version table in
 * docs/comfyui-protocol.md.
 */
export const comfyui0344 = comfyuiProfile.parse({
  name: '0.3.44',
  summary: 'ComfyUI 0.3.44 (July 2025): server-made prompt ids, no feature flags, no progress_state, global interrupt',
  comfyuiVersion: '0.3.44',
  promptIds: 'always-uuid4',
  featureFlags: null,
  progressState: false,
  targetedInterrupt: false,
  systemStats: { omit: ['required_frontend_version', 'installed_templates_version', 'required_templates_version'] },
  sources: [
    'a real ComfyUI 0.3.44 run, CPU only, model-free nodes (issue 13)',
    'Comfy-Org/ComfyUI 260a5ca5 (2025-07-14): client prompt ids start after 0.3.44',
    'Comfy-Org/ComfyUI PR #9607 (merged 2025-08-28): /interrupt reads prompt_id only since then',
  ],
});
