import { describe, expect, it } from 'vitest';
import { objectInfoEntry } from '../../../src/protocol/index.ts';
import { findInputSpec, nodeCatalogue, nodeTiming, progressSteps } from '../../../src/simulator/nodes/catalogue.ts';

const required = [
  'CheckpointLoaderSimple', 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler', 'KSamplerAdvanced', 'VAEDecode',
  'VAEEncode', 'LoadImage', 'SaveImage', 'PreviewImage', 'LatentUpscale', 'ImageScale', 'SimFail', 'SimSleep',
];

describe('nodeCatalogue', () => {
  it('has an /object_info entry for every core and test node, each named after its key', () => {
    for (const name of required) {
      const definition = nodeCatalogue[name];
      expect(definition, name).toBeDefined();
      expect(objectInfoEntry.parse(definition.info).name).toBe(name);
    }
  });

  it('keeps output, output_name and output_is_list the same length, and input_order in step with inputs', () => {
    for (const [name, { info }] of Object.entries(nodeCatalogue)) {
      expect(info.output_name.length, name).toBe(info.output.length);
      expect(info.output_is_list.length, name).toBe(info.output.length);
      expect(info.input_order?.required, name).toEqual(Object.keys(info.input.required ?? {}));
    }
  });

  it('gives every INT and FLOAT input a default within its min and max', () => {
    for (const [name, { info }] of Object.entries(nodeCatalogue)) {
      for (const [input, spec] of Object.entries({ ...info.input.required, ...info.input.optional })) {
        if (spec[0] !== 'INT' && spec[0] !== 'FLOAT') continue;
        const { default: d, min, max } = spec[1] as { default: number; min: number; max: number };
        expect(d, `${name}.${input}`).toBeGreaterThanOrEqual(min);
        expect(d, `${name}.${input}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it('marks exactly the nodes that produce UI as output nodes, and gives them the right folder', () => {
    const outputs = Object.entries(nodeCatalogue).filter(([, d]) => d.info.output_node).map(([n]) => n);
    expect(outputs.sort()).toEqual(['PreviewAny', 'PreviewImage', 'SaveImage']);
    expect(nodeCatalogue.SaveImage.sim.ui).toMatchObject({ kind: 'images', type: 'output', prefixInput: 'filename_prefix' });
    expect(nodeCatalogue.PreviewImage.sim.ui).toMatchObject({ kind: 'images', type: 'temp' });
  });

  it('lists samplers and schedulers as COMBO values', () => {
    const sampler = findInputSpec(nodeCatalogue.KSampler, 'sampler_name');
    expect(sampler?.category).toBe('required');
    expect(sampler?.spec[0]).toContain('euler');
    expect(findInputSpec(nodeCatalogue.KSampler, 'scheduler')?.spec[0]).toContain('karras');
    expect(findInputSpec(nodeCatalogue.SimSleep, 'value')?.category).toBe('optional');
    expect(findInputSpec(nodeCatalogue.KSampler, 'nope')).toBeUndefined();
  });

  it('makes SimFail raise through its fail input', () => {
    expect(nodeCatalogue.SimFail.sim.failure).toEqual({ input: 'fail', messageInput: 'message', exceptionType: 'RuntimeError' });
  });
});

describe('progressSteps and nodeTiming', () => {
  it('reports one progress step per KSampler step', () => {
    expect(progressSteps(nodeCatalogue.KSampler, { steps: 12 })).toBe(12);
    expect(nodeTiming(nodeCatalogue.KSampler, { steps: 12 })).toEqual({ setupMs: 20, steps: 12, stepMs: 50, totalMs: 620 });
  });

  it('uses the default when the steps input is linked', () => {
    expect(progressSteps(nodeCatalogue.KSampler, { steps: ['1', 0] })).toBe(20);
  });

  it('counts only the steps KSamplerAdvanced actually samples', () => {
    expect(progressSteps(nodeCatalogue.KSamplerAdvanced, { steps: 20, start_at_step: 5, end_at_step: 10000 })).toBe(15);
    expect(progressSteps(nodeCatalogue.KSamplerAdvanced, { steps: 20, start_at_step: 5, end_at_step: 8 })).toBe(3);
    expect(progressSteps(nodeCatalogue.KSamplerAdvanced, { steps: 20, start_at_step: 30, end_at_step: 10000 })).toBe(0);
  });

  it('gives nodes without a progress bar no steps and their fixed duration', () => {
    expect(nodeTiming(nodeCatalogue.VAEDecode, {})).toEqual({ setupMs: 200, steps: 0, stepMs: 0, totalMs: 200 });
  });

  it('spreads SimSleep duration_ms over its steps, or spends it all at once with none', () => {
    expect(nodeTiming(nodeCatalogue.SimSleep, { duration_ms: 1000, steps: 4 })).toEqual({ setupMs: 0, steps: 4, stepMs: 250, totalMs: 1000 });
    expect(nodeTiming(nodeCatalogue.SimSleep, { duration_ms: 300, steps: 0 })).toEqual({ setupMs: 300, steps: 0, stepMs: 0, totalMs: 300 });
  });
});
