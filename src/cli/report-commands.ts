import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { mergeReports, readReport } from '../harness/report/index.ts';
import { isRecordedTraceFile } from '../harness/record/import-recording.ts';
import { splitCommandLine } from '../harness/adapters/command-line.ts';
import { findScenarios } from '../scenarios/catalogue/index.ts';
import { loadScenarioFile, looksLikeScenarioFile } from '../scenarios/scenario-file.ts';
import { replayRecording } from './import-command.ts';
import { isRelayScenario } from '../scenarios/scenario.ts';
import { UsageError } from '../harness/usage-error.ts';
import { executePlan, exitCodeOf } from '../harness/run-plan.ts';
import { defaultFailOn, type Verdict } from '../harness/result.ts';

interface RunToReplay {
  scenario: string;
  client: string;
  transport: 'memory' | 'network';
  seed: number;
  verdict?: string;
  /** The scenario file the result's scenario came from (its replay line names it), when not the catalogue. */
  scenarioFile?: string;
  /** The relay profile file, when the relay came from one. */
  relayFile?: string;
  /** The ComfyUI profile the result ran on (absent: the scenario's own, else the baseline). */
  comfyui?: string;
  /** The node file the run's simulators knew (`run --nodes`). */
  nodesFile?: string;
}

/** What a result's replay line (`comfy-chaos run ... --scenario <file> --relay <file>`) says about files. */
export function filesOfReplay(replay: string | undefined): Pick<RunToReplay, 'scenarioFile' | 'relayFile' | 'nodesFile'> {
  if (!replay) return {};
  let words: string[];
  try {
    words = splitCommandLine(replay);
  } catch {
    return {};
  }
  const after = (flag: string) => {
    const i = words.indexOf(flag);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const scenario = after('--scenario');
  const relay = after('--relay');
  const nodes = after('--nodes');
  return {
    ...(nodes ? { nodesFile: nodes } : {}),
    ...(scenario && looksLikeScenarioFile(scenario) ? { scenarioFile: scenario } : {}),
    ...(relay && /\.(ya?ml|json)$/i.test(relay) ? { relayFile: relay } : {}),
  };
}

/**
 * The `--client` of a result's replay line: what runs the client again. A result names a
 * `--client name=command` client by its label only (issue 12), so its replay line is what counts.
 */
export function clientOfReplay(replay: string | undefined): string | undefined {
  if (!replay) return undefined;
  try {
    const words = splitCommandLine(replay);
    const i = words.indexOf('--client');
    return i >= 0 ? words[i + 1] : undefined;
  } catch {
    return undefined;
  }
}

/** The runner writes `run: scenario <id> <name>, client <c>, transport <t>, seed <n>, servers ...` as a note first. */
const RUN_NOTE = /^run: scenario (\S+) \S+, client (.+), transport (memory|network), seed (\d+), servers /;

function runsFromTraceFile(path: string): RunToReplay[] {
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes('"note"')) continue;
    const message = (JSON.parse(line) as { message?: string }).message ?? '';
    const match = RUN_NOTE.exec(message);
    if (match) return [{ scenario: match[1]!, client: match[2]!, transport: match[3] as 'memory' | 'network', seed: Number(match[4]) }];
  }
  throw new UsageError(`${path} has no "run:" note; give a trace written by comfy-chaos run, or its report directory`);
}

