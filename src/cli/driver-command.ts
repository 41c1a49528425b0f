import type { Command } from 'commander';
import { runReferenceDriver } from '../reference-client/driver.ts';
import { UsageError } from '../harness/usage-error.ts';

/** Drivers bundled with comfy-chaos, by name. */
const drivers: Record<string, () => Promise<number>> = {
  reference: () => runReferenceDriver({ input: process.stdin, output: process.stdout, env: process.env }),
};

export function registerDriver(program: Command): void {
  program
    .command('driver')
    .description('Run a bundled client as a driver process: driver commands as JSON lines on stdin, events on stdout (COMFY_URL names the server)')
    .argument('<name>', `the driver to run (${Object.keys(drivers).join(', ')})`)
    .action(async (name: string) => {
      const run = drivers[name];
      if (!run) throw new UsageError(`unknown driver "${name}" (bundled: ${Object.keys(drivers).join(', ')})`);
      process.exitCode = await run();
    });
}
