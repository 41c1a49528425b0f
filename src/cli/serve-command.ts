import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { faultSchedule } from '../protocol/index.ts';
import type { FaultInput } from '../protocol/index.ts';
import { Simulator } from '../simulator/index.ts';
import { UsageError } from '../harness/usage-error.ts';

/** What `serve --scenario` reads: a scenario file's `faults` (other keys are the harness's). */
const serveScenarioFile = z.looseObject({ faults: faultSchedule.default([]) });

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
    return n;
  };
}

export function loadFaultsFromScenarioFile(path: string): FaultInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`scenario file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = serveScenarioFile.safeParse(value);
  if (!parsed.success) throw new UsageError(`scenario file ${path} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data.faults;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the ComfyUI simulator standalone, so any client can be pointed at it')
    .option('--host <host>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 picks a free one', intOption('port', 0, 65535), 8188)
    .option('--scenario <file>', 'a scenario file (YAML or JSON) whose faults the simulator applies')
    .option('--seed <n>', 'seed for prompt ids and sids', intOption('seed', 0, 2 ** 32 - 1), 1)
    .option('--trace <file>', 'write the trace (JSON lines) to this file')
    .option('--previews', 'send a JPEG preview per sampler step', false)
    .action(async (opts: { host: string; port: number; scenario?: string; seed: number; trace?: string; previews: boolean }) => {
      const faults = opts.scenario ? loadFaultsFromScenarioFile(opts.scenario) : [];
      // A long-running server keeps no trace in memory; --trace streams it to a file instead.
      const sim = new Simulator({ seed: opts.seed, faults, traceFile: opts.trace, previews: opts.previews, keepTrace: false });
      let server;
      try {
        server = await sim.listen({ host: opts.host, port: opts.port });
      } catch (error) {
        throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message} (try another --port, or 0)`);
      }
      process.stdout.write(`comfy-chaos simulator listening on ${server.url} (ws: ${server.url.replace('http', 'ws')}/ws)\n`);
      if (faults.length) process.stdout.write(`faults: ${faults.length} from ${opts.scenario}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        // Ctrl-C, `kill` and a closed terminal all stop the server the same way.
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
      });
      await sim.close();
      process.stdout.write('comfy-chaos simulator stopped\n');
    });
}
