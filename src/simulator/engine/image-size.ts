import type { ApiPrompt } from '../../protocol/index.ts';
import { isLink } from '../nodes/execution-order.ts';

/**
 * The pixel size of the image that flows into an image output (SaveImage, PreviewImage), read
 * off the prompt: its `images` link is followed back through pass-through nodes (VAEDecode's
 * `samples`, KSampler's `latent_image`, SimSleep's `value`, ...) to the node that sets a size
 * (EmptyLatentImage, EmptySD3LatentImage, EmptyImage, LatentUpscale, ImageScale) with constant
 * `width` and `height`. Undefined when no such node is found or the size is linked.
 */
export interface ImageSize {
  width: number;
  height: number;
}

/** Node classes whose `width`/`height` inputs set the size of what they output. */
const sizeSetters = new Set(['EmptyLatentImage', 'EmptySD3LatentImage', 'EmptyImage', 'LatentUpscale', 'ImageScale']);

/** Inputs an image or latent flows through, in the order they are tried. */
const flowInputs = ['images', 'image', 'samples', 'latent_image', 'latent', 'pixels', 'value'];

/** Most links followed back; a prompt with a cycle ends the walk instead of looping. */
const MAX_HOPS = 256;

type PromptNode = { class_type?: unknown; inputs?: Record<string, unknown> } | undefined;

/**
 * `passThroughOf` names, for a class, the input its outputs carry on (a node file's
 * `passThrough`); it is tried before {@link flowInputs}.
 */
export function imageSizeOf(prompt: ApiPrompt, nodeId: string, passThroughOf?: (classType: string) => string | undefined): ImageSize | undefined {
  const nodes = prompt as Record<string, PromptNode>;
  let current: string | undefined = nodeId;
  for (let hop = 0; hop < MAX_HOPS && current !== undefined; hop++) {
    const node: PromptNode = nodes[current];
    if (!node || typeof node !== 'object') return undefined;
    const inputs: Record<string, unknown> = node.inputs ?? {};
    if (hop > 0 && typeof node.class_type === 'string' && sizeSetters.has(node.class_type)) {
      const { width, height } = inputs;
      return typeof width === 'number' && typeof height === 'number' ? { width, height } : undefined;
    }
    const declared = hop > 0 && passThroughOf && typeof node.class_type === 'string' ? passThroughOf(node.class_type) : undefined;
    const names = declared === undefined ? flowInputs : [declared, ...flowInputs];
    const link: unknown = names.map((name): unknown => inputs[name]).find((value) => isLink(value));
    current = isLink(link) ? link[0] : undefined;
  }
  return undefined;
}
