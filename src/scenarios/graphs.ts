import type { ApiPrompt } from '../protocol/index.ts';

/** The default txt2img graph of ComfyUI's UI, with ids as the UI numbers them. */
export function txt2imgGraph(options: { steps?: number; seed?: number; prefix?: string } = {}): ApiPrompt {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: options.seed ?? 42,
        steps: options.steps ?? 4,
        cfg: 8,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly-fp16.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: options.prefix ?? 'ComfyUI', images: ['8', 0] } },
  };
}

/** A model-free graph whose only node fails when run. */
export function failingGraph(message = 'boom'): ApiPrompt {
  return {
    '1': { class_type: 'SimFail', inputs: { fail: true, message } },
    '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
  };
}

/** A model-free graph that takes `durationMs` over `steps` steps and reports text. */
export function sleepGraph(durationMs: number, steps = 10, tag = 'x'): ApiPrompt {
  return {
    '1': { class_type: 'SimSleep', inputs: { duration_ms: durationMs, steps, value: tag } },
    '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
  };
}
