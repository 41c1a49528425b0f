import type { ObjectInfoEntry } from '../../protocol/index.ts';
import { modelLoaderNodes } from './model-loader-nodes.ts';

/**
 * The node classes the simulator knows: each is the `/object_info` entry a real ComfyUI 0.3.64
 * serves for it (what clients and validation read) plus plain simulator attributes saying how long
 * it runs, whether it reports per-step progress, what UI it produces and when it fails.
 * Model-free nodes (`PrimitiveString`, `StringConcatenate`, `PreviewAny`) exist in real ComfyUI
 * too, so scenarios built from them also run against a real server; `SimFail` and `SimSleep` are
 * ours, for scripted failures and timing.
 */

/** A COMBO input's type is its list of allowed values; other types are names like `"INT"`. */
export type InputType = string | string[];
/** `[type]` or `[type, options]`; options carry `default`, `min`, `max`, `step`, `tooltip`... */
export type InputSpec = [InputType] | [InputType, Record<string, unknown>];

/** Per-step progress, read from the node's inputs (ComfyUI's sampler progress bar). */
export interface NodeProgress {
  /** Input holding the number of steps. */
  stepsInput: string;
  /** Inputs bounding the range actually sampled (KSamplerAdvanced): max = min(end, steps) - start. */
  startInput?: string;
  endInput?: string;
}

/** The UI dict a node reports in `executed` and in history `outputs`. */
export type NodeUi =
  /**
   * `{"images": [{filename, subfolder, type}]}`. `type: "output"` names files from the prefix
   * input like SaveImage (`ComfyUI_00001_.png`, see `FileStore.saveCounted`); `type: "temp"` uses
   * the fixed `prefix` plus, in ComfyUI, five random letters per node (`ComfyUI_temp_abcde`).
   */
  | ({ kind: 'images'; type: 'output'; prefixInput?: string } & DeclaredImages)
  | ({ kind: 'images'; type: 'temp'; prefix: string } & DeclaredImages)
  /** `{"text": [<value of the input, as text>]}`, as PreviewAny reports. */
  | { kind: 'text'; input: string }
  /** `{"text": [value]}`: a fixed text (a node of a node file). */
  | { kind: 'text'; value: string };

/** What a node file may say of the images a node saves (src/simulator/nodes/custom-nodes.ts). */
export interface DeclaredImages {
  /** Images per execution. @defaultValue 1 */
  count?: number;
  /** Their pixel size. @defaultValue the size the graph asks for (engine/image-size.ts) */
  size?: { width: number; height: number };
  /** With `type: 'output'`: the prefix when the node has no `prefixInput` value. @defaultValue 'ComfyUI' */
  fallbackPrefix?: string;
}

/** Context a custom validation check may consult (mirrors what ComfyUI reads from disk). */
export interface ValidationContext {
  /** Whether an annotated name like `"x.png [output]"` exists; absent = skip file checks. */
  fileExists?: (annotatedName: string) => boolean;
}

/** A node's own check, like ComfyUI's `VALIDATE_INPUTS`: `true`, or the reason it failed. */
export interface CustomValidation {
  /** Inputs handed to the check; ComfyUI skips their min/max/list checks. */
  inputs: readonly string[];
  check: (values: Readonly<Record<string, unknown>>, context: ValidationContext) => true | string;
}

export interface NodeSimulation {
  /** Time one execution takes before any progress steps, in ms. */
  durationMs: number;
  /** Time each progress step takes, in ms. @defaultValue 0 */
  stepMs?: number;
  /** Present when the node reports `progress` per step. */
  progress?: NodeProgress;
  /** Input whose value (ms) replaces `durationMs` and spreads over any steps (SimSleep). */
  durationInput?: string;
  /** Absent when the node returns no UI (then no `executed` is sent for it). */
  ui?: NodeUi;
  /**
   * The node raises during execution while this BOOLEAN input is true (SimFail), or always when
   * `input` is absent; the message is `messageInput`'s value, else `message`.
   */
  failure?: { input?: string; messageInput?: string; message?: string; exceptionType: string };
  /** Fixed progress steps per execution, for a node without a `progress` input (a node file's `steps: 8`). */
  fixedSteps?: number;
  /** The input whose value the node's outputs carry on, for what flows downstream (a node file's `passThrough`). */
  passThrough?: string;
  customValidation?: CustomValidation;
  /** A COMBO input whose values are the image files of the `input` folder (LoadImage). */
  inputFilesCombo?: string;
}

export interface NodeDefinition {
  info: ObjectInfoEntry;
  sim: NodeSimulation;
}

export type NodeCatalogue = Readonly<Record<string, NodeDefinition>>;

