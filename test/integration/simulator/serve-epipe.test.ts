import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11: `comfy-chaos serve | head -1` died of an unhandled EPIPE once `head` had gone. Now the
 * simulator goes on serving with its output dropped, and stops cleanly on SIGTERM, whose
 * "stopped" line also meets the closed pipe.
 */
describe('serve with a stdout whose reader has gone', () => {
  it('keeps serving, and stops on SIGTERM with exit 0 and nothing on stderr', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-epipe-'));
    const scenario = join(dir, 'faults.yaml');
    // A fault makes serve print a second line, which meets the closed pipe.
    writeFileSync(scenario, 'faults:\n  - { type: terminate, at: { on: message, type: executed } }\n');
    const bin = join(import.meta.dirname, '../../../bin/comfy-chaos.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--scenario', scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
        child.stdout.once('data', (chunk: Buffer) => {
          clearTimeout(timer);
          child.stdout.destroy(); // what `head -1` does after its line
          resolve(/http:\/\/[0-9.:]+/.exec(chunk.toString())![0]);
        });
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode).toBeNull();
      expect((await fetch(`${url}/queue`)).status).toBe(200);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
