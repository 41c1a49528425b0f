import { z } from 'zod';
import { boundedMs, boundedText, scenarioLimits } from './scenario-limits.ts';
import { strictObject } from './strict-object.ts';

/**
 * A node file (`comfy-chaos serve --nodes <file>`, YAML or JSON): node classes an extension
 * author adds to the simulator, each with its `/object_info` entry (the keys are those of
 * ComfyUI's `node_info()` in server.py, so an entry copied from a real server's
 * `/object_info/<class>` fits) and a `behaviour` saying how the simulator runs it.
 *
 * ```yaml
 * nodes:
 *   MyBlur:
 *     display_name: Blur (my pack)
 *     category: my_pack/image
 *     input: { required: { image: IMAGE, radius: [INT, { default: 4, min: 0, max: 64 }] } }
 *     output: [IMAGE]
 *     behaviour: { durationMs: 200, steps: 8, stepMs: 25, passThrough: image }
 * ```
 *
 * The file is input we do not trust: every size is bounded ({@link nodeFileLimits}) and every
 * object refuses keys it does not know, so a typo is an error that names its path.
 */
export const nodeFileLimits = {
  /** A node file, in bytes. */
  fileBytes: 4 * 1024 * 1024,
  /** Node classes in one file. */
  nodes: 500,
  /** Inputs of one node in one category (required, optional, hidden). */
  inputs: 100,
  /** Outputs (return types) of one node. */
  outputs: 64,
  /** Values of one COMBO input. */
  comboValues: 10_000,
  /** Options of one input (`default`, `min`, `max`, `tooltip`, ...). */
  inputOptions: 64,
  /** Progress steps of one execution, as KSampler's `steps` maximum. */
  steps: 10_000,
  /** Images one execution saves. */
  images: 16,
  /** Width or height of a saved image, in pixels (as the simulator's image sizes, src/simulator/engine/image-size.ts). */
  imagePixels: 4096,
} as const;

const name = () => z.string().min(1, 'must not be empty').max(scenarioLimits.name, `at most ${scenarioLimits.name} characters`);
const nameList = (max: number, what: string) => z.array(name()).max(max, `at most ${max} ${what}`);

/** An input's type: a name (`INT`, `IMAGE`, `MY_TYPE`, `*`) or, for a COMBO, its list of values. */
const inputType = z.union([name(), nameList(nodeFileLimits.comboValues, 'values').min(0)], {
  error: 'expected a type name (INT, FLOAT, STRING, BOOLEAN, IMAGE, ...) or a list of COMBO values',
});

/** `[type, options]` options: ComfyUI passes them to the frontend as they are; the ones the simulator reads are checked. */
const inputOptions = z
  .looseObject({
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().optional(),
    tooltip: boundedText().optional(),
    multiline: z.boolean().optional(),
  })
  .refine((options) => Object.keys(options).length <= nodeFileLimits.inputOptions, `at most ${nodeFileLimits.inputOptions} options`);

/** `IMAGE` (shorthand), `[IMAGE]`, `[INT, {default: 4, min: 0}]` or `[[fast, best], {default: fast}]`. */
export const nodeInputSpec = z.union([name(), z.tuple([inputType]), z.tuple([inputType, inputOptions])], {
  error: 'expected an input spec: a type name, [type] or [type, {options}] (a COMBO type is a list of values)',
});
export type NodeInputSpec = z.infer<typeof nodeInputSpec>;

const inputGroup = z
  .record(name(), nodeInputSpec)
  .refine((group) => Object.keys(group).length <= nodeFileLimits.inputs, `at most ${nodeFileLimits.inputs} inputs`);

