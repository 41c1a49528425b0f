import { comfyuiProfile } from '../../protocol/index.ts';

/** The baseline: every field at its default (../../../../shared/comfyui-protocol.md describes it). */
export const comfyui0364 = comfyuiProfile.parse({
  name: '0.3.64',
  summary: 'ComfyUI 0.3.64 (2025-10-12), the baseline the simulator speaks',
  comfyuiVersion: '0.3.64',
  sources: ['Comfy-Org/ComfyUI a125cd84 (read), checked against a real 0.3.64 run (shared/comfyui-protocol.md §7)'],
});
