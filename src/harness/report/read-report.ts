import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { traceEvent, type TraceEvent } from '../../protocol/index.ts';
import { verdictNames, type ScenarioResult } from '../result.ts';
import { invariantName } from '../../scenarios/scenario.ts';
import { ReportError } from './report-error.ts';
import type { ReportMeta } from './report-writer.ts';
import { RESULTS_FILE } from './results-json.ts';

const counts = z.object({
  acknowledged: z.number(),
  completedOnServer: z.number(),
  reported: z.number(),
  lost: z.number(),
  duplicated: z.number(),
  phantom: z.number(),
  recovered: z.number(),
});

const storedResult = z.object({
  scenario: z.object({ id: z.string(), name: z.string(), purpose: z.string(), cites: z.string().optional() }),
  client: z.string(),
  comfyui: z.string().optional(),
  transport: z.enum(['memory', 'network']),
  seed: z.number(),
  verdict: z.enum(verdictNames),
  reason: z.string().optional(),
  findings: z.array(
    z.object({
      invariant: invariantName,
      job: z.string().optional(),
      message: z.string(),
      evidence: z.array(z.number()),
      informational: z.boolean().optional(),
      cause: z.string().optional(),
    }),
  ),
  counts,
  harnessError: z.object({ where: z.string(), message: z.string(), stack: z.string().optional(), seq: z.number().optional() }).optional(),
  unfired: z.array(z.object({ fault: z.string(), faultType: z.string(), why: z.string(), firedAt: z.number().optional() })).optional(),
  runMs: z.number(),
  wallMs: z.number(),
  replay: z.string(),
  traceFile: z.string(),
});

const shard = z.object({ dir: z.string(), run: z.string(), command: z.string(), startedAt: z.string(), results: z.number() });

/** results.json as `resultsJson` writes it (the parts a reader needs). */
const resultsFile = z.object({
  format: z.literal('comfy-chaos-results'),
  version: z.literal(1),
  meta: z.object({
    run: z.string(),
    seed: z.number(),
    transport: z.enum(['memory', 'network', 'mixed']),
    startedAt: z.string(),
    command: z.string(),
    mergedFrom: z.array(shard).optional(),
  }),
  results: z.array(storedResult),
});

/** A report read back: its meta, its results with their traces, and what was missing. */
export interface ReadReport {
  meta: ReportMeta;
  results: ScenarioResult[];
  /** Problems that did not stop the read (a missing trace file is read as an empty trace). */
  warnings: string[];
}

function parseJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReportError('CC_ERR_REPORT_INVALID', `${path} is not JSON (${(error as Error).message}); was it written by comfy-chaos?`, { cause: error });
  }
}

function readTrace(path: string): TraceEvent[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const events: TraceEvent[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ReportError('CC_ERR_REPORT_INVALID', `${path}:${i + 1} is not a JSON line (${(error as Error).message})`, { cause: error });
    }
    const parsed = traceEvent.safeParse(value);
    if (!parsed.success) {
      throw new ReportError('CC_ERR_REPORT_INVALID', `${path}:${i + 1} is not a trace event: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
    }
    events.push(parsed.data);
  }
  return events;
}

/**
 * Reads a report directory (results.json and its trace files) back into results, e.g. to merge
 * shards or to replay. Throws `CC_ERR_REPORT_NO_RESULTS` naming a directory without results.json.
 */
export function readReport(dir: string): ReadReport {
  const path = join(dir, RESULTS_FILE);
  if (!existsSync(path)) {
    const why = existsSync(dir) ? 'has no results.json' : 'does not exist';
    throw new ReportError('CC_ERR_REPORT_NO_RESULTS', `report directory ${dir} ${why}; give the --report directory of a comfy-chaos run`);
  }
  const parsed = resultsFile.safeParse(parseJson(path));
  if (!parsed.success) {
    throw new ReportError('CC_ERR_REPORT_INVALID', `${path} is not a comfy-chaos results file: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  const warnings: string[] = [];
  const results = parsed.data.results.map(({ traceFile, ...stored }): ScenarioResult => {
    const tracePath = join(dir, traceFile);
    if (!existsSync(tracePath)) warnings.push(`${tracePath} is missing: ${stored.scenario.id} x ${stored.client} is kept without its trace`);
    return { ...stored, trace: existsSync(tracePath) ? readTrace(tracePath) : [] };
  });
  return { meta: parsed.data.meta, results, warnings };
}
