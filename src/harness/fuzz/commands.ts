import type { Transport } from '../runner.ts';

/** The name of the shrunk scenario file in a fuzz run's output directory. */
export const SHRUNK_SCENARIO_FILE = 'shrunk-scenario.yaml';

/** Quotes an argument for a POSIX shell when it needs it (as the CLI's replay lines do). */
export function shellArg(arg: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `comfy-chaos run` of a shrunk scenario file: the same scenario, client, transport and run seed. */
export function runCommand(o: { clientSpec: string; scenarioFile: string; transport: Transport; runSeed: number }): string {
  return `comfy-chaos run --client ${shellArg(o.clientSpec)} --scenario ${shellArg(o.scenarioFile)} --transport ${o.transport} --seed ${o.runSeed}`;
}

/** `comfy-chaos fuzz` that replays one counterexample exactly: fast-check's `{ seed, path }`. */
export function fuzzCommand(o: { clientSpec: string; transport: Transport; seed: number; path: string }): string {
  return `comfy-chaos fuzz --client ${shellArg(o.clientSpec)} --transport ${o.transport} --seed ${o.seed} --path ${shellArg(o.path)}`;
}
