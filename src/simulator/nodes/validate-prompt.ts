import type { ApiPrompt, NodeErrors, PostPromptRejected, ValidationError } from '../../protocol/index.ts';
import {
  findInputSpec,
  nodeCatalogue,
  type InputType,
  type CustomValidation,
  type NodeCatalogue,
  type ValidationContext,
} from './catalogue.ts';

/**
 * POST /prompt validation as ComfyUI 0.3.64 does it (`execution.validate_prompt`), reproducing
 * the parts clients can see: which error types appear, where (top-level `error` or per node in
 * `node_errors`), that invalid outputs are dropped while valid ones run, and that constants are
 * converted in place (`"20"` becomes `20` in the queued prompt). Messages are our own words.
 *
 * Known quirks kept on purpose:
 * - `dependent_outputs`: when an output fails, ComfyUI appends it to every node with errors seen
 *   so far, including nodes that only other outputs depend on.
 * - A link to a missing node raises while validating the node holding the link; the linking
 *   node's caller catches it, so it is reported on that node as
 *   `exception_during_inner_validation`, or as `exception_during_validation` when the node holding
 *   the link is itself an output.
 *
 * Deliberate differences: a `prompt` that is not an object gives `invalid_prompt` (ComfyUI 500s);
 * a dependency cycle gives `exception_during_inner_validation` on the node closing it (ComfyUI
 * recurses until Python's recursion limit).
 */

export type PromptValidation =
  | {
      ok: true;
      /** A copy of the prompt with constants converted as ComfyUI does; this is what gets queued. */
      prompt: ApiPrompt;
      /** Valid output node ids, in prompt order: `outputs_to_execute`. */
      outputs: string[];
      /** Errors of dropped outputs; may be non-empty on success. */
      nodeErrors: NodeErrors;
    }
  | { ok: false; status: 400; body: PostPromptRejected };

export interface ValidatePromptOptions {
  /** @defaultValue the built-in `nodeCatalogue` */
  catalogue?: NodeCatalogue;
  /** What custom checks may consult (LoadImage's file check). @defaultValue `{}`: no file checks */
  context?: ValidationContext;
}

