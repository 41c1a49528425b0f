import { spawn } from 'node:child_process';

export interface ScriptResult {
  /** Exit code; `undefined` when the script was killed (by the timeout or a signal). */
  code: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `script` with `args`, collecting its output; after `timeoutMs` (ms) it is sent SIGTERM,
 * then SIGKILL 2 s later. Never rejects for a non-zero exit: the caller reads `code`.
 */
export function runScript(script: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? undefined, stdout, stderr, timedOut });
    });
  });
}

/** The last `count` non-empty lines of `text`, for error messages. */
export function tail(text: string, count = 15): string {
  return text.trim().split('\n').filter(Boolean).slice(-count).join('\n') || '(no output)';
}
