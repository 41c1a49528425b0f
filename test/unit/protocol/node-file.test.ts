import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { NodeFileError, nodeFileLimits, parseNodeFile } from '../../../src/protocol/index.ts';

const example = parseYaml(readFileSync(new URL('../../../examples/custom-nodes.yaml', import.meta.url), 'utf8')) as unknown;

/** The message parseNodeFile throws for `value`. */
function errorOf(value: unknown): string {
  try {
    parseNodeFile(value);
  } catch (error) {
    expect(error).toBeInstanceOf(NodeFileError);
    expect((error as NodeFileError).code).toBe('CC_ERR_NODE_FILE');
    return (error as Error).message;
  }
  throw new Error('parseNodeFile accepted it');
}

const node = (extra: Record<string, unknown> = {}) => ({ input: { required: { image: 'IMAGE', n: ['INT', { default: 3 }] } }, output: ['IMAGE'], ...extra });
const withNode = (extra: Record<string, unknown>) => ({ nodes: { MyNode: node(extra) } });

describe('node files (serve --nodes)', () => {
  it('reads the example file with its defaults filled in', () => {
    const file = parseNodeFile(example);
    expect(Object.keys(file.nodes)).toEqual(['MyPack.Blur', 'MyPack.Caption', 'MyPack.Tiles', 'MyPack.Flaky']);
    expect(file.module).toBe('custom_nodes.my_pack');
    expect(file.nodes['MyPack.Blur']!.behaviour).toEqual({ durationMs: 100, steps: 8, stepMs: 40, passThrough: 'image' });
    expect(file.nodes['MyPack.Tiles']!.behaviour.ui).toEqual({ images: { count: 4, width: 256, height: 256, type: 'output', prefix: 'ComfyUI', prefixInput: 'filename_prefix' } });
    expect(file.nodes['MyPack.Flaky']!.behaviour.fail).toEqual({ message: 'my pack could not reach its model server', exceptionType: 'ConnectionError', whenInput: 'fail' });
    expect(parseNodeFile({ nodes: { Bare: {} } }).nodes.Bare).toMatchObject({ category: 'sd', description: '', output: [], output_node: false, replaces: false, behaviour: { durationMs: 10, steps: 0, stepMs: 50 } });
  });

  it('names the path of a value of the wrong type', () => {
    expect(errorOf(withNode({ behaviour: { steps: 'ten' } }))).toBe('nodes.MyNode.behaviour.steps: expected a number of steps (0 to 10000) or { input: <INT input> }');
    expect(errorOf(withNode({ behaviour: { durationMs: '5' } }))).toMatch(/^nodes\.MyNode\.behaviour\.durationMs: Invalid input: expected number, received string$/);
    expect(errorOf(withNode({ input: { required: { radius: [5] } } }))).toMatch(/^nodes\.MyNode\.input\.required\.radius: expected an input spec/);
    expect(errorOf({ nodes: [] })).toMatch(/^nodes: Invalid input: expected record, received array$/);
  });

  it('refuses unknown keys, suggesting the one meant', () => {
    expect(errorOf(withNode({ behavior: {} }))).toBe('nodes.MyNode: unknown key "behavior": did you mean "behaviour"?');
    expect(errorOf(withNode({ behaviour: { stepsMs: 5 } }))).toBe('nodes.MyNode.behaviour: unknown key "stepsMs": did you mean "stepMs"?');
    expect(errorOf({ node: {} })).toMatch(/unknown key "node": did you mean "nodes"\?/);
  });

  it('checks that the inputs a behaviour names are declared, and of the right type', () => {
    expect(errorOf(withNode({ behaviour: { steps: { input: 'steps' } } }))).toBe('nodes.MyNode.behaviour.steps.input: no input "steps" (declared: image, n)');
    expect(errorOf(withNode({ behaviour: { steps: { input: 'image' } } }))).toBe('nodes.MyNode.behaviour.steps.input: input "image" is IMAGE; expected INT');
    expect(errorOf(withNode({ behaviour: { passThrough: 'latent' } }))).toBe('nodes.MyNode.behaviour.passThrough: no input "latent" (declared: image, n)');
    expect(errorOf(withNode({ behaviour: { fail: { whenInput: 'n' } } }))).toBe('nodes.MyNode.behaviour.fail.whenInput: input "n" is INT; expected BOOLEAN');
    expect(errorOf(withNode({ behaviour: { ui: { text: { input: 'caption' } } } }))).toBe('nodes.MyNode.behaviour.ui.text.input: no input "caption" (declared: image, n)');
    expect(errorOf(withNode({ behaviour: { ui: { images: { width: 64 } } } }))).toBe("nodes.MyNode.behaviour.ui.images: give both width and height, or neither (then the graph's size is used)");
    expect(errorOf(withNode({ output_name: ['a', 'b'] }))).toBe('nodes.MyNode.output_name: has 2 entries; output has 1');
  });

  it('bounds every size', () => {
    expect(errorOf({ nodes: {} })).toBe('nodes: declares no node');
    const many = Object.fromEntries(Array.from({ length: nodeFileLimits.nodes + 1 }, (_, i) => [`N${i}`, {}]));
    expect(errorOf({ nodes: many })).toBe('nodes: at most 500 nodes');
    expect(errorOf(withNode({ behaviour: { steps: 10_001 } }))).toMatch(/^nodes\.MyNode\.behaviour\.steps: /);
    expect(errorOf(withNode({ behaviour: { ui: { images: { count: 17 } } } }))).toBe('nodes.MyNode.behaviour.ui.images.count: at most 16 images');
    expect(errorOf(withNode({ behaviour: { ui: { images: { width: 5000, height: 64 } } } }))).toBe('nodes.MyNode.behaviour.ui.images.width: at most 4096 px');
    expect(errorOf(withNode({ behaviour: { durationMs: 86_400_001 } }))).toBe('nodes.MyNode.behaviour.durationMs: at most 86400000 ms (24 h)');
    expect(errorOf(withNode({ behaviour: { steps: 10_000, stepMs: 86_400_000 } }))).toMatch(/^nodes\.MyNode\.behaviour: one execution would take .* ms; at most 86400000 ms \(24 h\)$/);
    expect(errorOf({ nodes: { ['x'.repeat(201)]: {} } })).toMatch(/^nodes\.x+: bad name: at most 200 characters$/);
  });

  it('lists every problem of a file, one line each', () => {
    const lines = errorOf({ nodes: { A: { behaviour: { steps: -1 } }, B: { category: 7 } } }).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nodes\.A\.behaviour\.steps: /);
    expect(lines[1]).toBe('nodes.B.category: Invalid input: expected string, received number');
  });
});
