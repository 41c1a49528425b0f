/**
 * Shared by the tests of drivers for clients we did not write (issue 6): how to start each bundled
 * driver, where the Python venv is, and one scenario run judged by the oracle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { driverClient, type ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import type { TraceEvent } from '../../../src/protocol/index.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const strict = process.env.COMFY_CHAOS_STRICT === '1';

/** The venv's python (COMFY_CHAOS_PYTHON, else .tools/venv/bin/python), or why it cannot run the drivers. */
function findPython(): { python: string } | { missing: string } {
  const python = process.env.COMFY_CHAOS_PYTHON || join(repoRoot, '.tools/venv/bin/python');
  if (!existsSync(python)) return { missing: `no Python for the drivers at ${python}; run scripts/install-python-drivers.sh` };
  const check = spawnSync(python, ['-c', 'import websocket'], { encoding: 'utf8', timeout: 15_000 });
  if (check.status !== 0) {
    const why = (check.stderr || check.error?.message || '').trim().split('\n').at(-1);
    return { missing: `${python} cannot import websocket-client (${why}); run scripts/install-python-drivers.sh` };
  }
  return { python };
}
export const pythonForDrivers = findPython();

/**
 * The venv's python for a test; without it the test is skipped with the reason, or fails under
 * COMFY_CHAOS_STRICT=1 (CI), naming the script that installs it.
 */
export function requirePython(ctx: { skip(note?: string): never }): string {
  if ('python' in pythonForDrivers) return pythonForDrivers.python;
  if (strict) throw new Error(`COMFY_CHAOS_STRICT=1 and ${pythonForDrivers.missing}`);
  return ctx.skip(pythonForDrivers.missing);
}

export const pythonDriver = (python: string, file: 'naive_driver.py' | 'robust_driver.py') =>
  driverClient(`python ${file}`, { command: python, args: [join(repoRoot, 'clients/python', file)] }, { cwd: repoRoot });

export const nodeDriver = (name: string, file: string) => driverClient(name, { command: process.execPath, args: [join(repoRoot, file)] }, { cwd: repoRoot });

export interface Verdict {
  verdict: string;
  invariants: string[];
  messages: string[];
  trace: readonly TraceEvent[];
  /** What the client itself said (driver events and client errors), in order. */
  said: Array<Record<string, unknown>>;
}

/** Runs catalogue scenario `id` against `client` on the network transport (no Toxiproxy) and judges it. */
export async function verdictOf(client: ClientUnderTest, id: string): Promise<Verdict> {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, client, { transport: 'network', seed: 3, replay: `scenario ${id}` });
  return {
    verdict: result.verdict,
    invariants: result.findings.map((f) => f.invariant),
    messages: result.findings.map((f) => f.message),
    trace: result.trace,
    said: result.trace.flatMap((e) => (e.kind === 'client' ? [e.event as Record<string, unknown>] : [])),
  };
}
