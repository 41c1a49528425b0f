import type { ScenarioResult, Verdict } from '../result.ts';
import { sortResults, traceFileName, verdictCounts } from './format.ts';
import type { ReportMeta, ReportWriter } from './report-writer.ts';

/** A result as results.json stores it: everything but the trace, which lives in `traceFile`. */
export interface StoredResult extends Omit<ScenarioResult, 'trace'> {
  /** The trace's JSON lines, relative to the report directory. */
  traceFile: string;
  /** How many lines the trace has. */
  traceEvents: number;
}

/** The whole of results.json. */
export interface ResultsFile {
  format: 'comfy-chaos-results';
  version: 1;
  meta: ReportMeta;
  verdicts: Record<Verdict, number>;
  results: StoredResult[];
}

export const RESULTS_FILE = 'results.json';

/** The stored form of a result; fields are picked, so extras a runner carries stay out of the file. */
export function storedResult(r: ScenarioResult): StoredResult {
  return {
    scenario: { id: r.scenario.id, name: r.scenario.name, purpose: r.scenario.purpose, ...(r.scenario.cites ? { cites: r.scenario.cites } : {}) },
    client: r.client,
    ...(r.comfyui !== undefined ? { comfyui: r.comfyui } : {}),
    transport: r.transport,
    seed: r.seed,
    verdict: r.verdict,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    findings: r.findings,
    counts: r.counts,
    ...(r.harnessError ? { harnessError: r.harnessError } : {}),
    ...(r.unfired?.length ? { unfired: r.unfired } : {}),
    runMs: r.runMs,
    wallMs: r.wallMs,
    replay: r.replay,
    traceFile: traceFileName(r),
    traceEvents: r.trace.length,
  };
}

/** results.json: the run's meta, verdict counts and every result without its trace. */
export const resultsJson: ReportWriter = (results, meta) => {
  const file: ResultsFile = {
    format: 'comfy-chaos-results',
    version: 1,
    meta,
    verdicts: verdictCounts(results),
    results: sortResults(results).map(storedResult),
  };
  return [{ name: RESULTS_FILE, text: `${JSON.stringify(file, null, 2)}\n` }];
};
