import type { NodeFile, NodeFileEntry, NodeInputSpec, ObjectInfoEntry } from '../../protocol/index.ts';
import { NodeFileError } from '../../protocol/index.ts';
import { nodeCatalogue, type InputSpec, type NodeCatalogue, type NodeDefinition, type NodeSimulation, type NodeUi } from './catalogue.ts';

/**
 * The node classes of a node file (`serve --nodes`, src/protocol/node-file.ts) as catalogue
 * definitions, added to `base`. A class of `base` (a core class such as KSampler) of the same name
 * is an error unless the file's entry says `replaces: true`: an extension author who adds a node
 * named like a core one by mistake would otherwise lose the core one in silence.
 *
 * The `/object_info` entry is built as ComfyUI's `node_info()` builds one (server.py, 0.3.64):
 * `input_order` from the declared order, `output_is_list` false and `output_name` the types unless
 * given, `display_name` the class name when absent, `output_tooltips`, `deprecated` and
 * `experimental` only when set.
 * @throws NodeFileError `nodes.<class>: ...` for a clash with a class of `base`.
 */
export function withNodeFile(file: NodeFile, base: NodeCatalogue = nodeCatalogue): NodeCatalogue {
  const catalogue: Record<string, NodeDefinition> = { ...base };
  const clashes: string[] = [];
  for (const [className, entry] of Object.entries(file.nodes)) {
    if (Object.hasOwn(base, className) && !entry.replaces) {
      clashes.push(`nodes.${className}: "${className}" is a core class of the simulator; add \`replaces: true\` to this node to replace it, or rename it`);
      continue;
    }
    catalogue[className] = nodeDefinition(className, entry, file.module);
  }
  if (clashes.length) throw new NodeFileError(clashes.join('\n'));
  return catalogue;
}

/** The classes a node file replaces in `base` (for the `serve` banner). */
export function replacedClasses(file: NodeFile, base: NodeCatalogue = nodeCatalogue): string[] {
  return Object.keys(file.nodes).filter((name) => Object.hasOwn(base, name));
}

function inputSpec(spec: NodeInputSpec): InputSpec {
  if (typeof spec === 'string') return [spec];
  return spec.length === 1 ? [spec[0]] : [spec[0], { ...spec[1] }];
}

function objectInfoEntry(className: string, entry: NodeFileEntry, module: string): ObjectInfoEntry {
  const group = (specs: Record<string, NodeInputSpec>) => Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, inputSpec(v)]));
  const input: ObjectInfoEntry['input'] = { required: group(entry.input.required) };
  const inputOrder: Record<string, string[]> = { required: Object.keys(entry.input.required) };
  if (entry.input.optional) {
    input.optional = group(entry.input.optional);
    inputOrder.optional = Object.keys(entry.input.optional);
  }
  if (entry.input.hidden) {
    input.hidden = { ...entry.input.hidden };
    inputOrder.hidden = Object.keys(entry.input.hidden);
  }
  const output = entry.output.map((type) => (typeof type === 'string' ? type : [...type]));
  const info: ObjectInfoEntry = {
    input,
    input_order: inputOrder,
    output,
    output_is_list: entry.output_is_list ?? output.map(() => false),
    output_name: entry.output_name ?? output.map((type) => (typeof type === 'string' ? type : 'COMBO')),
    name: className,
    display_name: entry.display_name ?? className,
    description: entry.description,
    python_module: entry.python_module ?? module,
    category: entry.category,
    output_node: entry.output_node,
  };
  if (entry.output_tooltips) info.output_tooltips = [...entry.output_tooltips];
  if (entry.deprecated) info.deprecated = true;
  if (entry.experimental) info.experimental = true;
  return info;
}

function simulation(entry: NodeFileEntry): NodeSimulation {
  const b = entry.behaviour;
  const sim: NodeSimulation = { durationMs: b.durationMs, stepMs: b.stepMs };
  if (typeof b.steps === 'number') sim.fixedSteps = b.steps;
  else sim.progress = { stepsInput: b.steps.input };
  if (b.passThrough !== undefined) sim.passThrough = b.passThrough;
  if (b.fail) {
    sim.failure = { exceptionType: b.fail.exceptionType, message: b.fail.message, ...(b.fail.whenInput !== undefined ? { input: b.fail.whenInput } : {}) };
  }
  const ui = b.ui;
  if (ui && 'text' in ui) {
    sim.ui = typeof ui.text === 'string' ? { kind: 'text', value: ui.text } : { kind: 'text', input: ui.text.input };
  } else if (ui) {
    const { count, width, height, type, prefix, prefixInput } = ui.images;
    const declared = { count, ...(width !== undefined && height !== undefined ? { size: { width, height } } : {}) };
    const images: NodeUi =
      type === 'output'
        ? { kind: 'images', type, fallbackPrefix: prefix, ...(prefixInput !== undefined ? { prefixInput } : {}), ...declared }
        : { kind: 'images', type, prefix, ...declared };
    sim.ui = images;
  }
  return sim;
}

function nodeDefinition(className: string, entry: NodeFileEntry, module: string): NodeDefinition {
  return { info: objectInfoEntry(className, entry, module), sim: simulation(entry) };
}
