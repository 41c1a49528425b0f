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

/**
 * Plans the run of `outputIds` (validated output node ids) in `prompt` (a validated prompt).
 * Links to nodes absent from the prompt are ignored: validation has already refused them on
 * declared inputs, and ComfyUI never reads undeclared ones.
 * @throws ExecutionOrderError `CC_ERR_DEPENDENCY_CYCLE` when the needed nodes form a cycle.
 */
export function executionOrder(
  prompt: ApiPrompt,
  outputIds: readonly string[],
  catalogue: NodeCatalogue = nodeCatalogue,
): ExecutionPlan {
  const sources = new Map<string, string[]>();
  const stack = outputIds.filter((id) => Object.hasOwn(prompt, id));
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (sources.has(id)) continue;
    const linked = linkedSources(prompt[id]).filter((source) => Object.hasOwn(prompt, source));
    sources.set(id, linked);
    stack.push(...linked);
  }
  const needed = [...sources.keys()].sort(compareNodeIds);

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
    if (ready.length === 0) {
      const stuck = needed.filter((id) => !done.has(id));
      throw new ExecutionOrderError(`comfy-chaos: nodes ${stuck.join(', ')} form a dependency cycle and cannot run`);
    }
    // `ready` is already in id order, so the first of the best rank is the stable choice.
    let pick = ready[0];
    for (const id of ready) if (rank(id) < rank(pick)) pick = id;
    done.add(pick);
    order.push(pick);
  }
  return { needed, order };
}