/** What the node shows its user: the UI dict of `executed` and of its history `outputs`. */
const nodeUi = z.union(
  [
    strictObject({
      /** Images saved by each execution, as SaveImage (`output`) or PreviewImage (`temp`) save them. */
      images: strictObject({
        count: z.number().int().min(1).max(nodeFileLimits.images, `at most ${nodeFileLimits.images} images`).default(1),
        /** Pixel size; absent: the size the graph asks for (the nearest EmptyLatentImage upstream), else 64x64. */
        width: z.number().int().min(1).max(nodeFileLimits.imagePixels, `at most ${nodeFileLimits.imagePixels} px`).optional(),
        height: z.number().int().min(1).max(nodeFileLimits.imagePixels, `at most ${nodeFileLimits.imagePixels} px`).optional(),
        type: z.enum(['output', 'temp']).default('output'),
        /** The filename prefix (`MyPack_00001_.png`); `prefixInput` names a STRING input that gives it instead. */
        prefix: name().default('ComfyUI'),
        prefixInput: name().optional(),
      }),
    }),
    /** `{"text": [...]}`, as PreviewAny shows: a fixed text, or the value that flows into an input. */
    strictObject({ text: z.union([boundedText(), strictObject({ input: name() })], { error: 'expected a text or { input: <input name> }' }) }),
  ],
  { error: 'expected { images: {...} } or { text: ... }' },
);

export const nodeBehaviour = strictObject({
  /** Time one execution takes before its progress steps, in ms. */
  durationMs: boundedMs().default(10),
  /** Progress steps reported per execution: a number, or the INT input that holds it (as KSampler's `steps`). 0: none. */
  steps: z
    .union([z.number().int().min(0).max(nodeFileLimits.steps), strictObject({ input: name() })], {
      error: `expected a number of steps (0 to ${nodeFileLimits.steps}) or { input: <INT input> }`,
    })
    .default(0),
  /** Time of one progress step, in ms. */
  stepMs: boundedMs().default(50),
  /** What the node shows (absent: nothing, and no `executed` is sent for it). */
  ui: nodeUi.optional(),
  /** The input whose value the node's outputs carry on (what a text preview or a SaveImage downstream sees). */
  passThrough: name().optional(),
  /** The node raises during execution: always, or while the BOOLEAN input `whenInput` is true. */
  fail: strictObject({
    message: boundedText().default('the node was told to fail (comfy-chaos node file)'),
    exceptionType: name().default('RuntimeError'),
    whenInput: name().optional(),
  }).optional(),
});
export type NodeBehaviourSpec = z.infer<typeof nodeBehaviour>;

export const nodeFileEntry = strictObject({
  /** Shown in the node search and on the node [default: the class name]. */
  display_name: boundedText().optional(),
  /** The node library folder, `/`-separated [default `sd`, as ComfyUI's default]. */
  category: boundedText().default('sd'),
  description: boundedText().default(''),
  /** [default: the file's `module`] */
  python_module: name().optional(),
  input: strictObject({ required: inputGroup.default({}), optional: inputGroup.optional(), hidden: z.record(name(), name()).optional() }).default({ required: {} }),
  /** Return types; a COMBO output is its list of values. */
  output: z.array(inputType).max(nodeFileLimits.outputs, `at most ${nodeFileLimits.outputs} outputs`).default([]),
  /** [default: the types] */
  output_name: nameList(nodeFileLimits.outputs, 'outputs').optional(),
  /** [default: false for each] */
  output_is_list: z.array(z.boolean()).max(nodeFileLimits.outputs).optional(),
  output_tooltips: z.array(boundedText()).max(nodeFileLimits.outputs).optional(),
  output_node: z.boolean().default(false),
  deprecated: z.boolean().optional(),
  experimental: z.boolean().optional(),
  /** A core class of the simulator of the same name is replaced instead of being an error. */
  replaces: z.boolean().default(false),
  behaviour: nodeBehaviour.default({ durationMs: 10, steps: 0, stepMs: 50 }),
});
export type NodeFileEntry = z.infer<typeof nodeFileEntry>;

/** Names of the INT/BOOLEAN/STRING... inputs of an entry, with their type name (COMBO for a list). */
function declaredInputs(entry: NodeFileEntry): Map<string, string> {
  const types = new Map<string, string>();
  for (const group of [entry.input.required, entry.input.optional ?? {}]) {
    for (const [key, spec] of Object.entries(group)) {
      const type = typeof spec === 'string' ? spec : spec[0];
      types.set(key, typeof type === 'string' ? type : 'COMBO');
    }
  }
  return types;
}

