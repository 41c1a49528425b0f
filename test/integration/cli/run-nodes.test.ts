/**
 * `comfy-chaos run --nodes <file>` (issue 17): a scenario whose job uses a node file's classes runs
 * against simulators that know them, its replay line names the file, and `replay` runs it again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './cli.ts';

const nodes = join(import.meta.dirname, '../../../examples/custom-nodes.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cc-run-nodes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = (report: string) =>
  (JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: Array<{ verdict: string; reason?: string; replay: string }> }).results;

describe('comfy-chaos run --nodes', () => {
  it('runs a job whose graph uses the node file\'s classes, and replays it with the file', { timeout: 120_000 }, async () => {
    const scenario = join(dir, 'blur.yaml');
    writeFileSync(
      scenario,
      [
        'id: "9.20"',
        'name: my-pack-blur',
        'purpose: a job through my pack\'s nodes survives a socket drop mid-blur',
        'jobs:',
        '  - id: j1',
        '    prompt:',
        '      "1": { class_type: EmptyImage, inputs: { width: 64, height: 64, batch_size: 1, color: 0 } }',
        '      "2": { class_type: MyPack.Blur, inputs: { image: ["1", 0], radius: 2, mode: box } }',
        '      "3": { class_type: SaveImage, inputs: { images: ["2", 0], filename_prefix: blur } }',
        'faults:',
        '  - type: terminate',
        '    at: { on: message, type: progress, occurrence: 4 }',
      ].join('\n'),
    );
    const report = join(dir, 'with');
    const run = await cli(['run', '--transport', 'memory', '--scenario', scenario, '--nodes', nodes, '--report', report]);
    expect(run.code, run.err).toBe(0);
    const [result] = results(report);
    expect(result).toMatchObject({ verdict: 'pass' });
    expect(result!.replay).toContain(`--nodes ${nodes}`);

    const again = join(dir, 'again');
    const replay = await cli(['replay', report, '--report', again]);
    expect(replay.code, replay.err).toBe(0);
    expect(results(again)[0]).toMatchObject({ verdict: 'pass' });

    // Without the file the simulator would refuse the graph (400, unknown class): a scenario
    // mistake, not the client's, so no verdict is given.
    const without = await cli(['run', '--transport', 'memory', '--scenario', scenario, '--report', join(dir, 'without')]);
    expect(without.code).toBe(2);
    expect(without.err).toContain('scenario 9.20 (my-pack-blur), job j1: its graph uses "MyPack.Blur", which the simulator does not know, so it cannot complete: declare it in a node file and pass --nodes <file>');
  });

  it('exits 2 naming the path of what is wrong in the node file', { timeout: 60_000 }, async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ nodes: { Mine: { behaviour: { ui: { images: { count: 99 } } } } } }));
    const run = await cli(['run', '--transport', 'memory', '--scenario', '2.3', '--nodes', bad, '--report', join(dir, 'bad')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`--nodes: node file ${bad} is invalid:\nnodes.Mine.behaviour.ui.images.count: at most 16 images`);
  });
});
