import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { seededRandom } from '../src/reference-client/seeded-random.ts';

/** Shared plumbing of the benches: where reports go, medians, a forced gc, memory snapshots. */

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const reportDir = join(projectRoot, 'reports', 'bench');

/** Writes `reports/bench/<name>.json` and returns its path. */
export function writeReport(name: string, report: unknown): string {
  mkdirSync(reportDir, { recursive: true });
  const file = join(reportDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A full gc, whether or not node was started with `--expose-gc` (run-all passes it; a bench
 * started by hand falls back to enabling the flag at run time, which V8 allows for `gc` only).
 */
export const gcKind: 'expose-gc' | 'runtime-flag' | 'none' = (() => {
  if (typeof globalThis.gc === 'function') return 'expose-gc';
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') {
      (globalThis as { gc?: unknown }).gc = gc;
      return 'runtime-flag';
    }
  } catch {
    /* fall through */
  }
  return 'none';
})();

export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Twice with a turn in between, so weak callbacks and finalisers of the first pass are collected.
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
}

export interface MemorySnapshot {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}

export async function memorySnapshot(): Promise<MemorySnapshot> {
  await fullGc();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external + m.arrayBuffers };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Resolves after `ms` of real time. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A seeded PRNG (mulberry32, the one the reference client uses): benches draw anything random from it. */
export const mulberry32 = seededRandom;

/** Nearest-rank percentile; +Infinity entries (timeouts) sort last. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
