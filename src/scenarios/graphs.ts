import type { ApiPrompt } from '../protocol/index.ts';

/**
 * The default txt2img graph of ComfyUI's UI, with ids as the UI numbers them; `size` is the empty
 * latent's width and height [default 512, as the UI's], so the saved image's too.
 */
export function txt2imgGraph(options: { steps?: number; seed?: number; prefix?: string; size?: number } = {}): ApiPrompt {
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
    '5': { class_type: 'EmptyLatentImage', inputs: { width: options.size ?? 512, height: options.size ?? 512, batch_size: 1 } },
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

/**
 * A model-free image job, as a real ComfyUI runs it without models: EmptyImage -> SimSleep (the
 * timed step node: `durationMs` over `steps` progress steps) -> SaveImage, which writes a real PNG
 * `<tag>_00001_.png` to the output folder and reports `{"images": [{filename, subfolder, type}]}`.
 * The tag is the file prefix and sets the image's colour, so two jobs share nothing (not even a
 * cached EmptyImage) unless they have the same tag.
 */
export function imageGraph(durationMs: number, steps = 10, tag = 'x'): ApiPrompt {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: colourOf(tag) } },
    '2': { class_type: 'SimSleep', inputs: { duration_ms: durationMs, steps, value: ['1', 0] } },
    '3': { class_type: 'SaveImage', inputs: { filename_prefix: tag, images: ['2', 0] } },
  };
}

/** A colour (0xRRGGBB) from a tag: FNV-1a, so it is the same on every run. */
function colourOf(tag: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0xffffff;
}

/** A model-free graph that takes `durationMs` over `steps` steps and reports text. */
export function sleepGraph(durationMs: number, steps = 10, tag = 'x'): ApiPrompt {
  return {
    '1': { class_type: 'SimSleep', inputs: { duration_ms: durationMs, steps, value: tag } },
    '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
  };
}
