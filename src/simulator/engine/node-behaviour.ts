import type { ApiNode, NodeOutput } from '../../protocol/index.ts';
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
  /** Saves an image like SaveImage/PreviewImage and returns its UI entry. */
  saveImage(folder: 'output' | 'temp', filenamePrefix: string, seed: string): { filename: string; subfolder: string; type: string };
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
    const behaviour: NodeBehaviour = {
      isOutput: definition.info.output_node,
      timing: (node) => nodeTiming(definition, node.inputs),
      ui: (node, context) => {
        const ui = sim.ui;
        if (!ui) return null;
        if (ui.kind === 'text') {
          const value = node.inputs[ui.input];
          return { text: [typeof value === 'string' ? value : JSON.stringify(value ?? null)] };
        }
        const prefix = ui.type === 'output' ? String(node.inputs[ui.prefixInput] ?? 'ComfyUI') : ui.prefix;
        return { images: [context.saveImage(ui.type, prefix, `${context.promptId}:${context.nodeId}`)] };
      },
      failure: (node) => {
        const failure = sim.failure;
        if (!failure || node.inputs[failure.input] === false) return null;
        const message = node.inputs[failure.messageInput];
        return { type: failure.exceptionType, message: typeof message === 'string' ? message : 'SimFail was told to fail' };
      },
    };
    cache.set(classType, behaviour);
    return behaviour;
  };
}
