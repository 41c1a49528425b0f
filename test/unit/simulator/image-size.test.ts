import { describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../../src/protocol/index.ts';
import { imageSizeOf } from '../../../src/simulator/engine/image-size.ts';

/** The classic SD1.5 graph of the frontend, with a 768x512 latent. */
const sd15: ApiPrompt = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly-fp16.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 768, height: 512, batch_size: 1 } },
  '3': { class_type: 'KSampler', inputs: { model: ['4', 0], latent_image: ['5', 0], steps: 2 } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ComfyUI' } },
} as ApiPrompt;

describe('imageSizeOf', () => {
  it('follows the image back to the latent that sets its size', () => {
    expect(imageSizeOf(sd15, '9')).toEqual({ width: 768, height: 512 });
  });

  it('stops at the nearest resize and passes through SimSleep', () => {
    const prompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 32, batch_size: 1, color: 0 } },
      '2': { class_type: 'ImageScale', inputs: { image: ['1', 0], width: 200, height: 100 } },
      '3': { class_type: 'SimSleep', inputs: { value: ['2', 0], duration_ms: 1, steps: 0 } },
      '4': { class_type: 'SaveImage', inputs: { images: ['3', 0] } },
    } as ApiPrompt;
    expect(imageSizeOf(prompt, '4')).toEqual({ width: 200, height: 100 });
  });

  it('is undefined for a linked size, a missing node or a cycle', () => {
    const linked = { ...sd15, '5': { class_type: 'EmptyLatentImage', inputs: { width: ['7', 0], height: 512 } } } as ApiPrompt;
    expect(imageSizeOf(linked, '9')).toBeUndefined();
    expect(imageSizeOf({ '9': { class_type: 'SaveImage', inputs: { images: ['x', 0] } } } as ApiPrompt, '9')).toBeUndefined();
    const cycle = { a: { class_type: 'VAEDecode', inputs: { samples: ['b', 0] } }, b: { class_type: 'VAEDecode', inputs: { samples: ['a', 0] } } } as ApiPrompt;
    expect(imageSizeOf(cycle, 'a')).toBeUndefined();
  });
});
