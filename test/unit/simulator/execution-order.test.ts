import { describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../../src/protocol/index.ts';
import {
  compareNodeIds,
  executionOrder,
  ExecutionOrderError,
  linkedSources,
} from '../../../src/simulator/nodes/execution-order.ts';

const txt2img: ApiPrompt = {
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 1, steps: 4, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
      model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly-fp16.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

describe('executionOrder', () => {
  it('runs every node after the nodes it links to', () => {
    const { order } = executionOrder(txt2img, ['9']);
    for (const [id, node] of Object.entries(txt2img)) {
      for (const source of linkedSources(node)) expect(order.indexOf(source)).toBeLessThan(order.indexOf(id));
    }
  });

  it('gives the txt2img order ComfyUI shows, deterministically', () => {
    expect(executionOrder(txt2img, ['9']).order).toEqual(['4', '5', '6', '7', '3', '8', '9']);
    expect(executionOrder(txt2img, ['9']).order).toEqual(executionOrder(structuredClone(txt2img), ['9']).order);
  });

  it('includes only the ancestors of the requested outputs', () => {
    const prompt: ApiPrompt = {
      ...txt2img,
      '20': { class_type: 'PrimitiveString', inputs: { value: 'unused' } },
      '21': { class_type: 'PreviewAny', inputs: { source: ['20', 0] } },
    };
    const plan = executionOrder(prompt, ['21']);
    expect(plan.needed).toEqual(['20', '21']);
    expect(plan.order).toEqual(['20', '21']);
    expect(executionOrder(prompt, ['9']).needed).not.toContain('20');
  });

  it('runs a ready output node before other ready nodes with smaller ids', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'PrimitiveString', inputs: { value: 'a' } },
      '2': { class_type: 'PrimitiveString', inputs: { value: 'b' } },
      '3': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['2', 0] } },
      '9': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
      '10': { class_type: 'PreviewAny', inputs: { source: ['3', 0] } },
    };
    // 1 feeds an output, so it goes first; then output 9 is ready and jumps ahead of 2.
    expect(executionOrder(prompt, ['9', '10']).order).toEqual(['1', '9', '2', '3', '10']);
  });

  it('orders ready nodes by numeric id, not by string', () => {
    const prompt: ApiPrompt = {
      '10': { class_type: 'PrimitiveString', inputs: { value: 'a' } },
      '9': { class_type: 'PrimitiveString', inputs: { value: 'b' } },
      '100': {
        class_type: 'StringConcatenate',
        inputs: { string_a: ['10', 0], string_b: ['9', 0], delimiter: '' },
      },
      '101': { class_type: 'PreviewAny', inputs: { source: ['100', 0] } },
    };
    expect(executionOrder(prompt, ['101']).order).toEqual(['9', '10', '100', '101']);
  });

  it('throws CC_ERR_DEPENDENCY_CYCLE for a cycle', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['2', 0] } },
      '2': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['1', 0] } },
      '3': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
    };
    expect(() => executionOrder(prompt, ['3'])).toThrow(ExecutionOrderError);
    try {
      executionOrder(prompt, ['3']);
    } catch (error) {
      expect((error as ExecutionOrderError).code).toBe('CC_ERR_DEPENDENCY_CYCLE');
      expect((error as Error).message).toContain('1, 2');
    }
  });
});

describe('compareNodeIds', () => {
  it('sorts numbers numerically, expanded ids after their parent and names last', () => {
    expect(['a', '10:2', '10', '9', '12:5', '3'].sort(compareNodeIds)).toEqual(['3', '9', '10', '10:2', '12:5', 'a']);
  });
});
