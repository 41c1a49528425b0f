import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../result.ts';
import { html } from './html.ts';
import { junit } from './junit.ts';
import type { ReportMeta, ReportWriter } from './report-writer.ts';
import { resultsJson } from './results-json.ts';
import { summaryMd } from './summary-md.ts';
import { traces } from './traces.ts';

/** Every report format by name; `writeReport` writes them all unless told otherwise. */
export const reportWriters = {
  traces,
  json: resultsJson,
  junit,
  summary: summaryMd,
  html,
} satisfies Record<string, ReportWriter>;
export type ReportFormat = keyof typeof reportWriters;
export const reportFormats = Object.keys(reportWriters) as ReportFormat[];

/**
 * Writes a run's report into `dir` (created if missing): the traces, results.json, junit.xml,
 * summary.md and index.html. Returns the paths written, in that order.
 *
 * @param formats which writers of `reportWriters` to run [default all]
 */
export function writeReport(dir: string, results: readonly ScenarioResult[], meta: ReportMeta, formats: readonly ReportFormat[] = reportFormats): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const format of formats) {
    for (const file of reportWriters[format](results, meta)) {
      const path = join(dir, file.name);
      writeFileSync(path, file.text);
      written.push(path);
    }
  }
  return written;
}

