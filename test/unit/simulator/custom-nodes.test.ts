import { afterEach, describe, expect, it } from 'vitest';
import { NodeFileError, parseNodeFile, type NodeFileInput, type TraceEvent } from '../../../src/protocol/index.ts';
import { nodeCatalogue, withNodeFile } from '../../../src/simulator/index.ts';
import { startSim, type SimFixture } from '../../helpers/sim-fixture.ts';

const file: NodeFileInput = {
  module: 'custom_nodes.test_pack',
  nodes: {
    Blur: {
      display_name: 'Blur (test pack)',
      category: 'test_pack/image',
      input: { required: { pixels_in: 'IMAGE', radius: ['INT', { default: 4, min: 0, max: 64 }] }, optional: { mode: [['box', 'gaussian']] } },
      output: ['IMAGE'],
      output_name: ['blurred'],
      behaviour: { durationMs: 100, steps: 8, stepMs: 40, passThrough: 'pixels_in' },
    },
    Sampler: {
      input: { required: { image: 'IMAGE', steps: ['INT', { default: 5, min: 1, max: 100 }] } },
      output: ['IMAGE'],
      behaviour: { durationMs: 0, steps: { input: 'steps' }, stepMs: 10, passThrough: 'image' },
    },
    Tiles: {
      input: { required: { images: 'IMAGE', filename_prefix: ['STRING', { default: 'tiles' }] } },
      output_node: true,
      behaviour: { ui: { images: { count: 3, width: 96, height: 48, prefixInput: 'filename_prefix' } } },
    },
    Caption: {
      input: { required: { text_in: 'STRING' } },
      output: ['STRING'],
      output_node: true,
      behaviour: { passThrough: 'text_in', ui: { text: { input: 'text_in' } } },
    },
    Flaky: {
      input: { required: { value: ['*', {}], fail: ['BOOLEAN', { default: true }] } },
      output: ['*'],
      output_node: true,
      behaviour: { fail: { message: 'model server unreachable', exceptionType: 'ConnectionError', whenInput: 'fail' } },
    },
  },
};

let fixture: SimFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function start(): Promise<SimFixture> {
  fixture = await startSim('memory', { catalogue: withNodeFile(parseNodeFile(file)) });
  return fixture;
}

/** Submits `prompt` for a connected client and waits (virtual time) for its end; returns its history entry. */
async function run(sim: SimFixture, prompt: Record<string, unknown>): Promise<{ promptId: string; entry: Record<string, any>; trace: readonly TraceEvent[] }> {
  const socket = sim.connect('c1');
  await sim.waitUntil(() => socket.opened);
  const posted = await sim.postJson('/prompt', { prompt, client_id: 'c1' });
  expect(posted.status, posted.text).toBe(200);
  const promptId = (posted.body as { prompt_id: string }).prompt_id;
  const ended = () => socket.messages().some((m) => m.type === 'executing' && (m.data as { node: unknown; prompt_id?: string }).node === null && (m.data as { prompt_id?: string }).prompt_id === promptId);
  expect(await sim.waitUntil(ended, 60_000)).toBe(true);
  const history = (await sim.getJson(`/history/${promptId}`)).body as Record<string, Record<string, any>>;
  return { promptId, entry: history[promptId]!, trace: sim.sim.trace };
}

/** Sent messages of `type` for `node`, with their time on the simulator's clock. */
function sent(trace: readonly TraceEvent[], type: string, node?: string): { t: number; data: Record<string, unknown> }[] {
  return trace.flatMap((event) => {
    if (event.kind !== 'ws_send' || event.msgType !== type || !('text' in event.frame)) return [];
    const data = (JSON.parse(event.frame.text) as { data: Record<string, unknown> }).data;
    return node === undefined || data.node === node ? [{ t: event.t, data }] : [];
  });
}

const image = { class_type: 'EmptyImage', inputs: { width: 320, height: 200, batch_size: 1, color: 0 } };