type Verdict = { valid: boolean; errors: ValidationError[] };
type PromptNode = { class_type: string; inputs?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function reject(type: string, message: string, details: string, nodeErrors: NodeErrors = {}): PromptValidation {
  return { ok: false, status: 400, body: { error: { type, message, details, extra_info: {} }, node_errors: nodeErrors } };
}

/**
 * Validates a parsed POST /prompt body. Returns the prompt to queue with its output ids, or the
 * exact 400 body ComfyUI would send.
 */
export function validatePrompt(body: unknown, options: ValidatePromptOptions = {}): PromptValidation {
  const { catalogue = nodeCatalogue, context = {} } = options;
  if (!isObject(body) || !Object.hasOwn(body, 'prompt')) {
    return reject('no_prompt', 'No prompt provided', 'The request body has no "prompt" field');
  }
  if (!isObject(body.prompt)) {
    return reject('invalid_prompt', 'Cannot run the prompt: "prompt" must be an object of nodes', `Got ${pyRepr(body.prompt)}`);
  }
  const prompt = structuredClone(body.prompt) as Record<string, PromptNode>;
  const targets = Array.isArray(body.partial_execution_targets) ? body.partial_execution_targets : null;

  const outputs: string[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    if (!isObject(node) || !Object.hasOwn(node, 'class_type')) {
      return reject('invalid_prompt', 'Cannot run the prompt: a node has no class_type', `Node ID '#${id}'`);
    }
    const definition = typeof node.class_type === 'string' ? catalogue[node.class_type] : undefined;
    if (!definition || !Object.hasOwn(catalogue, node.class_type)) {
      return reject(
        'invalid_prompt',
        `Cannot run the prompt: node type ${pyRepr(node.class_type)} does not exist`,
        `Node ID '#${id}'`,
      );
    }
    if (definition.info.output_node && (targets === null || targets.includes(id))) outputs.push(id);
  }
  if (outputs.length === 0) return reject('prompt_no_outputs', 'The prompt has no output nodes', '');

  const validator = new InputValidator(prompt, catalogue, context);
  const good: string[] = [];
  const failed: { output: string; reasons: ValidationError[] }[] = [];
  const nodeErrors: NodeErrors = {};
  for (const output of outputs) {
    let verdict: Verdict;
    try {
      verdict = validator.validate(output, []);
    } catch (error) {
      const ex = PythonError.from(error);
      verdict = {
        valid: false,
        errors: [
          {
            type: 'exception_during_validation',
            message: 'Exception while validating the node',
            details: ex.message,
            extra_info: { exception_type: ex.pythonType, traceback: [] },
          },
        ],
      };
      validator.validated.set(output, verdict);
    }
    if (verdict.valid) {
      good.push(output);
      continue;
    }
    failed.push({ output, reasons: verdict.errors });
    for (const [id, result] of validator.validated) {
      // Nodes that fail only because something upstream failed carry no errors of their own.
      if (result.valid || result.errors.length === 0) continue;
      nodeErrors[id] ??= { errors: result.errors, dependent_outputs: [], class_type: prompt[id].class_type };
      nodeErrors[id].dependent_outputs.push(output);
    }
  }

  if (good.length === 0) {
    const details = failed.flatMap(({ reasons }) => reasons.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return reject('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details, nodeErrors);
  }
  return { ok: true, prompt: prompt as ApiPrompt, outputs: good, nodeErrors };
}

/** Depth-first validation of one node and everything it links to, memoised in `validated`. */
class InputValidator {
  readonly validated = new Map<string, Verdict>();

  constructor(
    private readonly prompt: Record<string, PromptNode>,
    private readonly catalogue: NodeCatalogue,
    private readonly context: ValidationContext,
  ) {}

  validate(id: string, visiting: string[]): Verdict {
    const known = this.validated.get(id);
    if (known) return known;
    if (visiting.includes(id)) {
      throw new PythonError('RecursionError', `dependency cycle: ${[...visiting, id].join(' -> ')}`);
    }
    const node = this.prompt[id];
    const definition = this.catalogue[node.class_type];
    if (!Object.hasOwn(node, 'inputs')) throw new PythonError('KeyError', "'inputs'");
    if (!isObject(node.inputs)) throw new PythonError('TypeError', `node ${id} has inputs that are not an object`);
    const inputs = node.inputs;

    const errors: ValidationError[] = [];
    let valid = true;
    const custom = definition.sim.customValidation;
    const declared = [
      ...Object.keys(definition.info.input.required ?? {}),
      ...Object.keys(definition.info.input.optional ?? {}),
    ];
    for (const name of declared) {
      const { spec, category } = findInputSpec(definition, name)!;
      const [type, extra = {}] = spec;
      const info = [type, extra];
      if (!Object.hasOwn(inputs, name)) {
        if (category === 'required') {
          errors.push({ type: 'required_input_missing', message: 'Required input missing', details: name, extra_info: { input_name: name } });
        }
        continue;
      }
      let value = inputs[name];

      if (Array.isArray(value)) {
        if (value.length !== 2) {
          errors.push({
            type: 'bad_linked_input',
            message: 'Bad linked input: expected a [node_id, slot_index] pair',
            details: name,
            extra_info: { input_name: name, input_config: info, received_value: value },
          });
          continue;
        }
        const receivedType = this.linkedOutputType(value);
        if (!typesMatch(receivedType, type)) {
          errors.push({
            type: 'return_type_mismatch',
            message: 'Linked output type does not match the input type',
            details: `${name}: received ${pyRepr(receivedType)}, expected ${pyRepr(type)}`,
            extra_info: { input_name: name, input_config: info, received_type: receivedType, linked_node: value },
          });
          continue;
        }
        const source = value[0] as string;
        try {
          if (!this.validate(source, [...visiting, id]).valid) valid = false;
        } catch (error) {
          const ex = PythonError.from(error);
          valid = false;
          const reasons: ValidationError[] = [
            {
              type: 'exception_during_inner_validation',
              message: 'Exception while validating a linked node',
              details: ex.message,
              extra_info: {
                input_name: name,
                input_config: info,
                exception_message: ex.message,
                exception_type: ex.pythonType,
                traceback: [],
                linked_node: value,
              },
            },
          ];
          this.validated.set(source, { valid: false, errors: reasons });
        }
        continue;
      }

      try {
        if (isObject(value) && Object.hasOwn(value, '__value__')) value = inputs[name] = value.__value__;
        if (type === 'INT') value = inputs[name] = toPythonInt(value);
        if (type === 'FLOAT') value = inputs[name] = toPythonFloat(value);
        if (type === 'STRING') value = inputs[name] = toPythonStr(value);
        if (type === 'BOOLEAN') value = inputs[name] = pythonTruthy(value);
      } catch (error) {
        const ex = PythonError.from(error);
        errors.push({
          type: 'invalid_input_type',
          message: `Could not convert the input value to ${typeof type === 'string' ? type : 'COMBO'}`,
          details: `${name}, ${toPythonStr(value)}, ${ex.message}`,
          extra_info: { input_name: name, input_config: info, received_value: value, exception_message: ex.message },
        });
        continue;
      }

      // ComfyUI leaves inputs its custom check reads to that check alone.
      if (custom?.inputs.includes(name)) continue;
      const error = checkRange(name, value, type, extra, info);
      if (error) errors.push(error);
    }

    if (custom) errors.push(...this.customErrors(custom, inputs));

    const previous = this.validated.get(id);
    const verdict: Verdict = {
      valid: (previous?.valid ?? true) && valid && errors.length === 0,
      errors: [...(previous?.errors ?? []), ...errors],
    };
    this.validated.set(id, verdict);
    return verdict;
  }

  /** The type a link delivers; raises like Python when the node or the slot does not exist. */
  private linkedOutputType(link: unknown[]): string | string[] {
    const [source, slot] = link;
    if (typeof source !== 'string' || !Object.hasOwn(this.prompt, source)) {
      throw new PythonError('KeyError', pyRepr(source));
    }
    const output = this.catalogue[this.prompt[source].class_type].info.output;
    if (typeof slot !== 'number' && typeof slot !== 'boolean') {
      throw new PythonError('TypeError', `output slot must be an integer, not ${pyRepr(slot)}`);
    }
    const index = Number(slot);
    if (!Number.isInteger(index)) throw new PythonError('TypeError', `output slot must be an integer, not ${index}`);
    // Python indexing: negative slots count from the end.
    const type = output[index < 0 ? output.length + index : index];
    if (type === undefined) throw new PythonError('IndexError', `output slot ${index} out of range (${output.length} outputs)`);
    return type;
  }

  /** Runs the node's own check (ComfyUI's `VALIDATE_INPUTS`) on its constant inputs. */
  private customErrors(custom: CustomValidation, inputs: Record<string, unknown>): ValidationError[] {
    const present = custom.inputs.filter((name) => Object.hasOwn(inputs, name));
    if (present.length === 0) return [];
    // A linked input is not known before execution; ComfyUI hands the check None for it.
    const values = Object.fromEntries(present.map((name) => [name, Array.isArray(inputs[name]) ? null : inputs[name]]));
    const result = custom.check(values, this.context);
    if (result === true) return [];
    return present.map((name) => ({
      type: 'custom_validation_failed',
      message: 'Custom validation failed for the node',
      details: `${name} - ${result}`,
      extra_info: { input_name: name },
    }));
  }
}

/** ComfyUI's `validate_node_input`: exact match, or comma-separated unions that overlap, or `*`. */
function typesMatch(received: InputType, expected: InputType): boolean {
  if (JSON.stringify(received) === JSON.stringify(expected)) return true;
  if (typeof received !== 'string' || typeof expected !== 'string') return false;
  const split = (t: string) => t.split(',').map((s) => s.trim());
  const got = split(received);
  const want = split(expected);
  if (got.includes('*') || want.includes('*')) return true;
  return got.some((t) => want.includes(t));
}

function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function checkRange(
  name: string,
  value: unknown,
  type: InputType,
  extra: Record<string, unknown>,
  info: unknown[],
): ValidationError | undefined {
  const base = { input_name: name, input_config: info, received_value: value };
  const shown = type === 'FLOAT' ? toPythonStr(value, true) : toPythonStr(value);
  if (typeof value === 'number' && typeof extra.min === 'number' && value < extra.min) {
    return { type: 'value_smaller_than_min', message: `Value ${shown} is smaller than the minimum ${extra.min}`, details: name, extra_info: base };
  }
  if (typeof value === 'number' && typeof extra.max === 'number' && value > extra.max) {
    return { type: 'value_bigger_than_max', message: `Value ${shown} is bigger than the maximum ${extra.max}`, details: name, extra_info: base };
  }
  if (Array.isArray(type) && !type.includes(value as string)) {
    // Like ComfyUI, long lists (scanned model folders) are summarised, not echoed back.
    const long = type.length > 20;
    return {
      type: 'value_not_in_list',
      message: 'Value is not in the list of allowed values',
      details: `${name}: ${pyRepr(value)} not in ${long ? `(list of length ${type.length})` : pyRepr(type)}`,
      extra_info: { ...base, input_config: long ? null : info },
    };
  }
  return undefined;
}

/** An exception as Python would raise it; `pythonType` is what clients see as `exception_type`. */
class PythonError extends Error {
  constructor(
    readonly pythonType: string,
    message: string,
  ) {
    super(message);
  }

  static from(error: unknown): PythonError {
    if (error instanceof PythonError) return error;
    return error instanceof Error ? new PythonError(error.name, error.message) : new PythonError('Exception', String(error));
  }
}

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** Python's `repr()` of a JSON value, so messages read like the server's. */
function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value as object).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

/** Python's `str()`; `asFloat` prints whole numbers as `5.0`, as a Python float would. */
function toPythonStr(value: unknown, asFloat = false): string {
  if (typeof value === 'string') return value;
  if (asFloat && typeof value === 'number' && Number.isInteger(value)) return `${value}.0`;
  return pyRepr(value);
}

/** Python's `int()`: truncates floats, parses decimal strings (with `_` separators), else raises. */
function toPythonInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PythonError('ValueError', `cannot convert ${value} to an integer`);
    return Math.trunc(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?\d+(?:_\d+)*$/.test(text)) return Number(text.replaceAll('_', ''));
    throw new PythonError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
  }
  throw new PythonError('TypeError', `int() needs a string or a real number, not '${pyTypeName(value)}'`);
}

/** Python's `float()`: numbers, decimal or exponent strings, `inf` and `nan`, else raises. */
function toPythonFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    const special = /^([+-]?)(inf|infinity|nan)$/.exec(text);
    if (special) return special[2] === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
    if (/^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/.test(text)) {
      return Number(text.replaceAll('_', ''));
    }
    throw new PythonError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
  }
  throw new PythonError('TypeError', `float() needs a string or a real number, not '${pyTypeName(value)}'`);
}
