import { Command, CommanderError } from 'commander';
import { UsageError } from '../harness/usage-error.ts';
import { registerDriver } from './driver-command.ts';
import { registerFuzz } from './fuzz-command.ts';
import { registerImport } from './import-command.ts';
import { registerRecord } from './record-command.ts';
import { registerReportCommands } from './report-commands.ts';
import { registerRun } from './run-command.ts';
import { registerServe } from './serve-command.ts';

/** Exit codes: 0 ok, 1 a scenario failed, 2 a usage or environment error. */
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('comfy-chaos')
    .description('Protocol conformance and chaos test harness for ComfyUI clients')
    .exitOverride()
    .showHelpAfterError('(run comfy-chaos --help for usage)');
  registerRun(program);
  registerReportCommands(program);
  registerServe(program);
  registerDriver(program);
  registerFuzz(program);
  registerRecord(program);
  registerImport(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`comfy-chaos: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

export { UsageError };
