import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { fault, faultSchedule, type Fault } from '../protocol/index.ts';
import { importRecording, scenarioToYaml, type ImportedRecording } from '../harness/record/import-recording.ts';
import { explainImport } from '../harness/record/explain-import.ts';
import { scenario as scenarioSchema } from '../scenarios/scenario.ts';
import { parseYamlStrictly, readPlainFile } from '../scenarios/plain-file.ts';
import { shellQuote } from '../harness/client-spec.ts';
import { UsageError } from '../harness/usage-error.ts';
import { executePlan, exitCodeOf } from '../harness/run-plan.ts';

function importOrExplain(path: string, options: { id?: string; name?: string } = {}): ImportedRecording {
  try {
    return importRecording(path, options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function printWarnings(imported: ImportedRecording): void {
  for (const w of imported.warnings) process.stderr.write(`warning: ${w}\n`);
}

/** `--fault <json>`: one fault as JSON (or YAML flow: `{type: terminate, at: {on: message, type: executed}}`). */
export function parseFaultOption(text: string): Fault {
  let value: unknown;
  try {
    value = parseYamlStrictly(text);
  } catch (error) {
    throw new UsageError(`--fault must be one fault as JSON, e.g. '{"type":"terminate","at":{"on":"message","type":"executed"}}' (${(error as Error).message})`);
  }
  const parsed = fault.safeParse(value);
  if (!parsed.success) throw new UsageError(`--fault ${text} is not a valid fault:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** `--faults <file>`: YAML or JSON holding a list of faults, or `{ faults: [...] }` (a scenario file works). */
export function loadFaultsFile(path: string): Fault[] {
  let value: unknown;
  try {
    value = parseYamlStrictly(readPlainFile(path));
  } catch (error) {
    throw new UsageError(`--faults ${path}: ${(error as Error).message}`);
  }
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) && 'faults' in value ? (value as { faults: unknown }).faults : value;
  const parsed = faultSchedule.safeParse(list);
  if (!parsed.success) throw new UsageError(`--faults ${path} is not a fault schedule:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface RecordingReplayOptions {
  clients: string[];
  faults: string[];
  faultsFile?: string;
  transport: 'memory' | 'network';
  seed: number;
  report?: string;
}

/**
 * `comfy-chaos replay <recording>`: imports the recording, adds the faults, and runs the scenario
 * against each client like `run` does (same report). Exit code 1 when a client failed.
 */
export async function replayRecording(path: string, opts: RecordingReplayOptions): Promise<void> {
  const imported = importOrExplain(path);
  printWarnings(imported);
  const added = [...opts.faults.map(parseFaultOption), ...(opts.faultsFile ? loadFaultsFile(opts.faultsFile) : [])];
  const scenario = scenarioSchema.parse({ ...imported.input, faults: [...(imported.input.faults ?? []), ...added] });
  const reportDir = opts.report ?? join('reports', `replay-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const scripted = scenario.script?.length ?? 0;
  process.stdout.write(`replaying ${path}: ${scenario.jobs.length} job(s), ${scripted} with the recorded frames, ${added.length} fault(s) added\n`);
  const results = await executePlan({
    scenarios: [scenario],
    clients: opts.clients,
    transport: opts.transport,
    seed: opts.seed,
    concurrency: 4,
    reportDir,
    strict: process.env.COMFY_CHAOS_STRICT === '1',
  });
  // The report's replay lines name a catalogue id; keep the imported scenario beside them so they can be re-run.
  writeFileSync(join(reportDir, 'scenario.yaml'), scenarioToYaml({ ...imported.input, faults: scenario.faults }, imported));
  const again = [
    'comfy-chaos replay',
    shellQuote(path),
    ...opts.clients.flatMap((c) => ['--client', shellQuote(c)]),
    ...opts.faults.flatMap((f) => ['--fault', shellQuote(f)]),
    ...(opts.faultsFile ? ['--faults', shellQuote(opts.faultsFile)] : []),
    '--transport',
    opts.transport,
    '--seed',
    String(opts.seed),
  ].join(' ');
  process.stdout.write(`replay: ${again}\n(the scenario is in ${join(reportDir, 'scenario.yaml')})\n`);
  process.exitCode = exitCodeOf(results);
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Turn a recorded trace (comfy-chaos record) into a scenario file: the workload with its timing and the real server frames')
    .argument('<trace>', 'a trace written by comfy-chaos record (or comfy-chaos serve --trace)')
    .option('--out <file>', 'the scenario file to write (.yaml or .json); default: print YAML')
    .option('--id <id>', 'the scenario id ("<group>.<number>")', '9.1')
    .option('--name <name>', 'the scenario name (kebab-case) [default replay-<trace file name>]')
    .option('--explain', 'print the reconstructed timeline of each prompt and each inferred fault with its evidence (with --out, the scenario is written too)')
    .action((trace: string, opts: { out?: string; id: string; name?: string; explain?: boolean }) => {
      const imported = importOrExplain(trace, { id: opts.id, name: opts.name });
      printWarnings(imported);
      if (opts.explain) {
        process.stdout.write(explainImport(imported));
        if (!opts.out) return;
      }
      const text = opts.out && /\.json$/i.test(opts.out) ? JSON.stringify(imported.input, null, 2) + '\n' : scenarioToYaml(imported.input, imported);
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(opts.out, text);
      const s = imported.scenario;
      const frames = (s.script ?? []).reduce((n, p) => n + p.frames.length, 0);
      process.stdout.write(
        `wrote scenario ${s.id} ${s.name} to ${opts.out}: ${s.jobs.length} job(s), ${s.script?.length ?? 0} scripted prompt(s), ${frames} frames, ${s.faults.length} fault(s) from the recording${s.comfyui ? `, ComfyUI ${s.comfyui}` : ''}\n` +
          `run it: comfy-chaos run --scenario ${shellQuote(opts.out)} --client reference\n`,
      );
    });
}
