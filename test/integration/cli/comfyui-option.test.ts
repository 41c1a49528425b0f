import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-comfyui-'));
type Stored = { scenario: { id: string }; client: string; comfyui?: string; verdict: string; replay: string };
const results = (dir: string) => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { results: Stored[] }).results;

describe('comfy-chaos run --comfyui', () => {
  it('runs each scenario once per profile (all: every release; a front by name), a column each, with the profile in its replay line', async () => {
    const dir = join(tmp(), 'report');
    const run = await cli(['run', '--transport', 'memory', '--scenario', '2.2', '--comfyui', 'all', 'gateway-api-prefix', '--report', dir]);
    expect(run.code, run.err).toBe(0);
    const got = results(dir);
    expect(got.map((r) => [r.comfyui, r.verdict])).toEqual([
      ['0.3.44', 'pass'],
      ['0.3.64', 'pass'],
      ['current', 'pass'],
      ['gateway-api-prefix', 'pass'],
    ]);
    expect(got[0]!.replay).toMatch(/--comfyui 0\.3\.44$/);
    expect(run.out).toContain('[reference @ 0.3.44]');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(4);
  });

  it('exits 2 naming an unknown profile and listing the known ones', async () => {
    const run = await cli(['run', '--transport', 'memory', '--scenario', '2.2', '--comfyui', '0.2.0', '--report', tmp()]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/unknown ComfyUI profile "0\.2\.0" \(known: 0\.3\.44, 0\.3\.64, current, gateway-api-prefix, gateway-tls, or all for 0\.3\.44, 0\.3\.64, current\)/);
  });

  it("a scenario file's comfyui: picks the profile; an unknown one is a usage error naming it", async () => {
    const dir = tmp();
    const job = { id: 'j1', prompt: { '1': { class_type: 'SimSleep', inputs: { duration_ms: 200, steps: 2, value: 'x' } }, '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } } } };
    const good = join(dir, 'old.json');
    writeFileSync(good, JSON.stringify({ id: '9.1', name: 'on-old-comfyui', purpose: 'x', comfyui: '0.3.44', jobs: [job] }));
    const report = join(dir, 'report');
    const ok = await cli(['run', '--transport', 'memory', '--scenario', good, '--report', report]);
    expect(ok.code, ok.err).toBe(0);
    expect(results(report).map((r) => [r.comfyui, r.verdict])).toEqual([['0.3.44', 'pass']]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ id: '9.2', name: 'on-no-comfyui', purpose: 'x', comfyui: '9.9.9', jobs: [job] }));
    const refused = await cli(['run', '--transport', 'memory', '--scenario', bad, '--report', join(dir, 'r2')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/scenario 9\.2: unknown ComfyUI profile "9\.9\.9"/);
  });
});
