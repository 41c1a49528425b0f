import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../../bin/comfy-chaos.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onLine` may stop it. Bounded by `maxMs`. */
function runCli(args: string[], onLine?: (line: string, kill: () => void) => void, maxMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) onLine?.(line, () => child.kill('SIGINT'));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('comfy-chaos serve', () => {
  it('prints its URL, serves a real client, writes the trace and stops cleanly on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-serve-'));
    const trace = join(dir, 'trace.jsonl');
    let status = 0;
    const run = await runCli(['serve', '--port', '0', '--seed', '3', '--trace', trace], (line, stop) => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (!url) return;
      void fetch(`${url}/api/prompt`)
        .then((res) => {
          status = res.status;
        })
        .finally(stop);
    });
    expect(run.code).toBe(0);
    expect(status).toBe(200);
    expect(run.stdout).toMatch(/simulator stopped/);
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.kind === 'http' && e.path === '/prompt' && e.status === 200)).toBe(true);
  });

  it('exits 2 with a message naming the bad option', async () => {
    const run = await runCli(['serve', '--port', 'eighty']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port must be an integer/);
  });

  it('exits 2 naming the path of a bad fault in a scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-serve-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'faults:\n  - type: terminate\n    at: { on: message }\n');
    const run = await runCli(['serve', '--port', '0', '--scenario', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml is invalid/);
    expect(run.stderr).toMatch(/faults\[0\]\.at\.type/);
  });
});
