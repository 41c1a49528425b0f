import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