/** Checks across fields that a schema per field cannot make; each names the path it is about. */
function checkEntry(entry: NodeFileEntry, ctx: z.RefinementCtx, path: (string | number)[]): void {
  const inputs = declaredInputs(entry);
  const issue = (where: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...path, ...where], message });
  const needInput = (where: (string | number)[], input: string, types?: readonly string[]) => {
    const type = inputs.get(input);
    if (type === undefined) issue(where, `no input "${input}" (declared: ${[...inputs.keys()].join(', ') || 'none'})`);
    else if (types && !types.includes(type)) issue(where, `input "${input}" is ${type}; expected ${types.join(' or ')}`);
  };
  for (const [key, list] of [['output_name', entry.output_name], ['output_is_list', entry.output_is_list], ['output_tooltips', entry.output_tooltips]] as const) {
    if (list && list.length !== entry.output.length) issue([key], `has ${list.length} entries; output has ${entry.output.length}`);
  }
  const b = entry.behaviour;
  if (typeof b.steps === 'object') needInput(['behaviour', 'steps', 'input'], b.steps.input, ['INT']);
  if (b.passThrough !== undefined) needInput(['behaviour', 'passThrough'], b.passThrough);
  if (b.fail?.whenInput !== undefined) needInput(['behaviour', 'fail', 'whenInput'], b.fail.whenInput, ['BOOLEAN']);
  const ui = b.ui;
  if (ui && 'text' in ui && typeof ui.text === 'object') needInput(['behaviour', 'ui', 'text', 'input'], ui.text.input);
  if (ui && 'images' in ui) {
    if ((ui.images.width === undefined) !== (ui.images.height === undefined)) issue(['behaviour', 'ui', 'images'], 'give both width and height, or neither (then the graph\'s size is used)');
    if (ui.images.prefixInput !== undefined && ui.images.type === 'temp') issue(['behaviour', 'ui', 'images', 'prefixInput'], 'a temp image (a preview) has a fixed prefix, as PreviewImage: use prefix');
    else if (ui.images.prefixInput !== undefined) needInput(['behaviour', 'ui', 'images', 'prefixInput'], ui.images.prefixInput, ['STRING']);
  }
  const totalMs = b.durationMs + (typeof b.steps === 'number' ? b.steps * b.stepMs : 0);
  // Only when each part is within bounds, which zod has already said otherwise.
  if (totalMs > scenarioLimits.ms && b.durationMs <= scenarioLimits.ms && b.stepMs <= scenarioLimits.ms) issue(['behaviour'], `one execution would take ${totalMs} ms; at most ${scenarioLimits.ms} ms (24 h)`);
}

export const nodeFile = strictObject({
  /** `python_module` of every node that sets none; ComfyUI names a custom node pack's module `custom_nodes.<folder>`. */
  module: name().default('custom_nodes.comfy_chaos_nodes'),
  nodes: z
    .record(name(), nodeFileEntry)
    .refine((nodes) => Object.keys(nodes).length >= 1, 'declares no node')
    .refine((nodes) => Object.keys(nodes).length <= nodeFileLimits.nodes, `at most ${nodeFileLimits.nodes} nodes`),
}).superRefine((file, ctx) => {
  for (const [className, entry] of Object.entries(file.nodes)) checkEntry(entry, ctx, ['nodes', className]);
});
export type NodeFile = z.infer<typeof nodeFile>;
export type NodeFileInput = z.input<typeof nodeFile>;

/** What is wrong with a node file, one `path: message` line per problem. */
export class NodeFileError extends Error {
  readonly code = 'CC_ERR_NODE_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'NodeFileError';
  }
}

/** The zod issues as `nodes.MyNode.behaviour.steps: expected ...` lines. */
export function describeNodeFileIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      // A bad record key (a class or input name): zod's own message says only "Invalid key in record".
      const message = issue.code === 'invalid_key' ? `bad name: ${issue.issues.map((inner) => inner.message).join('; ')}` : issue.message;
      return `${issue.path.map(String).join('.') || '(the file)'}: ${message}`;
    })
    .join('\n');
}

/**
 * A parsed node file's value (what YAML or JSON gave), validated.
 * @throws NodeFileError naming each bad path.
 */
export function parseNodeFile(value: unknown): NodeFile {
  const parsed = nodeFile.safeParse(value);
  if (!parsed.success) throw new NodeFileError(describeNodeFileIssues(parsed.error));
  return parsed.data;
}
