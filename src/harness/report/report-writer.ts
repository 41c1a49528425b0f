import type { ScenarioResult } from '../result.ts';

/** One shard of a merged report, as `mergeReports` found it. */
export interface MergedShard {
  /** The shard's report directory, as given to `mergeReports`. */
  dir: string;
  run: string;
  command: string;
  startedAt: string;
  results: number;
}

/** What a report says about the run as a whole (written into results.json and every format). */
export interface ReportMeta {
  /** The run's name, usually the report directory's base name. */
  run: string;
  /** The run's seed; each result also carries its own. */
  seed: number;
  /** `mixed` only in a merged report whose shards used different transports. */
  transport: ScenarioResult['transport'] | 'mixed';
  /** When the run started, ISO 8601. */
  startedAt: string;
  /** The command line that made the run. */
  command: string;
  /** Set by `mergeReports`: the shard reports joined into this one, in the order given. */
  mergedFrom?: MergedShard[];
}

/** One file of a report: a name relative to the report directory and its text. */
export interface ReportFile {
  name: string;
  text: string;
}

/**
 * Renders one format of a report. Pure: it returns the files and `writeReport` writes them, so a
 * writer is tested without a file system and new formats are one file plus one map entry.
 */
export type ReportWriter = (results: readonly ScenarioResult[], meta: ReportMeta) => ReportFile[];
