import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from './cli.ts';
import { shardOf } from '../../../src/harness/run-plan.ts';
import { catalogue } from '../../../src/scenarios/catalogue/index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-run-'));


const results = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { results: Array<{ scenario: { id: string }; verdict: string; client: string; reason?: string }> }).results;

describe('comfy-chaos run', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs scenarios against the reference client on the memory transport and writes every report format', async () => {
    const dir = join(tmp(), 'report');
    const run = await cli(['run', '--transport', 'memory', '--scenario', '2.3', '5.1', '--report', dir]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/2 passed, 0 degraded, 0 failed, 0 skipped/);
    expect(results(dir).map((r) => [r.scenario.id, r.verdict])).toEqual([
      ['2.3', 'pass'],
      ['5.1', 'pass'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining(['index.html', 'junit.xml', 'results.json', 'summary.md', 'trace-2.3-reference.jsonl']),
    );
  });

  it('exits 2 naming the unknown scenario and suggesting close ones', async () => {
    const run = await cli(['run', '--transport', 'memory', '--scenario', '2.99', '--report', tmp()]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/No scenario matches "2\.99"/);
  });

  it('exits 2 naming the path of every problem in a malformed scenario file', async () => {
    const file = join(tmp(), 'bad.yaml');
    writeFileSync(file, 'id: "9.1"\nname: Bad Name\npurpose: x\njobs: []\nfaults:\n  - type: terminate\n    at: { on: message }\n');
    const run = await cli(['run', '--transport', 'memory', '--scenario', file, '--report', tmp()]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/bad\.yaml is invalid/);
    expect(run.err).toMatch(/at name/);
    expect(run.err).toMatch(/faults\[0\]\.at\.type/);
  });

  it('runs a scenario from a file', async () => {
    const file = join(tmp(), 'mine.yaml');
    writeFileSync(
      file,
      [
        'id: "9.1"',
        'name: my-regression',
        'purpose: the socket dies before executed',
        'jobs:',
        '  - id: j1',
        '    prompt: { "1": { class_type: SimSleep, inputs: { duration_ms: 500, steps: 5, value: a } }, "2": { class_type: PreviewAny, inputs: { source: ["1", 0] } } }',
        'faults:',
        '  - type: terminate',
        '    at: { on: message, type: executed }',
      ].join('\n'),
    );
    const dir = join(tmp(), 'report');
    const run = await cli(['run', '--transport', 'memory', '--scenario', file, '--report', dir]);
    expect(run.code).toBe(0);
    expect(results(dir)[0]).toMatchObject({ scenario: { id: '9.1' }, verdict: 'pass' });
    // The replay command names the file: no catalogue has 9.1.
    expect((results(dir)[0] as unknown as { replay: string }).replay).toContain(`--scenario ${file}`);
  });

  it('gives a driver that crashes a fail with the reason, exit 1, and no hang', async () => {
    const dir = join(tmp(), 'report');
    const crash = `${process.execPath} -e "process.stderr.write('driver exploded'); process.exit(3)"`;
    const run = await cli(['run', '--transport', 'network', '--client', crash, '--scenario', '6.1', '--report', dir]);
    expect(run.code).toBe(1);
    const [result] = results(dir);
    expect(result!.verdict).toBe('fail');
    expect(JSON.stringify(result)).toMatch(/driver exploded|exit/);
  });

  it('gives a driver that prints junk and never answers a fail, within the bounds', async () => {
    const dir = join(tmp(), 'report');
    const junk = `${process.execPath} -e "console.log('hello, I am not JSON'); console.log(JSON.stringify({type:'ready'})); setInterval(() => {}, 1000)"`;
    const run = await cli(['run', '--transport', 'network', '--client', junk, '--scenario', '1.4', '--report', dir]);
    expect(run.code).toBe(1);
    const [result] = results(dir);
    expect(result!.verdict).toBe('fail');
    expect(readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('trace-'))!), 'utf8')).toMatch(/not JSON/);
  }, 60_000);

  it('shards the catalogue deterministically and merges the shard reports into one', async () => {
    const all = catalogue.map((s) => s.id);
    const shards = [1, 2, 3].map((i) => shardOf(catalogue, `${i}/3`).map((s) => s.id));
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(shardOf(catalogue, '2/3').map((s) => s.id)).toEqual(shards[1]);
    const base = tmp();
    for (const i of [1, 2]) {
      const run = await cli(['run', '--transport', 'memory', '--scenario', '6.*', '--shard', `${i}/2`, '--report', join(base, `s${i}`)]);
      expect(run.code).toBe(0);
    }
    const merged = await cli(['merge', join(base, 's1'), join(base, 's2'), '--out', join(base, 'all')]);
    expect(merged.code).toBe(0);
    expect(results(join(base, 'all')).map((r) => r.scenario.id).sort()).toEqual(
      catalogue.filter((s) => s.id.startsWith('6.')).map((s) => s.id).sort(),
    );
    expect((await cli(['run', '--shard', '3/2', '--report', tmp()])).code).toBe(2);
  });

  it('replays a report: the same scenario, client, transport and seed give the same verdict', async () => {
    const dir = join(tmp(), 'first');
    await cli(['run', '--transport', 'memory', '--scenario', '3.6', '--seed', '42', '--report', dir]);
    const again = join(tmp(), 'again');
    const run = await cli(['replay', dir, '--report', again]);
    expect(run.code).toBe(0);
    expect(results(again)).toEqual([expect.objectContaining({ scenario: expect.objectContaining({ id: '3.6' }), verdict: 'pass' })]);
    const first = readFileSync(join(dir, 'trace-3.6-reference.jsonl'), 'utf8').split('\n').map((l) => l.replace(/"wall":\d+/, ''));
    const second = readFileSync(join(again, 'trace-3.6-reference.jsonl'), 'utf8').split('\n').map((l) => l.replace(/"wall":\d+/, ''));
    expect(second).toEqual(first);
  });
});