function runsFromReport(dir: string, only?: string[]): RunToReplay[] {
  let report;
  try {
    report = readReport(dir);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const all = report.results
    .filter((r) => r.verdict !== 'skipped')
    .map((r) => ({ scenario: r.scenario.id, client: clientOfReplay(r.replay) ?? r.client, transport: r.transport, seed: r.seed, verdict: r.verdict, ...filesOfReplay(r.replay), ...(r.comfyui ? { comfyui: r.comfyui } : {}) }));
  if (only) {
    const chosen = all.filter((r) => only.includes(r.scenario));
    if (!chosen.length) throw new UsageError(`no result for scenario ${only.join(', ')} in ${dir} (it has ${[...new Set(all.map((r) => r.scenario))].join(', ')})`);
    return chosen;
  }
  // The ones that failed the run (fail, harness-error), else all.
  const failed = all.filter((r) => defaultFailOn.includes(r.verdict as Verdict));
  return failed.length ? failed : all;
}

export function registerReportCommands(program: Command): void {
  program
    .command('replay')
    .description('Run exactly the same scenario, client, transport and seed again (the failing ones of a report by default); or replay recorded traffic (comfy-chaos record) against clients, with faults added')
    .argument('<source>', 'a report directory, one of its trace-*.jsonl files, or a recorded trace')
    .option('--scenario <id...>', 'only these scenario ids')
    .option('--report <dir>', 'where to write the new report [default reports/replay-<time>]')
    .option('--client <client...>', 'recorded traces: "reference" or a driver command line (repeat for several) [default reference]')
    .option('--fault <json>', 'recorded traces: add this fault (JSON), e.g. \'{"type":"terminate","at":{"on":"message","type":"executed"}}\' (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--faults <file>', 'recorded traces: add the faults of this YAML/JSON file (a list, or a scenario file)')
    .option('--transport <transport>', 'recorded traces: memory or network [default network]')
    .option('--seed <n>', 'recorded traces: seed of the simulator and clients [default 1]')
    .action(async (source: string, opts: { scenario?: string[]; report?: string; client?: string[]; fault: string[]; faults?: string; transport?: string; seed?: string }) => {
      if (!existsSync(source)) throw new UsageError(`${source} does not exist; give a report directory or a trace file`);
      if (!statSync(source).isDirectory() && isRecordedTraceFile(source)) {
        const transport = opts.transport ?? 'network';
        if (transport !== 'memory' && transport !== 'network') throw new UsageError(`--transport must be memory or network (got "${transport}")`);
        const seed = Number(opts.seed ?? '1');
        if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new UsageError(`--seed must be an integer from 0 to ${2 ** 32 - 1} (got "${opts.seed}")`);
        await replayRecording(source, { clients: opts.client ?? ['reference'], faults: opts.fault, faultsFile: opts.faults, transport, seed, report: opts.report });
        return;
      }
      if (opts.client || opts.fault.length || opts.faults || opts.transport || opts.seed) {
        throw new UsageError('--client, --fault, --faults, --transport and --seed are for recorded traces (comfy-chaos record); a run is replayed exactly as it ran');
      }
      const runs = statSync(source).isDirectory() ? runsFromReport(source, opts.scenario) : runsFromTraceFile(source);
      const reportDir = opts.report ?? join('reports', `replay-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      let failed = false;
      for (const [i, run] of runs.entries()) {
        let scenarios;
        try {
          // A scenario from a file is read from that file again (the catalogue has no such id).
          scenarios = run.scenarioFile ? loadScenarioFile(run.scenarioFile).filter((s) => s.id === run.scenario) : findScenarios([run.scenario]);
          if (!scenarios.length) throw new Error(`${run.scenarioFile} no longer has scenario ${run.scenario}`);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        // A relay scenario's client is a relay profile (by name): it runs as --relay.
        const relay = scenarios.every(isRelayScenario);
        const results = await executePlan({
          scenarios,
          clients: relay ? [] : [run.client],
          ...(relay ? { relays: [run.relayFile ?? run.client] } : {}),
          transport: run.transport,
          seed: run.seed,
          concurrency: 1,
          reportDir: runs.length > 1 ? join(reportDir, String(i + 1)) : reportDir,
          strict: process.env.COMFY_CHAOS_STRICT === '1',
          ...(run.comfyui ? { comfyui: [run.comfyui] } : {}),
          ...(run.nodesFile ? { nodes: run.nodesFile } : {}),
        });
        const now = results[0]?.verdict;
        if (run.verdict && now !== run.verdict) process.stdout.write(`note: ${run.scenario} was ${run.verdict}, now ${now}\n`);
        failed ||= exitCodeOf(results) === 1;
      }
      process.exitCode = failed ? 1 : 0;
    });

  program
    .command('merge')
    .description('Join the reports of several runs (e.g. CI shards) into one')
    .argument('<dirs...>', 'report directories')
    .requiredOption('--out <dir>', 'where to write the merged report')
    .action((dirs: string[], opts: { out: string }) => {
      let merged;
      try {
        merged = mergeReports(dirs, opts.out, { onWarning: (w) => process.stderr.write(`warning: ${w}\n`) });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      process.stdout.write(`merged ${merged.results} results from ${dirs.length} reports into ${opts.out}\n`);
    });
}
