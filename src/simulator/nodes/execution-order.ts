import type { ApiNode, ApiPrompt } from '../../protocol/index.ts';
import { nodeCatalogue, type NodeCatalogue } from './catalogue.ts';

/**
 * Which nodes a prompt runs and in what order, like ComfyUI's `ExecutionList`: a node becomes
 * ready once every node it links to has run, and among ready nodes the one that shows the user
 * something soonest goes first. Clients see this order in `executing` frames, so it is not id
 * order: in `4 -> 3 -> 8 -> 9` a SaveImage (9) runs as soon as its VAEDecode (8) is done.
 */

export interface ExecutionPlan {
  /** The outputs and every node they depend on, sorted by id. */
  needed: string[];
  /** `needed` in the order the nodes run. */
  order: string[];
}

export class ExecutionOrderError extends Error {
  override name = 'ExecutionOrderError';
  readonly code = 'CC_ERR_DEPENDENCY_CYCLE';
}

/** A link as ComfyUI's `is_link` sees it: `["<node id>", <slot number>]`. */
export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** Ids of the nodes `node` links to, each once, in input order. */
export function linkedSources(node: ApiNode): string[] {
  const sources = new Set<string>();
  for (const value of Object.values(node.inputs)) if (isLink(value)) sources.add(value[0]);
  return [...sources];
}

/**
 * Orders ids like `"3" < "10" < "10:2" < "a"`: numeric parts numerically, the rest by code point,
 * so expanded ids (`"12:5"`) sort after their parent.
 */
export function compareNodeIds(a: string, b: string): number {
  const pa = a.split(':');
  const pb = b.split(':');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const na = /^\d+$/.test(pa[i]) ? Number(pa[i]) : NaN;
    const nb = /^\d+$/.test(pb[i]) ? Number(pb[i]) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) {
      if (na !== nb) return na - nb;
    } else if (!Number.isNaN(na) || !Number.isNaN(nb)) {
      return Number.isNaN(na) ? 1 : -1; // numbers before names
    } else if (pa[i] !== pb[i]) {
      return pa[i] < pb[i] ? -1 : 1;
    }
  }
  return pa.length - pb.length;
}

/** A plan that may end in a dependency cycle: ComfyUI runs what it can, then fails the prompt. */
export interface PartialExecutionPlan extends ExecutionPlan {
  /**
   * Needed nodes that can never run because they wait on a cycle, in the order ComfyUI's
   * `ExecutionList` took them in (its `pendingNodes`), so `stuck[0]` is the node ComfyUI blames.
   * Empty when there is no cycle; `order` then holds every needed node.
   */
  stuck: string[];
}

/**
 * Plans the run of `outputIds` (validated output node ids) in `prompt` (a validated prompt).
 * Links to nodes absent from the prompt are ignored: validation has already refused them on
 * declared inputs. Links on inputs the node does not declare are followed, as ComfyUI's
 * `ExecutionList.add_node` follows every link it finds, so they can close a cycle that validation
 * (which reads declared inputs only) never saw. Never throws.
 */
export function planExecution(
  prompt: ApiPrompt,
  outputIds: readonly string[],
  catalogue: NodeCatalogue = nodeCatalogue,
): PartialExecutionPlan {
  const sources = new Map<string, string[]>();
  // ComfyUI adds each output in turn with its own stack, pushing links in input order.
  for (const output of outputIds) {
    if (!Object.hasOwn(prompt, output)) continue;
    const stack = [output];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (sources.has(id)) continue;
      const linked = linkedSources(prompt[id]).filter((source) => Object.hasOwn(prompt, source));
      sources.set(id, linked);
      stack.push(...linked);
    }
  }
  const discovery = [...sources.keys()];
  const needed = [...discovery].sort(compareNodeIds);

  // Downstream edges within the needed set: what each node unblocks.
  const blocking = new Map<string, string[]>(needed.map((id) => [id, []]));
  for (const [id, linked] of sources) for (const source of linked) blocking.get(source)!.push(id);

  const isOutput = (id: string) => catalogue[prompt[id].class_type]?.info.output_node === true;
  // ComfyUI's `ux_friendly_pick_node`: outputs, then what feeds an output, then what feeds that.
  const rank = (id: string): number => {
    if (isOutput(id)) return 0;
    const next = blocking.get(id)!;
    if (next.some(isOutput)) return 1;
    if (next.some((n) => blocking.get(n)!.some(isOutput))) return 2;
    return 3;
  };

  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < needed.length) {
    const ready = needed.filter((id) => !done.has(id) && sources.get(id)!.every((s) => done.has(s)));
    if (ready.length === 0) return { needed, order, stuck: discovery.filter((id) => !done.has(id)) };
    // `ready` is already in id order, so the first of the best rank is the stable choice.
    let pick = ready[0];
    for (const id of ready) if (rank(id) < rank(pick)) pick = id;
    done.add(pick);
    order.push(pick);
  }
  return { needed, order, stuck: [] };
}

/**
 * {@link planExecution} for callers that want all or nothing.
 * @throws ExecutionOrderError `CC_ERR_DEPENDENCY_CYCLE` when the needed nodes form a cycle.
 */
export function executionOrder(
  prompt: ApiPrompt,
  outputIds: readonly string[],
  catalogue: NodeCatalogue = nodeCatalogue,
): ExecutionPlan {
  const { needed, order, stuck } = planExecution(prompt, outputIds, catalogue);
  if (stuck.length > 0) {
    throw new ExecutionOrderError(`comfy-chaos: nodes ${[...stuck].sort(compareNodeIds).join(', ')} form a dependency cycle and cannot run`);
  }
  return { needed, order };
}