describe('node file classes in the simulator', () => {
  it('serves them in /object_info as ComfyUI node_info() builds an entry, next to the core classes', async () => {
    const sim = await start();
    const all = (await sim.getJson('/object_info')).body as Record<string, unknown>;
    expect(Object.keys(all)).toEqual([...Object.keys(nodeCatalogue), 'Blur', 'Sampler', 'Tiles', 'Caption', 'Flaky']);
    expect((await sim.getJson('/object_info/Blur')).body).toEqual({
      Blur: {
        input: { required: { pixels_in: ['IMAGE'], radius: ['INT', { default: 4, min: 0, max: 64 }] }, optional: { mode: [['box', 'gaussian']] } },
        input_order: { required: ['pixels_in', 'radius'], optional: ['mode'] },
        output: ['IMAGE'],
        output_is_list: [false],
        output_name: ['blurred'],
        name: 'Blur',
        display_name: 'Blur (test pack)',
        description: '',
        python_module: 'custom_nodes.test_pack',
        category: 'test_pack/image',
        output_node: false,
      },
    });
    expect((await sim.getJson('/object_info/Tiles')).body).toMatchObject({ Tiles: { display_name: 'Tiles', category: 'sd', output: [], output_node: true } });
  });

  it('runs a node for its declared duration and progress steps, and saves what flows through it at its size', async () => {
    const sim = await start();
    const { entry, trace } = await run(sim, {
      '1': image,
      '2': { class_type: 'Blur', inputs: { pixels_in: ['1', 0], radius: 3 } },
      '3': { class_type: 'Sampler', inputs: { image: ['2', 0], steps: 3 } },
      '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'out' } },
    });
    expect(entry.status.status_str).toBe('success');
    expect(sent(trace, 'progress', '2').map((p) => [p.data.value, p.data.max])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => [k, 8]));
    expect(sent(trace, 'progress', '3').map((p) => p.data.value)).toEqual([1, 2, 3]);
    // From Blur's `executing` to the next node's: 100 ms, then 8 steps of 40 ms (virtual clock).
    const started = sent(trace, 'executing', '2')[0]!.t;
    expect(sent(trace, 'executing', '3')[0]!.t - started).toBe(100 + 8 * 40);
    const saved = entry.outputs['4'].images[0];
    const png = new DataView(await (await sim.fetch(`${sim.baseUrl}/view?filename=${saved.filename}&type=output`)).arrayBuffer());
    expect([png.getUint32(16), png.getUint32(20)]).toEqual([320, 200]);
  });

  it('saves the declared images, shows a text that flows in, and fails with its message', async () => {
    const sim = await start();
    const ok = await run(sim, {
      '1': image,
      '2': { class_type: 'Tiles', inputs: { images: ['1', 0], filename_prefix: 'tile' } },
      '3': { class_type: 'PrimitiveString', inputs: { value: 'hello' } },
      '4': { class_type: 'Caption', inputs: { text_in: ['3', 0] } },
      '5': { class_type: 'Caption', inputs: { text_in: ['4', 0] } },
    });
    expect(ok.entry.outputs['2'].images.map((i: { filename: string; type: string }) => [i.filename, i.type])).toEqual([
      ['tile_00001_.png', 'output'],
      ['tile_00002_.png', 'output'],
      ['tile_00003_.png', 'output'],
    ]);
    const png = new DataView(await (await sim.fetch(`${sim.baseUrl}/view?filename=tile_00003_.png&type=output`)).arrayBuffer());
    expect([png.getUint32(16), png.getUint32(20)]).toEqual([96, 48]);
    expect(ok.entry.outputs['5']).toEqual({ text: ['hello'] });

    const failed = await run(sim, { '1': { class_type: 'PrimitiveString', inputs: { value: 'x' } }, '2': { class_type: 'Flaky', inputs: { value: ['1', 0], fail: true } } });
    expect(failed.entry.status.status_str).toBe('error');
    expect(sent(failed.trace, 'execution_error').at(-1)!.data).toMatchObject({ node_id: '2', node_type: 'Flaky', exception_type: 'ConnectionError', exception_message: 'model server unreachable\n' });
    const passed = await run(sim, { '1': { class_type: 'PrimitiveString', inputs: { value: 'y' } }, '2': { class_type: 'Flaky', inputs: { value: ['1', 0], fail: false } } });
    expect(passed.entry.status.status_str).toBe('success');
  });

  it('refuses a class named like a core one unless the file says it replaces it', () => {
    const clash = parseNodeFile({ nodes: { KSampler: { output: ['LATENT'] }, Mine: {} } });
    expect(() => withNodeFile(clash)).toThrow(NodeFileError);
    expect(() => withNodeFile(clash)).toThrow('nodes.KSampler: "KSampler" is a core class of the simulator; add `replaces: true` to this node to replace it, or rename it');
    const replaced = withNodeFile(parseNodeFile({ nodes: { KSampler: { output: ['LATENT'], replaces: true, behaviour: { steps: 2 } } } }));
    expect(replaced.KSampler!.info.python_module).toBe('custom_nodes.comfy_chaos_nodes');
    expect(replaced.KSampler!.sim.fixedSteps).toBe(2);
    expect(nodeCatalogue.KSampler!.info.python_module).toBe('nodes');
  });
});
