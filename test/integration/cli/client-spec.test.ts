import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-client-spec-'));

describe('--client that cannot start at all (issue 12, point 9)', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['a program not on PATH', 'comfy-chaos-no-such-driver --flag', /"comfy-chaos-no-such-driver" was not found on PATH; give its path/],
    ['a path that does not exist', './no/such/driver.py', /"\.\/no\/such\/driver\.py" does not exist/],
    ['a directory', '/tmp', /"\/tmp" is a directory, not a program/],
    ['shell syntax', 'python3 driver.py | tee log', /uses shell syntax "\|"/],
  ])('is exit 2 before any scenario runs: %s', async (_what, command, message) => {
    const report = join(tmp(), 'report');
    const run = await cli(['run', '--transport', 'network', '--client', command, '--scenario', '2.3', '6.1', '--report', report]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.out).not.toMatch(/2\.3|6\.1/); // no scenario line was printed
    expect(existsSync(report)).toBe(false);
  });

  it('names a file that is not executable and how to run it', async () => {
    const file = join(tmp(), 'driver.py');
    writeFileSync(file, 'print("hi")\n');
    const run = await cli(['run', '--transport', 'network', '--client', file, '--scenario', '2.3', '--report', join(tmp(), 'r')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`"${file}" is not executable: chmod +x it, or name its interpreter first (e.g. "node ${file}", "python3 ${file}")`);
  });
});

describe('--client name=command (issue 12)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('labels a driver or the reference client, keeping the whole argument as its spec', async () => {
    const { clientFromSpec } = await import('../../../src/harness/client-spec.ts');
    expect(clientFromSpec('mini=node clients/examples/minimal-driver.mjs')).toMatchObject({ name: 'mini', spec: 'mini=node clients/examples/minimal-driver.mjs', transports: ['network'] });
    expect(clientFromSpec('ref=reference')).toMatchObject({ name: 'ref', spec: 'ref=reference', transports: ['memory', 'network'] });
    expect(clientFromSpec('bug=reference:bom-not-stripped')).toMatchObject({ name: 'bug' });
    expect(clientFromSpec('node clients/examples/minimal-driver.mjs')).toMatchObject({ name: 'node clients/examples/minimal-driver.mjs' });
    expect(() => clientFromSpec('mini=')).toThrow(/nothing after "mini=": give a command/);
    expect(() => clientFromSpec('mini=no-such-driver-anywhere')).toThrow(/"no-such-driver-anywhere" was not found on PATH/);
  });

  it('reports under the label, and the replay command (printed and from the report) runs as printed', async () => {
    const report = join(tmp(), 'report');
    const run = await cli(['run', '--transport', 'memory', '--client', 'ref=reference', '--scenario', '2.3', '--report', report]);
    expect(run.code).toBe(0);
    const { results } = JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: Array<{ client: string; replay: string }> };
    expect(results.map((r) => r.client)).toEqual(['ref']);
    expect(results[0]!.replay).toBe('comfy-chaos run --client ref=reference --scenario 2.3 --transport memory --seed 1');
    expect(existsSync(join(report, 'trace-2.3-ref.jsonl'))).toBe(true);
    const again = await cli(['replay', report, '--report', join(tmp(), 'again')]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/2\.3 .*\[ref\]/);
  });

  it('refuses two clients with one name', async () => {
    const run = await cli(['run', '--transport', 'memory', '--client', 'x=reference', '--client', 'x=reference:bom-not-stripped', '--scenario', '2.3', '--report', join(tmp(), 'r')]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/two clients are named "x"/);
  });
});