/** ComfyUI's MAX_RESOLUTION, in pixels. */
const MAX_RESOLUTION = 16384;
/** 0xffffffffffffffff; JSON-encodes as 18446744073709552000 since JS numbers are doubles. */
const MAX_SEED = 2 ** 64 - 1;

export const checkpointNames = ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly-fp16.safetensors'] as const;

export const samplerNames = [
  'euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2',
  'dpm_2_ancestral', 'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_sde', 'dpmpp_sde_gpu', 'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu',
  'dpmpp_2m_sde_heun', 'dpmpp_2m_sde_heun_gpu', 'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm',
  'ipndm_v', 'deis', 'res_multistep', 'res_multistep_cfg_pp', 'res_multistep_ancestral',
  'res_multistep_ancestral_cfg_pp', 'gradient_estimation', 'gradient_estimation_cfg_pp', 'er_sde', 'seeds_2',
  'seeds_3', 'sa_solver', 'sa_solver_pece', 'ddim', 'uni_pc', 'uni_pc_bh2',
] as const;

export const schedulerNames = [
  'simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal',
] as const;

const int = (d: number, min: number, max: number, extra: Record<string, unknown> = {}): InputSpec => [
  'INT',
  { default: d, min, max, ...extra },
];
const float = (d: number, min: number, max: number, extra: Record<string, unknown> = {}): InputSpec => [
  'FLOAT',
  { default: d, min, max, ...extra },
];
const str = (options: Record<string, unknown> = {}): InputSpec => ['STRING', options];
const slot = (type: string, tooltip?: string): InputSpec => (tooltip ? [type, { tooltip }] : [type]);
const combo = (values: readonly string[], options: Record<string, unknown> = {}): InputSpec => [[...values], options];
const saveHidden = { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' };

interface NodeShape {
  description?: string;
  module?: string;
  required: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  hidden?: Record<string, string>;
  output?: string[];
  outputNames?: string[];
  outputNode?: boolean;
}

/** Fills the fields every entry has the same way, as ComfyUI's `node_info()` does. */
function node(name: string, display: string, category: string, shape: NodeShape, sim: NodeSimulation): NodeDefinition {
  const output = shape.output ?? [];
  const input: ObjectInfoEntry['input'] = { required: shape.required };
  const inputOrder: Record<string, string[]> = { required: Object.keys(shape.required) };
  if (shape.optional) {
    input.optional = shape.optional;
    inputOrder.optional = Object.keys(shape.optional);
  }
  if (shape.hidden) {
    input.hidden = shape.hidden;
    inputOrder.hidden = Object.keys(shape.hidden);
  }
  return {
    info: {
      input,
      input_order: inputOrder,
      output,
      output_is_list: output.map(() => false),
      output_name: shape.outputNames ?? output,
      name,
      display_name: display,
      description: shape.description ?? '',
      python_module: shape.module ?? 'nodes',
      category,
      output_node: shape.outputNode ?? false,
    },
    sim,
  };
}

const samplerInputs = {
  sampler_name: combo(samplerNames, { tooltip: 'The algorithm used when sampling.' }),
  scheduler: combo(schedulerNames, { tooltip: 'How noise is removed over the steps.' }),
  positive: slot('CONDITIONING'),
  negative: slot('CONDITIONING'),
  latent_image: slot('LATENT'),
};

const imageExists: CustomValidation = {
  inputs: ['image'],
  check: (values, context) =>
    typeof values.image === 'string' && context.fileExists && !context.fileExists(values.image)
      ? `Invalid image file: ${values.image}`
      : true,
};

/** The built-in catalogue. Durations are plausible CPU-free figures, small enough for fast runs. */
export const nodeCatalogue: NodeCatalogue = {
  CheckpointLoaderSimple: node('CheckpointLoaderSimple', 'Load Checkpoint', 'loaders', {
    description: 'Loads a diffusion model checkpoint.',
    required: { ckpt_name: combo(checkpointNames, { tooltip: 'The checkpoint to load.' }) },
    output: ['MODEL', 'CLIP', 'VAE'],
  }, { durationMs: 1500 }),
  CLIPTextEncode: node('CLIPTextEncode', 'CLIP Text Encode (Prompt)', 'conditioning', {
    description: 'Encodes a text prompt into conditioning for the sampler.',
    required: { text: str({ multiline: true, dynamicPrompts: true }), clip: slot('CLIP') },
    output: ['CONDITIONING'],
  }, { durationMs: 50 }),
  EmptyLatentImage: node('EmptyLatentImage', 'Empty Latent Image', 'latent', {
    description: 'Creates a batch of empty latent images to sample from.',
    required: {
      width: int(512, 16, MAX_RESOLUTION, { step: 8 }),
      height: int(512, 16, MAX_RESOLUTION, { step: 8 }),
      batch_size: int(1, 1, 4096),
    },
    output: ['LATENT'],
  }, { durationMs: 5 }),
  KSampler: node('KSampler', 'KSampler', 'sampling', {
    description: 'Denoises the latent image with the model and conditioning.',
    required: {
      model: slot('MODEL'),
      seed: int(0, 0, MAX_SEED, { control_after_generate: true }),
      steps: int(20, 1, 10000),
      cfg: float(8.0, 0.0, 100.0, { step: 0.1, round: 0.01 }),
      ...samplerInputs,
      denoise: float(1.0, 0.0, 1.0, { step: 0.01 }),
    },
    output: ['LATENT'],
  }, { durationMs: 20, stepMs: 50, progress: { stepsInput: 'steps' } }),
  KSamplerAdvanced: node('KSamplerAdvanced', 'KSampler (Advanced)', 'sampling', {
    required: {
      model: slot('MODEL'),
      add_noise: combo(['enable', 'disable']),
      noise_seed: int(0, 0, MAX_SEED, { control_after_generate: true }),
      steps: int(20, 1, 10000),
      cfg: float(8.0, 0.0, 100.0, { step: 0.1, round: 0.01 }),
      ...samplerInputs,
      start_at_step: int(0, 0, 10000),
      end_at_step: int(10000, 0, 10000),
      return_with_leftover_noise: combo(['disable', 'enable']),
    },
    output: ['LATENT'],
  }, {
    durationMs: 20,
    stepMs: 50,
    progress: { stepsInput: 'steps', startInput: 'start_at_step', endInput: 'end_at_step' },
  }),
  VAEDecode: node('VAEDecode', 'VAE Decode', 'latent', {
    description: 'Decodes latent images back into pixel space images.',
    required: { samples: slot('LATENT'), vae: slot('VAE') },
    output: ['IMAGE'],
  }, { durationMs: 200 }),
  VAEEncode: node('VAEEncode', 'VAE Encode', 'latent', {
    required: { pixels: slot('IMAGE'), vae: slot('VAE') },
    output: ['LATENT'],
  }, { durationMs: 150 }),
  EmptyImage: node('EmptyImage', 'EmptyImage', 'image', {
    required: {
      width: int(512, 1, MAX_RESOLUTION, { step: 1 }),
      height: int(512, 1, MAX_RESOLUTION, { step: 1 }),
      batch_size: int(1, 1, 4096),
      color: int(0, 0, 0xffffff, { step: 1, display: 'color' }),
    },
    output: ['IMAGE'],
  }, { durationMs: 2 }),
  LoadImage: node('LoadImage', 'Load Image', 'image', {
    required: { image: combo([], { image_upload: true }) },
    output: ['IMAGE', 'MASK'],
  }, { durationMs: 10, customValidation: imageExists, inputFilesCombo: 'image' }),
  SaveImage: node('SaveImage', 'Save Image', 'image', {
    description: 'Saves the input images to your ComfyUI output directory.',
    required: {
      images: slot('IMAGE', 'The images to save.'),
      filename_prefix: str({ default: 'ComfyUI', tooltip: 'The prefix for the file to save.' }),
    },
    hidden: saveHidden,
    outputNode: true,
  }, { durationMs: 30, ui: { kind: 'images', type: 'output', prefixInput: 'filename_prefix' } }),
  PreviewImage: node('PreviewImage', 'Preview Image', 'image', {
    description: 'Saves the input images to your ComfyUI output directory.',
    required: { images: slot('IMAGE') },
    hidden: saveHidden,
    outputNode: true,
  }, { durationMs: 20, ui: { kind: 'images', type: 'temp', prefix: 'ComfyUI_temp_' } }),
  LatentUpscale: node('LatentUpscale', 'Upscale Latent', 'latent', {
    required: {
      samples: slot('LATENT'),
      upscale_method: combo(['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp']),
      width: int(512, 0, MAX_RESOLUTION, { step: 8 }),
      height: int(512, 0, MAX_RESOLUTION, { step: 8 }),
      crop: combo(['disabled', 'center']),
    },
    output: ['LATENT'],
  }, { durationMs: 10 }),
  ImageScale: node('ImageScale', 'Upscale Image', 'image/upscaling', {
    required: {
      image: slot('IMAGE'),
      upscale_method: combo(['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']),
      width: int(512, 0, MAX_RESOLUTION, { step: 1 }),
      height: int(512, 0, MAX_RESOLUTION, { step: 1 }),
      crop: combo(['disabled', 'center']),
    },
    output: ['IMAGE'],
  }, { durationMs: 20 }),
  PrimitiveString: node('PrimitiveString', 'String', 'utils/primitive', {
    module: 'comfy_extras.nodes_primitive',
    required: { value: str() },
    output: ['STRING'],
  }, { durationMs: 1 }),
  StringConcatenate: node('StringConcatenate', 'Concatenate', 'utils/string', {
    module: 'comfy_extras.nodes_string',
    required: {
      string_a: str({ multiline: true }),
      string_b: str({ multiline: true }),
      delimiter: str({ multiline: false, default: '' }),
    },
    output: ['STRING'],
  }, { durationMs: 1 }),
  PreviewAny: node('PreviewAny', 'Preview Any', 'utils', {
    module: 'comfy_extras.nodes_preview_any',
    required: { source: ['*', {}] },
    outputNode: true,
  }, { durationMs: 1, ui: { kind: 'text', input: 'source' } }),
  SimFail: node('SimFail', 'Sim Fail (comfy-chaos)', 'comfy-chaos', {
    description: 'Raises during execution while `fail` is true; passes `value` through otherwise.',
    module: 'custom_nodes.comfy_chaos',
    required: {
      fail: ['BOOLEAN', { default: true }],
      message: str({ default: 'SimFail was told to fail', multiline: false }),
    },
    optional: { value: ['*', {}] },
    output: ['*'],
    outputNames: ['value'],
  }, { durationMs: 1, failure: { input: 'fail', messageInput: 'message', exceptionType: 'RuntimeError' } }),
  SimSleep: node('SimSleep', 'Sim Sleep (comfy-chaos)', 'comfy-chaos', {
    description: 'Waits `duration_ms`, reporting `steps` progress steps (0: none), then passes `value` through.',
    module: 'custom_nodes.comfy_chaos',
    required: { duration_ms: int(1000, 0, 3_600_000), steps: int(0, 0, 10000) },
    optional: { value: ['*', {}] },
    output: ['*'],
    outputNames: ['value'],
  }, { durationMs: 0, durationInput: 'duration_ms', progress: { stepsInput: 'steps' } }),
  // The loaders and latents of the official frontend's newer default graphs (issue 17).
  ...modelLoaderNodes,
};

/** Where an input is declared: its spec and whether it is required. */
export function findInputSpec(
  definition: NodeDefinition,
  name: string,
): { spec: InputSpec; category: 'required' | 'optional' } | undefined {
  const { required = {}, optional = {} } = definition.info.input;
  if (Object.hasOwn(required, name)) return { spec: required[name] as unknown as InputSpec, category: 'required' };
  if (Object.hasOwn(optional, name)) return { spec: optional[name] as unknown as InputSpec, category: 'optional' };
  return undefined;
}

/** A constant input's number, or the spec's default when it is absent or linked. */
function numberInput(definition: NodeDefinition, inputs: Readonly<Record<string, unknown>>, name: string): number {
  const value = inputs[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const options = findInputSpec(definition, name)?.spec[1];
  return typeof options?.default === 'number' ? options.default : 0;
}

/** How many `progress` steps one execution reports (0 for nodes without a progress bar). */
export function progressSteps(definition: NodeDefinition, inputs: Readonly<Record<string, unknown>>): number {
  const progress = definition.sim.progress;
  if (!progress) return definition.sim.fixedSteps ?? 0;
  let steps = numberInput(definition, inputs, progress.stepsInput);
  if (progress.endInput) steps = Math.min(steps, numberInput(definition, inputs, progress.endInput));
  if (progress.startInput) steps -= numberInput(definition, inputs, progress.startInput);
  return Math.max(0, Math.floor(steps));
}

/** How one execution spends its time, all in ms: `setupMs` first, then `steps` x `stepMs`. */
export interface NodeTiming {
  setupMs: number;
  steps: number;
  stepMs: number;
  totalMs: number;
}

/** The timing of one execution, from the catalogue attributes and the node's (validated) inputs. */
export function nodeTiming(definition: NodeDefinition, inputs: Readonly<Record<string, unknown>>): NodeTiming {
  const { sim } = definition;
  const steps = progressSteps(definition, inputs);
  if (sim.durationInput) {
    const totalMs = Math.max(0, numberInput(definition, inputs, sim.durationInput));
    return { setupMs: steps ? 0 : totalMs, steps, stepMs: steps ? totalMs / steps : 0, totalMs };
  }
  const stepMs = sim.stepMs ?? 0;
  return { setupMs: sim.durationMs, steps, stepMs, totalMs: sim.durationMs + steps * stepMs };
}
