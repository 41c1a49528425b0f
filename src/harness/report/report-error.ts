/**
 * Error codes of the report layer. Code for programs, message for people: each message names the
 * directory or file at fault and what to do.
 */
export type ReportErrorCode =
  /** A directory given to `mergeReports` or `readReport` has no results.json. */
  | 'CC_ERR_REPORT_NO_RESULTS'
  /** results.json or a trace file is not what comfy-chaos writes (bad JSON, wrong shape). */
  | 'CC_ERR_REPORT_INVALID'
  /** `mergeReports` was called without any directory. */
  | 'CC_ERR_REPORT_NOTHING_TO_MERGE';

export class ReportError extends Error {
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}
