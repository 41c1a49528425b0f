import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '../../../bin/comfy-chaos.js');

/** The plain URL `serve` prints, once its line is whole. */
const plainUrl = (stdout: string): string | undefined => {
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(stdout)?.[1];
  return url && stdout.includes('\n', stdout.indexOf(url)) ? url : undefined;
};

/**
 * Runs `serve` until `onUrl` is done with what `ready` reads from its output (by default the plain
 * URL it prints), then Ctrl-C; bounded by `maxMs`.
 */
export function serve<T = string>(
  args: string[],
  onUrl: (found: T) => Promise<void>,
  maxMs = 20_000,
  ready: (stdout: string) => T | undefined = plainUrl as (stdout: string) => T | undefined,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let seen = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = seen ? undefined : ready(stdout);
      if (found !== undefined) {
        seen = true;
        void onUrl(found).finally(() => child.kill('SIGINT'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
