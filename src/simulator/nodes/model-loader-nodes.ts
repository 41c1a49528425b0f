import type { ObjectInfoEntry } from '../../protocol/index.ts';
import type { InputSpec, NodeDefinition } from './catalogue.ts';

/**
 * The model loaders the official frontend maps model folders to (1.27's `registerDefaults` in its
 * modelToNode store dereferences each class's node definition and throws when one is missing, so
 * every loader must be in `/object_info`), and the core classes of its default graphs beyond the
 * classic SD1.5 graph:
 * 1.58.x opens on a Z-Image Turbo graph (UNETLoader, CLIPLoader with type lumina2, VAELoader,
 * EmptySD3LatentImage, ModelSamplingAuraFlow, KSampler, SaveImage), read in the frontend's
 * bundled `defaultGraph` (comfyui-frontend-package 1.58.1). Inputs as ComfyUI's nodes.py and
 * comfy_extras declare them; the model lists are the simulated install's files
 * ({@link simulatedModelFiles}), named as the frontends' default graphs name them, so those
 * graphs validate as they are.
 *
 * Kept apart from catalogue.ts (which spreads these in) and built without its helpers, so
 * that this file only imports types from it.
 */

/** The files of each model folder of the simulated install (GET /models/{folder}, /experiment/models/{folder}, COMBO lists). */
export const simulatedModelFiles: Readonly<Record<string, readonly string[]>> = {
  checkpoints: ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly-fp16.safetensors'],
  diffusion_models: ['z_image_turbo_bf16.safetensors'],
  text_encoders: ['qwen_3_4b.safetensors'],
  vae: ['ae.safetensors'],
};

export function modelFilesIn(folder: string): string[] {
  return [...(simulatedModelFiles[folder] ?? [])];
}

/** ComfyUI's MAX_RESOLUTION, in pixels. */
const MAX_RESOLUTION = 16384;

/** `CLIPLoader`'s `type` values at ComfyUI 0.3.64 (nodes.py). */
const clipTypes = [
  'stable_diffusion', 'stable_cascade', 'sd3', 'stable_audio', 'mochi', 'ltxv', 'pixart', 'cosmos', 'lumina2',
  'wan', 'hidream', 'chroma', 'ace', 'omnigen2', 'qwen_image', 'hunyuan_image',
];

interface Shape {
  display: string;
  category: string;
  module?: string;
  description?: string;
  required: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  output: string[];
}

function entry(name: string, shape: Shape): ObjectInfoEntry {
  const input: ObjectInfoEntry['input'] = { required: shape.required };
  const inputOrder: Record<string, string[]> = { required: Object.keys(shape.required) };
  if (shape.optional) {
    input.optional = shape.optional;
    inputOrder.optional = Object.keys(shape.optional);
  }
  return {
    input,
    input_order: inputOrder,
    output: shape.output,
    output_is_list: shape.output.map(() => false),
    output_name: shape.output,
    name,
    display_name: shape.display,
    description: shape.description ?? '',
    python_module: shape.module ?? 'nodes',
    category: shape.category,
    output_node: false,
  };
}

const models = (folder: string): InputSpec => [modelFilesIn(folder)];
const strength: InputSpec = ['FLOAT', { default: 1.0, min: -100.0, max: 100.0, step: 0.01 }];

/** A loader of one model file: `input` (a COMBO of `folder`'s files) in, `output` out. */
function loader(name: string, display: string, input: string, folder: string, output: string[], module?: string): NodeDefinition {
  return {
    info: entry(name, { display, category: 'loaders', required: { [input]: models(folder) }, output, ...(module ? { module } : {}) }),
    sim: { durationMs: 300 },
  };
}

export const modelLoaderNodes: Readonly<Record<string, NodeDefinition>> = {
  ImageOnlyCheckpointLoader: {
    info: entry('ImageOnlyCheckpointLoader', {
      display: 'Image Only Checkpoint Loader (img2vid model)',
      category: 'loaders/video_models',
      module: 'comfy_extras.nodes_video_model',
      required: { ckpt_name: models('checkpoints') },
      output: ['MODEL', 'CLIP_VISION', 'VAE'],
    }),
    sim: { durationMs: 1500 },
  },
  LoraLoader: {
    info: entry('LoraLoader', {
      display: 'Load LoRA',
      category: 'loaders',
      required: { model: ['MODEL'], clip: ['CLIP'], lora_name: models('loras'), strength_model: strength, strength_clip: strength },
      output: ['MODEL', 'CLIP'],
    }),
    sim: { durationMs: 300 },
  },
  LoraLoaderModelOnly: {
    info: entry('LoraLoaderModelOnly', {
      display: 'LoraLoaderModelOnly',
      category: 'loaders',
      required: { model: ['MODEL'], lora_name: models('loras'), strength_model: strength },
      output: ['MODEL'],
    }),
    sim: { durationMs: 300 },
  },
  ControlNetLoader: loader('ControlNetLoader', 'Load ControlNet Model', 'control_net_name', 'controlnet', ['CONTROL_NET']),
  UpscaleModelLoader: loader('UpscaleModelLoader', 'Load Upscale Model', 'model_name', 'upscale_models', ['UPSCALE_MODEL'], 'comfy_extras.nodes_upscale_model'),
  StyleModelLoader: loader('StyleModelLoader', 'Load Style Model', 'style_model_name', 'style_models', ['STYLE_MODEL']),
  GLIGENLoader: loader('GLIGENLoader', 'GLIGENLoader', 'gligen_name', 'gligen', ['GLIGEN']),
  CLIPVisionLoader: loader('CLIPVisionLoader', 'Load CLIP Vision', 'clip_name', 'clip_vision', ['CLIP_VISION']),
  UNETLoader: {
    info: entry('UNETLoader', {
      display: 'Load Diffusion Model',
      category: 'advanced/loaders',
      required: { unet_name: models('diffusion_models'), weight_dtype: [['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2']] },
      output: ['MODEL'],
    }),
    sim: { durationMs: 1200 },
  },
  CLIPLoader: {
    info: entry('CLIPLoader', {
      display: 'Load CLIP',
      category: 'advanced/loaders',
      required: { clip_name: models('text_encoders'), type: [clipTypes] },
      optional: { device: [['default', 'cpu'], { advanced: true }] },
      output: ['CLIP'],
    }),
    sim: { durationMs: 600 },
  },
  VAELoader: {
    info: entry('VAELoader', { display: 'Load VAE', category: 'loaders', required: { vae_name: models('vae') }, output: ['VAE'] }),
    sim: { durationMs: 200 },
  },
  EmptySD3LatentImage: {
    info: entry('EmptySD3LatentImage', {
      display: 'EmptySD3LatentImage',
      category: 'latent/sd3',
      module: 'comfy_extras.nodes_sd3',
      required: {
        width: ['INT', { default: 1024, min: 16, max: MAX_RESOLUTION, step: 16 }],
        height: ['INT', { default: 1024, min: 16, max: MAX_RESOLUTION, step: 16 }],
        batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
      },
      output: ['LATENT'],
    }),
    sim: { durationMs: 5 },
  },
  ModelSamplingAuraFlow: {
    info: entry('ModelSamplingAuraFlow', {
      display: 'ModelSamplingAuraFlow',
      category: 'advanced/model',
      module: 'comfy_extras.nodes_model_advanced',
      required: { model: ['MODEL'], shift: ['FLOAT', { default: 1.73, min: 0.0, max: 100.0, step: 0.01 }] },
      output: ['MODEL'],
    }),
    sim: { durationMs: 2 },
  },
};
