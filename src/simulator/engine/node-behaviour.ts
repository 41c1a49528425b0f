import type { ApiNode, ApiPrompt, NodeOutput } from '../../protocol/index.ts';
import { isLink } from '../nodes/execution-order.ts';
import { imageSizeOf, type ImageSize } from './image-size.ts';
import { nodeCatalogue, nodeTiming, type NodeCatalogue } from '../nodes/catalogue.ts';

/** What the engine needs to know to "run" a node of some class. */
export interface NodeBehaviour {
  /** An OUTPUT_NODE (SaveImage, PreviewImage, ...). */
  isOutput: boolean;
  /** Time before the steps, number of progress steps (0: none) and time of one step, in ms. */
  timing(node: ApiNode): { setupMs: number; steps: number; stepMs: number };
  /** Produces the node's UI (`{images: [...]}`), or null for none; may write files. */
  ui(node: ApiNode, context: NodeRunContext): NodeOutput | null;
  /** The exception the node raises when run (the `SimFail` test node), or null. */
  failure(node: ApiNode): { type: string; message: string } | null;
}

export interface NodeRunContext {
  promptId: string;
  nodeId: string;
  /** The whole prompt, to follow links back to the value that flows in. */
  prompt: ApiPrompt;
  /** Saves an image like SaveImage/PreviewImage and returns its UI entry. */
  /** `size`: the pixels the graph asks for (EmptyLatentImage's width and height); absent: the default 64x64. */
  saveImage(folder: 'output' | 'temp', filenamePrefix: string, seed: string, size?: ImageSize): { filename: string; subfolder: string; type: string };
}

const unknownClass: NodeBehaviour = {
  isOutput: false,
  timing: () => ({ setupMs: 1, steps: 0, stepMs: 0 }),
  ui: () => null,
  failure: () => null,
};

/** Reads node behaviour from the catalogue; validation guarantees the class is known. */
export function catalogueBehaviour(catalogue: NodeCatalogue = nodeCatalogue): (classType: string) => NodeBehaviour {
  const cache = new Map<string, NodeBehaviour>();
  return (classType) => {
    const known = cache.get(classType);
    if (known) return known;
    const definition = catalogue[classType];
    if (!definition) return unknownClass;
    const { sim } = definition;
    const passThroughOf = (name: string) => (Object.hasOwn(catalogue, name) ? catalogue[name]!.sim.passThrough : undefined);
    const behaviour: NodeBehaviour = {
      isOutput: definition.info.output_node,
      timing: (node) => nodeTiming(definition, node.inputs),
      ui: (node, context) => {
        const ui = sim.ui;
        if (!ui) return null;
        if (ui.kind === 'text') {
          if ('value' in ui) return { text: [ui.value] };
          const value = flowingValue(context.prompt, node.inputs[ui.input], passThroughOf);
          return { text: [typeof value === 'string' ? value : JSON.stringify(value ?? null)] };
        }
        const prefix = ui.type === 'output' ? String((ui.prefixInput === undefined ? undefined : node.inputs[ui.prefixInput]) ?? ui.fallbackPrefix ?? 'ComfyUI') : ui.prefix;
        const size = ui.size ?? imageSizeOf(context.prompt, context.nodeId, passThroughOf);
        const seed = `${context.promptId}:${context.nodeId}`;
        const images = Array.from({ length: ui.count ?? 1 }, (_, i) => context.saveImage(ui.type, prefix, i === 0 ? seed : `${seed}:${i}`, size));
        return { images };
      },
      failure: (node) => {
        const failure = sim.failure;
        if (!failure || (failure.input !== undefined && node.inputs[failure.input] === false)) return null;
        const message = failure.messageInput === undefined ? undefined : node.inputs[failure.messageInput];
        return { type: failure.exceptionType, message: typeof message === 'string' ? message : failure.message ?? 'SimFail was told to fail' };
      },
    };
    cache.set(classType, behaviour);
    return behaviour;
  };
}

/**
 * The value a linked input receives, as far as the simulator models values: pass-through nodes
 * (SimSleep, SimFail, PrimitiveString) hand on their literal `value`/`value`-like input, a node
 * file's node its `passThrough` input; anything
 * else is described by its class. Bounded by the graph size, so a cycle cannot loop.
 */
function flowingValue(prompt: ApiPrompt, input: unknown, passThroughOf: (classType: string) => string | undefined): unknown {
  let current = input;
  for (let hops = 0; isLink(current) && hops <= Object.keys(prompt).length; hops++) {
    const source = prompt[current[0]];
    if (!source) return null;
    const declared = passThroughOf(source.class_type);
    const names = declared === undefined ? ['value', 'string', 'text'] : [declared];
    const literal = names.map((k) => source.inputs[k]).find((v) => v !== undefined);
    current = literal === undefined ? `<${source.class_type} output>` : literal;
  }
  return current;
}
