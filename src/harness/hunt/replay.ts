import type { Transport } from '../runner.ts';
import { shellQuote } from '../client-spec.ts';

/** `comfy-chaos run` of a bug's shrunk scenario file: the same client, transport, seed and ComfyUI profile. */
export function replayCommand(o: { clientSpec: string; scenarioFile: string; transport: Transport; runSeed: number; comfyui?: string | undefined }): string {
  return (
    `comfy-chaos run --client ${shellQuote(o.clientSpec)} --scenario ${shellQuote(o.scenarioFile)} --transport ${o.transport} --seed ${o.runSeed}` +
    (o.comfyui ? ` --comfyui ${shellQuote(o.comfyui)}` : '')
  );
}
