import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filesOfReplay } from '../../../src/cli/report-commands.ts';
import { cli } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-replay-files-'));
const results = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { results: Array<{ scenario: { id: string }; client: string; verdict: string }> }).results;

describe('comfy-chaos replay <report> of results whose scenario or relay came from a file', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the files a replay line names, quoted or not', () => {
    expect(filesOfReplay("comfy-chaos run --client reference --scenario '/tmp/my dir/s.yaml' --transport memory --seed 1")).toEqual({ scenarioFile: '/tmp/my dir/s.yaml' });
    expect(filesOfReplay('comfy-chaos run --relay /x/r.profile.yaml --scenario 8.2 --transport network --seed 1')).toEqual({ relayFile: '/x/r.profile.yaml' });
    expect(filesOfReplay('comfy-chaos run --client reference --scenario 2.3 --transport memory --seed 1')).toEqual({});
  });

  it('replays a scenario that came from a file, from that file', async () => {
    const dir = tmp();
    const file = join(dir, 'mine.yaml');
    writeFileSync(
      file,
      [
        'id: "99.1"',
        'name: my-drop',
        'purpose: a socket drop mid-job, written by a user',
        'jobs: [{ id: j1, prompt: { "1": { class_type: SimSleep, inputs: { duration_ms: 500, steps: 5, value: a } }, "2": { class_type: PreviewAny, inputs: { source: ["1", 0] } } } }]',
        'faults: [{ type: terminate, at: { on: message, type: progress, occurrence: 2 } }]',
      ].join('\n'),
    );
    const first = join(dir, 'first');
    expect((await cli(['run', '--transport', 'memory', '--scenario', file, '--report', first])).code).toBe(0);
    const again = join(dir, 'again');
    const replay = await cli(['replay', first, '--report', again]);
    expect(replay.err).toBe('');
    expect(replay.code).toBe(0);
    expect(results(again).map((r) => [r.scenario.id, r.client, r.verdict])).toEqual([['99.1', 'reference', 'pass']]);
  });
});
