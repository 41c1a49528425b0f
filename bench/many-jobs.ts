/**
 * How a memory run's wall time grows with its job count (issue 11: 10,000 jobs ran for hours,
 * quadratic in the job count; the virtual clock was a sorted array and the runner scanned every
 * job after every timer). Each size runs a scenario of N short jobs submitted 1 ms apart (the
 * queue grows) against the reference client, and reports the wall time and the growth per doubling:
 * ~2 is linear, ~4 quadratic.
 *
 *   node --import tsx bench/many-jobs.ts
 *   BENCH_SIZES=250,500,1000 (default; 1000 is the scenario limit)
 *
 * The reference client reads /queue, whose size grows with the pending jobs, on each check, and
 * the oracle scans history polls per job: what remains above x2 is theirs, bounded by the limit.
 */
import { referenceClient } from '../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../src/harness/runner.ts';
import { sleepGraph } from '../src/scenarios/graphs.ts';
import { scenario } from '../src/scenarios/scenario.ts';
import { round, writeReport } from './bench-report.ts';

const SIZES = (process.env.BENCH_SIZES ?? '250,500,1000').split(',').map(Number);

async function once(jobs: number) {
  const s = scenario.parse({
    id: '9.1',
    name: 'many-jobs',
    purpose: `${jobs} short jobs, 1 ms apart`,
    jobs: Array.from({ length: jobs }, (_, i) => ({ id: `j${i}`, submitAtMs: i, prompt: sleepGraph(50, 2, `t${i}`) })),
    maxRunMs: 21_600_000,
  });
  const started = performance.now();
  const result = await runScenario(s, referenceClient(), { transport: 'memory', seed: 1, replay: '' });
  return { jobs, wallMs: round(performance.now() - started), verdict: result.verdict, traceLines: result.trace.length, virtualMs: result.runMs };
}

const rows: Array<Awaited<ReturnType<typeof once>> & { growthPerDoubling: number | null }> = [];
for (const jobs of SIZES) {
  const row = await once(jobs);
  const previous = rows.at(-1);
  const growth = previous ? round(row.wallMs / previous.wallMs / (row.jobs / previous.jobs) * 2, 2) : null;
  rows.push({ ...row, growthPerDoubling: growth });
  console.log(`  ${jobs} jobs: ${row.wallMs} ms wall, ${row.virtualMs} ms virtual, ${row.traceLines} trace lines, ${row.verdict}${growth ? `, x${growth} per doubling` : ''}`);
}
const file = writeReport('many-jobs', { bench: 'many-jobs', date: new Date().toISOString(), node: process.version, rows });
console.log(`report: ${file}`);
