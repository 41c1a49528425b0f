import { describe, expect, it } from 'vitest';
import { postPromptRejected, nodeErrors as nodeErrorsSchema, type ApiPrompt } from '../../../src/protocol/index.ts';
import { validatePrompt, type PromptValidation } from '../../../src/simulator/nodes/validate-prompt.ts';

/** ComfyUI's default txt2img graph, as the UI numbers it. */
function txt2img(): ApiPrompt {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 42, steps: 4, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
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
}

function rejected(result: PromptValidation) {
  if (result.ok) throw new Error(`expected a rejection, got ok with outputs ${result.outputs.join(',')}`);
  expect(result.status).toBe(400);
  return postPromptRejected.parse(result.body);
}

function accepted(result: PromptValidation) {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.body)}`);
  nodeErrorsSchema.parse(result.nodeErrors);
  return result;
}

/** Runs txt2img with one node's inputs changed and returns the single error reported for it. */
function errorFor(nodeId: string, inputs: Record<string, unknown>) {
  const prompt = txt2img();
  prompt[nodeId].inputs = { ...prompt[nodeId].inputs, ...inputs };
  const body = rejected(validatePrompt({ prompt }));
  expect(body.error.type).toBe('prompt_outputs_failed_validation');
  expect(Object.keys(body.node_errors)).toEqual([nodeId]);
  expect(body.node_errors[nodeId].dependent_outputs).toEqual(['9']);
  expect(body.node_errors[nodeId].errors).toHaveLength(1);
  return body.node_errors[nodeId].errors[0];
}

describe('validatePrompt', () => {
  it('accepts the default txt2img graph with output 9 and no node errors', () => {
    const result = accepted(validatePrompt({ prompt: txt2img(), client_id: 'c1' }));
    expect(result.outputs).toEqual(['9']);
    expect(result.nodeErrors).toEqual({});
  });

  it('converts constants in the queued copy and leaves the request untouched', () => {
    const prompt = txt2img();
    prompt['3'].inputs.steps = ' 20 ';
    prompt['3'].inputs.cfg = '7.5';
    prompt['3'].inputs.seed = 3.9;
    prompt['6'].inputs.text = 5;
    const result = accepted(validatePrompt({ prompt }));
    expect(result.prompt['3'].inputs).toMatchObject({ steps: 20, cfg: 7.5, seed: 3 });
    expect(result.prompt['6'].inputs.text).toBe('5');
    expect(prompt['3'].inputs.steps).toBe(' 20 ');
  });

  it('unwraps {"__value__": ...} constants as ComfyUI does for list widgets', () => {
    const prompt = txt2img();
    prompt['3'].inputs.steps = { __value__: 6 };
    expect(accepted(validatePrompt({ prompt })).prompt['3'].inputs.steps).toBe(6);
  });

  it('answers no_prompt with empty node_errors when the body has no prompt', () => {
    for (const body of [{}, { client_id: 'x' }, null, [1, 2]]) {
      const reply = rejected(validatePrompt(body));
      expect(reply.error.type).toBe('no_prompt');
      expect(reply.node_errors).toEqual({});
    }
  });

  it('answers invalid_prompt for an unknown class, naming the node', () => {
    const prompt = txt2img();
    prompt['5'].class_type = 'NoSuchNode';
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.error.type).toBe('invalid_prompt');
    expect(reply.error.message).toContain('NoSuchNode');
    expect(reply.error.details).toBe("Node ID '#5'");
    expect(reply.node_errors).toEqual({});
  });

  it('answers invalid_prompt when a node has no class_type', () => {
    const prompt = txt2img() as Record<string, unknown>;
    prompt['7'] = { inputs: { text: 'x' } };
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.error.type).toBe('invalid_prompt');
    expect(reply.error.details).toBe("Node ID '#7'");
  });

  it('does not treat inherited object properties as node classes', () => {
    const reply = rejected(validatePrompt({ prompt: { '1': { class_type: 'toString', inputs: {} } } }));
    expect(reply.error.type).toBe('invalid_prompt');
  });

  it('answers prompt_no_outputs for a graph without an output node', () => {
    const prompt = txt2img();
    delete prompt['9'];
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.error.type).toBe('prompt_no_outputs');
    expect(reply.node_errors).toEqual({});
  });

  it('honours partial_execution_targets when choosing outputs', () => {
    const prompt: ApiPrompt = {
      ...txt2img(),
      '10': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } },
    };
    expect(accepted(validatePrompt({ prompt, partial_execution_targets: ['10'] })).outputs).toEqual(['10']);
    expect(rejected(validatePrompt({ prompt, partial_execution_targets: ['3'] })).error.type).toBe('prompt_no_outputs');
  });

  it('reports required_input_missing with the input name', () => {
    const prompt = txt2img();
    delete prompt['3'].inputs.steps;
    const reply = rejected(validatePrompt({ prompt }));
    const [error] = reply.node_errors['3'].errors;
    expect(error).toMatchObject({ type: 'required_input_missing', details: 'steps', extra_info: { input_name: 'steps' } });
    expect(reply.node_errors['3'].class_type).toBe('KSampler');
  });

  it('does not require optional inputs', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'SimSleep', inputs: { duration_ms: 5, steps: 0 } },
      '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
    };
    expect(accepted(validatePrompt({ prompt })).outputs).toEqual(['2']);
  });

  it('reports bad_linked_input for a list that is not a pair', () => {
    const error = errorFor('8', { vae: ['4', 2, 0] });
    expect(error).toMatchObject({ type: 'bad_linked_input', details: 'vae', extra_info: { received_value: ['4', 2, 0] } });
  });

  it('reports return_type_mismatch when a link delivers the wrong type', () => {
    const error = errorFor('8', { vae: ['4', 1] });
    expect(error.type).toBe('return_type_mismatch');
    expect(error.extra_info).toMatchObject({ input_name: 'vae', received_type: 'CLIP', linked_node: ['4', 1] });
  });

  it('accepts a wildcard output into any typed input', () => {
    const prompt = txt2img();
    prompt['20'] = { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['4', 2] } };
    prompt['8'].inputs.vae = ['20', 0];
    accepted(validatePrompt({ prompt }));
  });

  it('reports invalid_input_type when a constant does not convert', () => {
    const error = errorFor('3', { steps: 'twenty' });
    expect(error.type).toBe('invalid_input_type');
    expect(error.message).toContain('INT');
    expect(error.extra_info).toMatchObject({ input_name: 'steps', received_value: 'twenty' });
    expect(errorFor('3', { cfg: 'high' }).type).toBe('invalid_input_type');
    expect(errorFor('3', { steps: null }).type).toBe('invalid_input_type');
  });

  it('reports value_smaller_than_min and value_bigger_than_max against the spec', () => {
    const small = errorFor('3', { steps: 0 });
    expect(small).toMatchObject({ type: 'value_smaller_than_min', details: 'steps', extra_info: { received_value: 0 } });
    expect(small.message).toContain('1');
    const big = errorFor('3', { denoise: 1.5 });
    expect(big).toMatchObject({ type: 'value_bigger_than_max', details: 'denoise' });
    expect(big.message).toContain('1.5');
  });

  it('reports value_not_in_list and echoes short lists but not long ones', () => {
    const short = errorFor('3', { scheduler: 'bogus' });
    expect(short.type).toBe('value_not_in_list');
    expect(short.details).toContain("'bogus'");
    expect(short.details).toContain("'karras'");
    expect(short.extra_info.input_config).not.toBeNull();
    const long = errorFor('3', { sampler_name: 'bogus' });
    expect(long.details).toMatch(/list of length \d+/);
    expect(long.extra_info.input_config).toBeNull();
  });

  it('reports exception_during_inner_validation on the node that links to a missing node', () => {
    const error = errorFor('8', { samples: ['99', 0] });
    expect(error.type).toBe('exception_during_inner_validation');
    // As in ComfyUI, extra_info describes the link through which node 8 was reached (9.images).
    expect(error.extra_info).toMatchObject({ exception_type: 'KeyError', linked_node: ['8', 0], input_name: 'images' });
    expect(error.details).toContain('99');
  });

  it('reports exception_during_validation when the output itself links to a missing node', () => {
    const prompt = txt2img();
    prompt['9'].inputs.images = ['99', 0];
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.node_errors['9'].errors[0]).toMatchObject({ type: 'exception_during_validation' });
  });

  it('reports an out-of-range output slot as an exception, not a crash', () => {
    expect(errorFor('8', { samples: ['3', 5] }).type).toBe('exception_during_inner_validation');
  });

  it('reports a dependency cycle instead of recursing forever', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['2', 0] } },
      '2': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: 0, value: ['1', 0] } },
      '3': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
    };
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.error.type).toBe('prompt_outputs_failed_validation');
    const errors = Object.values(reply.node_errors).flatMap((n) => n.errors.map((e) => e.type));
    expect(errors).toContain('exception_during_inner_validation');
  });

  it('runs valid outputs and reports the invalid ones on a 200', () => {
    const prompt: ApiPrompt = {
      ...txt2img(),
      '10': { class_type: 'EmptyLatentImage', inputs: { width: 8, height: 512, batch_size: 1 } },
      '11': { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['4', 2] } },
      '12': { class_type: 'PreviewImage', inputs: { images: ['11', 0] } },
    };
    const result = accepted(validatePrompt({ prompt }));
    expect(result.outputs).toEqual(['9']);
    expect(result.nodeErrors['10']).toMatchObject({ class_type: 'EmptyLatentImage', dependent_outputs: ['12'] });
    expect(result.nodeErrors['10'].errors[0].type).toBe('value_smaller_than_min');
    // Nodes that fail only because of an upstream error are not listed.
    expect(result.nodeErrors['11']).toBeUndefined();
  });

  it('answers prompt_outputs_failed_validation with every reason when no output is valid', () => {
    const prompt = txt2img();
    delete prompt['3'].inputs.steps;
    prompt['5'].inputs.width = 1;
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.error.type).toBe('prompt_outputs_failed_validation');
    expect(Object.keys(reply.node_errors).sort()).toEqual(['3', '5']);
    expect(reply.node_errors['5'].dependent_outputs).toEqual(['9']);
  });

  it('keeps ComfyUI\'s quirk of charging a later failed output to every earlier failed node', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'SimSleep', inputs: { duration_ms: -1, steps: 0 } },
      '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
      '3': { class_type: 'SimSleep', inputs: { duration_ms: 1, steps: -1 } },
      '4': { class_type: 'PreviewAny', inputs: { source: ['3', 0] } },
    };
    const reply = rejected(validatePrompt({ prompt }));
    expect(reply.node_errors['1'].dependent_outputs).toEqual(['2', '4']);
    expect(reply.node_errors['3'].dependent_outputs).toEqual(['4']);
  });

  it('reports custom_validation_failed when LoadImage names a file that does not exist', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'missing.png' } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const context = { fileExists: (name: string) => name === 'cat.png' };
    const reply = rejected(validatePrompt({ prompt }, { context }));
    expect(reply.node_errors['1'].errors[0]).toMatchObject({ type: 'custom_validation_failed', extra_info: { input_name: 'image' } });
    expect(reply.node_errors['1'].errors[0].details).toContain('missing.png');
    prompt['1'].inputs.image = 'cat.png';
    accepted(validatePrompt({ prompt }, { context }));
  });
});
