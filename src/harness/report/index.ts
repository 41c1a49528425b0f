/**
 * Reports of a run (design.md, "Reports"): one writer per format behind `reportWriters`, and the
 * readers that merge and replay them. This file only names the public surface.
 */
export { reportFormats, reportWriters, writeReport, type ReportFormat } from './write-report.ts';
export { mergeReports, type MergeOptions, type MergeResult } from './merge.ts';
export { readReport, type ReadReport } from './read-report.ts';
export { ReportError, type ReportErrorCode } from './report-error.ts';
export type { MergedShard, ReportFile, ReportMeta, ReportWriter } from './report-writer.ts';
export { RESULTS_FILE, storedResult, type ResultsFile, type StoredResult } from './results-json.ts';
export { htmlData, htmlEvent, timelineLanes, type HtmlData, type HtmlDataLimits, type HtmlEvent, type HtmlResult } from './html-data.ts';
export { html, htmlEscape, renderHtml, scriptJson } from './html.ts';
export {
  clip,
  compareScenarioIds,
  describeFinding,
  describeFindings,
  emptyRunCounts,
  failingFindings,
  failureTitle,
  formatSeqs,
  groupTitle,
  scenarioGroups,
  sortResults,
  traceFileName,
  verdictCounts,
} from './format.ts';
export { junit, xmlEscape } from './junit.ts';
export { resultsJson } from './results-json.ts';
export { summaryMd } from './summary-md.ts';
export { traces } from './traces.ts';
