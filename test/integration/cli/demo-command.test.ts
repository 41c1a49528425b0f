import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';

describe('comfy-chaos demo', () => {
  it('runs the demo catalogue against the reference client and writes a report', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cc-demo-')), 'report');
    const code = await main(['demo', '--report', dir, '--seed', '5']);
    process.exitCode = undefined;
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Array<{ verdict: string; scenario: { id: string } }>;
    expect(results.length).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => r.verdict !== 'pass')).toEqual([]);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/tests="\d+" failures="0"/);
    expect(readFileSync(join(dir, `trace-${results[0]!.scenario.id}-reference.jsonl`), 'utf8').split('\n').length).toBeGreaterThan(10);
  });

  it('rejects an unknown scenario id with exit 2', async () => {
    expect(await main(['demo', '--scenario', '99.9', '--report', join(tmpdir(), 'cc-unused')])).toBe(2);
  });
});
