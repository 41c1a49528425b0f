/**
 * `comfy-chaos serve --nodes <file>` (issue 17): the example node file's classes are in
 * /object_info and run as declared, seen with raw fetch and a raw WebSocket on loopback; a bad
 * file exits 2 naming the path of what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve } from './serve-process.ts';

const example = join(import.meta.dirname, '../../../examples/custom-nodes.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cc-nodes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Message {
  type: string;
  data: Record<string, unknown>;
}

const prompt = {
  '1': { class_type: 'EmptyImage', inputs: { width: 320, height: 200, batch_size: 1, color: 0 } },
  '2': { class_type: 'MyPack.Blur', inputs: { image: ['1', 0], radius: 4, mode: 'gaussian' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'blurred' } },
  '4': { class_type: 'MyPack.Caption', inputs: { image: ['2', 0], style: 'short' } },
  '5': { class_type: 'MyPack.Tiles', inputs: { images: ['2', 0], filename_prefix: 'tile' } },
};

describe('comfy-chaos serve --nodes', () => {
  // Generous bounds: each case starts a node process, which takes seconds on a loaded 2-core machine.
  it('serves the example file\'s nodes in /object_info and runs a prompt with them as declared', { timeout: 120_000 }, async () => {
    const seen: { info?: Record<string, any>; messages: Message[]; history?: Record<string, any>; pngSize?: number[] } = { messages: [] };
    const trace = join(dir, 'trace.jsonl');
    const run = await serve(['--nodes', example, '--trace', trace], async (url) => {
      seen.info = (await (await fetch(`${url}/api/object_info`)).json()) as Record<string, any>;
      const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=nodes-test`);
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(String(data)) as Message;
        seen.messages.push(message);
      });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const posted = await fetch(`${url}/api/prompt`, { method: 'POST', body: JSON.stringify({ prompt, client_id: 'nodes-test' }) });
      const { prompt_id: promptId } = (await posted.json()) as { prompt_id: string };
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !seen.messages.some((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      socket.close();
      seen.history = ((await (await fetch(`${url}/api/history/${promptId}`)).json()) as Record<string, any>)[promptId];
      const saved = seen.history?.outputs?.['3']?.images?.[0]?.filename as string | undefined;
      if (saved) {
        const png = new DataView(await (await fetch(`${url}/api/view?filename=${saved}&type=output`)).arrayBuffer());
        seen.pngSize = [png.getUint32(16), png.getUint32(20)];
      }
    }, 90_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/nodes: 4 from .*custom-nodes\.yaml: MyPack\.Blur, MyPack\.Caption, MyPack\.Tiles, MyPack\.Flaky/);

    expect(seen.info?.KSampler, 'the core classes are still there').toBeDefined();
    expect(seen.info?.['MyPack.Blur']).toEqual({
      input: { required: { image: ['IMAGE'], radius: ['INT', { default: 4, min: 0, max: 64, step: 1 }], mode: [['box', 'gaussian'], { default: 'gaussian' }] } },
      input_order: { required: ['image', 'radius', 'mode'] },
      output: ['IMAGE'],
      output_is_list: [false],
      output_name: ['IMAGE'],
      name: 'MyPack.Blur',
      display_name: 'Blur (my pack)',
      description: 'Blurs the image; the simulator takes 8 progress steps and passes the image on.',
      python_module: 'custom_nodes.my_pack',
      category: 'my_pack/image',
      output_node: false,
    });

    expect(seen.history?.status?.status_str).toBe('success');
    const progress = seen.messages.filter((m) => m.type === 'progress' && m.data.node === '2').map((m) => [m.data.value, m.data.max]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => [k, 8]));
    // Blur runs 100 ms and then 8 steps of 40 ms before the next node starts: the trace's send times
    // (the server's clock, so a busy test process cannot bunch them up). Only a lower bound: timers
    // never fire early by more than a millisecond, and a loaded machine only makes it longer.
    const sent = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; t: number; msgType?: string; frame?: { text?: string } })
      .filter((e) => e.kind === 'ws_send' && e.msgType === 'executing')
      .map((e) => ({ t: e.t, node: (JSON.parse(e.frame!.text!) as Message).data.node }));
    const blur = sent.findIndex((e) => e.node === '2');
    expect(blur).toBeGreaterThanOrEqual(0);
    expect(sent[blur + 1]!.t - sent[blur]!.t).toBeGreaterThanOrEqual(100 + 8 * 40 - 5);
    expect(seen.pngSize, 'SaveImage after the pass-through node saves the size that flows in').toEqual([320, 200]);
    expect(seen.history?.outputs?.['4']).toEqual({ text: ['a cat on a sofa'] });
    expect(seen.history?.outputs?.['5']?.images.map((i: { filename: string }) => i.filename)).toEqual(['tile_00001_.png', 'tile_00002_.png', 'tile_00003_.png', 'tile_00004_.png']);
  });

  it('exits 2 naming the path of a bad value, and for a core class the file does not say it replaces', { timeout: 180_000 }, async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'nodes:\n  MyNode:\n    behaviour:\n      steps: ten\n');
    const badRun = await serve(['--nodes', bad], async () => undefined, 40_000);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toContain(`--nodes: node file ${bad} is invalid:\nnodes.MyNode.behaviour.steps: expected a number of steps (0 to 10000) or { input: <INT input> }`);

    const clash = join(dir, 'clash.json');
    writeFileSync(clash, JSON.stringify({ nodes: { SaveImage: { output_node: true } } }));
    const clashRun = await serve(['--nodes', clash], async () => undefined, 40_000);
    expect(clashRun.code).toBe(2);
    expect(clashRun.stderr).toContain('nodes.SaveImage: "SaveImage" is a core class of the simulator; add `replaces: true` to this node to replace it, or rename it');

    const missing = await serve(['--nodes', join(dir, 'none.yaml')], async () => undefined, 40_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--nodes: cannot read node file .*none\.yaml: ENOENT/);
    const folder = await serve(['--nodes', dir], async () => undefined, 40_000);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`--nodes: cannot read node file ${dir}: ${dir} is a directory, not a regular file`);
  });
});
