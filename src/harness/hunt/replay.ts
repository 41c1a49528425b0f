import type { Transport } from '../runner.ts';
import { shellQuote } from '../client-spec.ts';

/** `comfy-chaos run` of a bug's shrunk scenario file: the same client, transport, seed and ComfyUI profile. */
export function replayCommand(o: { clientSpec: string; scenarioFile: string; transport: Transport; runSeed: number; comfyui?: string | undefined }): string {
  return (
    `comfy-chaos run --client ${shellQuote(o.clientSpec)} --scenario ${shellQuote(o.scenarioFile)} --transport ${o.transport} --seed ${o.runSeed}` +
    (o.comfyui ? ` --comfyui ${shellQuote(o.comfyui)}` : '')
  );
}

/** `comfy-chaos fuzz` that finds one case of a search again from its seed and search path (search-path.ts) and runs it. */
export function searchReplayCommand(o: { clientSpec: string; transport: Transport; seed: number; path: string }): string {
  return `comfy-chaos fuzz --client ${shellQuote(o.clientSpec)} --transport ${o.transport} --seed ${o.seed} --path ${shellQuote(o.path)}`;
}
