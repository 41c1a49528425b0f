import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// SIGTERM (kill) and SIGHUP (a closed terminal) stop the long-running commands as Ctrl-C does,
// and take their children with them: the driver process (in its own process group, which a
// signal to comfy-chaos alone never reaches) must be gone too. Real processes, bounded waits.
const BIN = new URL('../../../bin/comfy-chaos.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cc-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A driver that says ready, writes its pid where the test reads it, and never reports a job. */
function stuckDriver(name: string): { command: string; pidFile: string } {
  const pidFile = join(dir, `${name}.pid`);
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconsole.log(JSON.stringify({ type: 'ready' }));\nprocess.stdin.resume();\nsetInterval(() => {}, 1000);\n`);
  return { command: `${process.execPath} ${file}`, pidFile };
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function start(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COMFY_CHAOS_STRICT: '' } });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exit };
}

async function stoppedWithin(exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, child: ChildProcess, ms: number) {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const result = await exit;
  clearTimeout(timer);
  return result;
}

describe('signals stop comfy-chaos and its children', () => {
  for (const [command, signal] of [['run', 'SIGTERM'], ['fuzz', 'SIGHUP']] as const) {
    it(`${signal} stops ${command} with exit 128+n and kills the driver process it started`, async () => {
      const driver = stuckDriver(`${command}-${signal}`);
      const args =
        command === 'run'
          ? ['run', '--client', driver.command, '--scenario', '6.1', '--transport', 'network', '--report', join(dir, `report-${signal}`)]
          : ['fuzz', '--client', driver.command, '--transport', 'network', '--runs', '2', '--out', join(dir, `fuzz-${signal}`)];
      const run = start(args);
      const pid = await until('the driver to start', 60_000, () => (existsSync(driver.pidFile) ? Number(readFileSync(driver.pidFile, 'utf8')) : undefined));
      expect(alive(pid)).toBe(true);
      run.child.kill(signal);
      const result = await stoppedWithin(run.exit, run.child, 20_000);
      expect(result, run.output()).toEqual({ code: 128 + constants.signals[signal], signal: null });
      expect(run.output()).toContain(`comfy-chaos: ${signal}, stopping`);
      await until('the driver process to be gone', 10_000, () => (alive(pid) ? undefined : true));
    }, 120_000);
  }

  it('SIGHUP stops serve the way Ctrl-C does: the server closes and says so, exit 0', async () => {
    const serve = start(['serve', '--port', '0']);
    const url = await until('the listening line', 60_000, () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1]);
    expect((await fetch(`${url}/queue`)).status).toBe(200);
    serve.child.kill('SIGHUP');
    const result = await stoppedWithin(serve.exit, serve.child, 20_000);
    expect(result).toEqual({ code: 0, signal: null });
    expect(serve.output()).toContain('comfy-chaos simulator stopped');
    await expect(fetch(`${url}/queue`)).rejects.toThrow();
  }, 90_000);
});
