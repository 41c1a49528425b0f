import { basename, resolve } from 'node:path';
import type { ScenarioResult } from '../result.ts';
import { writeReport } from './write-report.ts';
import { readReport } from './read-report.ts';
import { ReportError } from './report-error.ts';
import type { ReportMeta } from './report-writer.ts';

export interface MergeOptions {
  /** The merged report's run name [default the base name of `outDir`]. */
  run?: string;
  /** The command recorded in the merged report [default `comfy-chaos merge <dirs>`]. */
  command?: string;
  /** Called with each warning as it is found [default: none; they are returned]. */
  onWarning?: (message: string) => void;
}

export interface MergeResult {
  /** Paths written into `outDir`. */
  written: string[];
  /** Overlapping (scenario, client) pairs and missing trace files, one line each. */
  warnings: string[];
  /** How many results the merged report holds. */
  results: number;
}

/**
 * Joins the reports of several runs (e.g. the shards of a CI matrix, `--shard i/n`) into one:
 * reads each directory's results.json and traces, and writes every format into `outDir`. When two
 * reports hold the same (scenario, client) pair, the later directory wins and a warning says so.
 * Throws `CC_ERR_REPORT_NO_RESULTS` naming a directory without results.json, before writing anything.
 */
export function mergeReports(dirs: readonly string[], outDir: string, options: MergeOptions = {}): MergeResult {
  if (!dirs.length) throw new ReportError('CC_ERR_REPORT_NOTHING_TO_MERGE', 'mergeReports needs at least one report directory');
  const reports = dirs.map((dir) => ({ dir, ...readReport(dir) }));
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const byPair = new Map<string, { result: ScenarioResult; dir: string }>();
  for (const report of reports) {
    report.warnings.forEach(warn);
    for (const result of report.results) {
      const key = `${result.scenario.id}\u0000${result.client}\u0000${result.comfyui ?? ''}`;
      const earlier = byPair.get(key);
      if (earlier) {
        warn(`${result.scenario.id} x ${result.client} is in both ${earlier.dir} (${earlier.result.verdict}) and ${report.dir} (${result.verdict}); keeping ${report.dir}, the later one`);
        // Delete first so the pair takes the later report's place in the order.
        byPair.delete(key);
      }
      byPair.set(key, { result, dir: report.dir });
    }
  }
  const results = [...byPair.values()].map((v) => v.result);
  const metas = reports.map((r) => r.meta);
  const transports = new Set(metas.map((m) => m.transport));
  const meta: ReportMeta = {
    run: options.run ?? basename(resolve(outDir)),
    seed: metas[0]!.seed,
    transport: transports.size === 1 ? metas[0]!.transport : 'mixed',
    startedAt: metas.map((m) => m.startedAt).sort()[0]!,
    command: options.command ?? `comfy-chaos merge ${dirs.join(' ')}`,
    mergedFrom: reports.map((r) => ({ dir: r.dir, run: r.meta.run, command: r.meta.command, startedAt: r.meta.startedAt, results: r.results.length })),
  };
  return { written: writeReport(outDir, results, meta), warnings, results: results.length };
}
