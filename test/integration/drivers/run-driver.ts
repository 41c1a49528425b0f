/**
 * Runs one job through a driver process against the simulator on the network transport, and
 * keeps what the driver said, what went wrong with it, and the server's ground truth.
 */
import { fileURLToPath } from 'node:url';
import type { ApiPrompt, DriverEvent, FaultInput } from '../../../src/protocol/index.ts';
import type { ClientExit, ClientProblem } from '../../../src/harness/adapters/client-under-test.ts';
import { DriverProcess, type DriverCommandLine } from '../../../src/harness/adapters/driver-process.ts';
import { Simulator } from '../../../src/simulator/index.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const naiveDrivers = {
  'no-reconnect': 'node clients/naive/no-reconnect.mjs',
  'reconnect-no-resync': 'node clients/naive/reconnect-no-resync.mjs',
  'strict-json': 'node clients/naive/strict-json.mjs',
} as const;
export const referenceDriver = 'node bin/comfy-chaos.js driver reference';

export interface DriverRun {
  events: DriverEvent[];
  problems: ClientProblem[];
  exit: ClientExit;
  sim: Simulator;
  /** Prompt ids the server finished with success (ground truth). */
  succeededOnServer: string[];
  /** Connections the server accepted, by clientId. */
  connectsByClient: Map<string, number>;
  /** The terminal event (`completed` or `failed`) of the job, if the driver reported one. */
  outcome: DriverEvent | undefined;
}

/**
 * Submits `prompt` as job `job-1` and waits until the driver reports its end, the driver dies, or
 * the server finished it `graceMs` ago without a word from the driver (a lost completion); at
 * most `maxMs` in all. Then shuts the driver down.
 */
export async function runOneJob(
  command: DriverCommandLine,
  prompt: ApiPrompt,
  options: { faults?: FaultInput[]; graceMs?: number; maxMs?: number } = {},
): Promise<DriverRun> {
  const sim = new Simulator({ seed: 7, faults: options.faults ?? [] });
  const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
  const events: DriverEvent[] = [];
  const problems: ClientProblem[] = [];
  const driver = new DriverProcess({ command, comfyUrl: url, seed: 7, cwd: repoRoot });
  driver.onEvent((e) => events.push(e));
  driver.onProblem((p) => problems.push(p));
  const succeeded = () => sim.trace.flatMap((e) => (e.kind === 'prompt' && e.event === 'success' ? [e.promptId] : []));
  const ended = () => events.find((e) => (e.type === 'completed' || e.type === 'failed') && e.id === 'job-1');
  try {
    await driver.start();
    driver.submit('job-1', prompt, 'main');
    const graceMs = options.graceMs ?? 1_500;
    const deadline = Date.now() + (options.maxMs ?? 15_000);
    let serverDoneAt: number | undefined;
    while (Date.now() < deadline && !ended() && !driver.hasExited) {
      if (serverDoneAt === undefined && succeeded().length > 0) serverDoneAt = Date.now();
      if (serverDoneAt !== undefined && Date.now() - serverDoneAt > graceMs) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const exit = await driver.shutdown();
    const connectsByClient = new Map<string, number>();
    for (const e of sim.trace) {
      if (e.kind === 'ws_connect' && e.clientId) connectsByClient.set(e.clientId, (connectsByClient.get(e.clientId) ?? 0) + 1);
    }
    return { events, problems, exit, sim, succeededOnServer: succeeded(), connectsByClient, outcome: ended() };
  } finally {
    driver.dispose();
    await sim.close();
  }
}
