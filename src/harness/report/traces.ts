import { traceToJsonLines } from '../../simulator/index.ts';
import { traceFileName } from './format.ts';
import type { ReportWriter } from './report-writer.ts';

/** `trace-<id>-<client>.jsonl` per result: the run's trace, one event a line, as recorded. */
export const traces: ReportWriter = (results) => results.map((r) => ({ name: traceFileName(r), text: traceToJsonLines(r.trace) }));
