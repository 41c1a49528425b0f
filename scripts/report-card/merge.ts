/**
 * The report card's input: the main run's report directory and any extra ones (a run made
 * elsewhere, e.g. the official frontend's catalogue, reports/report-card-frontend*), merged in
 * memory into one list of results, with where each part came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readReport, type ReadReport } from '../../src/harness/report/read-report.ts';
import type { ScenarioResult } from '../../src/harness/result.ts';
import { baselineProfile } from '../../src/simulator/profiles/index.ts';

/** Written by scripts/report-card.sh into the report directory before the run: what was run. */
export const CHECKOUT_FILE = 'checkout.json';

const checkoutFile = z.object({
  commit: z.string().regex(/^[0-9a-f]{7,40}$/),
  subject: z.string(),
  committedAt: z.string(),
  /** Tracked files with uncommitted changes when the run started (others edit the same checkout). */
  modified: z.array(z.string()),
});
export type Checkout = z.infer<typeof checkoutFile>;

/** One report directory of the card: its run and, when recorded, the checkout it ran. */
export interface CardSource {
  dir: string;
  command: string;
  startedAt: string;
  seed: number;
  transport: string;
  results: number;
  checkout?: Checkout;
}

export interface CardInput {
  results: ScenarioResult[];
  /** The main run first, then the extras in the order given. */
  sources: CardSource[];
  warnings: string[];
}

/** The profile a result ran on; results written before profiles existed ran on the baseline. */
export const profileOf = (r: Pick<ScenarioResult, 'comfyui'>): string => r.comfyui ?? baselineProfile.name;

/**
 * Merges reports already read (the main run first). A (scenario, client, profile) that two reports
 * hold is taken from the later one, in the earlier one's place, and a warning names both: an extra
 * report is there to add to or replace what the main run has.
 */
export function mergeCardReports(reports: ReadonlyArray<{ dir: string; report: ReadReport; checkout?: Checkout }>): CardInput {
  if (!reports.length) throw new Error('report-card: no report directory to read');
  const warnings: string[] = [];
  const byKey = new Map<string, { result: ScenarioResult; dir: string }>();
  for (const { dir, report } of reports) {
    warnings.push(...report.warnings);
    for (const result of report.results) {
      const key = `${result.scenario.id}\u0000${result.client}\u0000${profileOf(result)}`;
      const earlier = byKey.get(key);
      if (earlier) {
        warnings.push(
          `${result.scenario.id} x ${result.client} on ${profileOf(result)} is in ${earlier.dir} (${earlier.result.verdict}) and in ${dir} (${result.verdict}); the card keeps ${dir}`,
        );
      }
      byKey.set(key, { result, dir });
    }
  }
  const sources = reports.map(({ dir, report, checkout }): CardSource => ({
    dir,
    command: report.meta.command,
    startedAt: report.meta.startedAt,
    seed: report.meta.seed,
    transport: report.meta.transport,
    results: report.results.length,
    ...(checkout ? { checkout } : {}),
  }));
  return { results: [...byKey.values()].map((v) => v.result), sources, warnings };
}

/** Reads checkout.json of a report directory; undefined when there is none (a run not made by report-card.sh). */
export function readCheckout(dir: string): Checkout | undefined {
  const path = join(dir, CHECKOUT_FILE);
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`report-card: ${path} is not JSON (${(error as Error).message}); scripts/report-card.sh writes it before a run`);
  }
  const parsed = checkoutFile.safeParse(value);
  if (!parsed.success) throw new Error(`report-card: ${path} is not a checkout record: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

/** Reads the main report directory and the extras (each must hold a results.json) and merges them. */
export function readCardInput(dirs: readonly string[]): CardInput {
  return mergeCardReports(dirs.map((dir) => ({ dir, report: readReport(dir), checkout: readCheckout(dir) })));
}
