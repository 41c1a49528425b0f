/**
 * Runs every bench in its own node process (with --expose-gc, so memory figures are taken after a
 * full gc), then prints one summary table from the JSON each bench wrote to reports/bench/.
 *
 *   npm run bench
 *   BENCH_ONLY=virtual-clock npm run bench      (a comma-separated subset)
 *
 * Benches print figures; nothing here asserts on time. The exit code is 1 only if a bench failed
 * to run (crashed, timed out, wrote no report), not if a target was missed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, reportDir, writeReport } from './bench-report.ts';

interface Bench {
  name: string;
  /** Longest the bench may run before it is killed, in ms. */
  timeoutMs: number;
  /** Summary rows from its report: [figure, value, target, met?]. */
  summarise(report: Record<string, any>): Array<[string, string, string, boolean | null]>;
}

const benches: Bench[] = [
  {
    name: 'simulator-fanout',
    timeoutMs: 15 * 60_000,
    summarise: (r) => {
      const [bare, sim, noTrace] = r.servers as Array<Record<string, any>>;
      return [
        ['bare ws frames/s (median)', String(bare!.framesPerSecMedian), '', null],
        ['simulator frames/s (median)', String(sim!.framesPerSecMedian), '', null],
        ['ratio simulator / bare', `${r.ratio} (best-of-${r.trials} ${r.ratioBest})`, '>= 0.8', r.met],
        ['ratio per server-CPU-second', String(r.cpuRatio), '', null],
        ['ratio keepTrace:false / bare', String(r.ratioKeepTraceFalse), '', null],
        ['send path, no sockets (us/frame)', `${r.hubOverheadUsPerFrame} (keepTrace:false ${r.hubOverheadUsPerFrameKeepTraceFalse})`, '', null],
        ['heap per connection, bare/sim (KiB)', `${kib(bare!.memoryPerConnection.heapBytes)} / ${kib(sim!.memoryPerConnection.heapBytes)}`, '', null],
        ['RSS per connection, bare/sim (KiB)', `${kib(bare!.memoryPerConnection.rssBytes)} / ${kib(sim!.memoryPerConnection.rssBytes)}`, '', null],
        ['sim keepTrace:false heap/RSS per conn (KiB)', `${kib(noTrace!.memoryPerConnection.heapBytes)} / ${kib(noTrace!.memoryPerConnection.rssBytes)}`, '', null],
      ];
    },
  },
  {
    name: 'virtual-clock',
    timeoutMs: 5 * 60_000,
    summarise: (r) => [
      ['10-min prompt, wall ms (median)', String(r.wallMsMedian), '< 100', r.met],
      ['virtual-clock speed-up (median)', `x${r.speedUpMedian}`, '', null],
    ],
  },
  {
    name: 'many-jobs',
    timeoutMs: 10 * 60_000,
    summarise: (r) =>
      (r.rows as Array<Record<string, any>>).map((row) => [`${row.jobs} jobs on memory, wall ms`, `${row.wallMs}${row.growthPerDoubling ? ` (x${row.growthPerDoubling} per doubling)` : ''}`, '~x2 per doubling', null]),
  },
  {
    name: 'client-recovery',
    timeoutMs: 5 * 60_000,
    summarise: (r) =>
      Object.entries(r.summary as Record<string, Record<string, any>>).flatMap(([scenario, s]) => {
        const v = r.verdicts[scenario];
        const ms = (n: number | null) => (n === null ? `>${r.parameters.timeoutMs}` : String(n));
        const rows: Array<[string, string, string, boolean | null]> = [
          [`${scenario}: reference p50/p99 (ms)`, `${ms(s.reference.p50)} / ${ms(s.reference.p99)}`, '< 250 (p99)', v.referenceMeetsTarget],
          [`${scenario}: polling-3s p50/p99 (ms)`, `${ms(s['polling-3s'].p50)} / ${ms(s['polling-3s'].p99)}`, '', null],
        ];
        if (s['reference-tuned']) {
          rows.push([`${scenario}: reference tuned p50/p99 (ms)`, `${ms(s['reference-tuned'].p50)} / ${ms(s['reference-tuned'].p99)}`, '< 250 (p99)', v.tunedMeetsTarget]);
        }
        return rows;
      }),
  },
];

benches.push({
  name: 'catalogue',
  timeoutMs: 10 * 60_000,
  summarise: (r) => [
    ['memory: whole catalogue, wall ms', `${r.memory.wallMs} (${r.memory.ran} run, ${r.memory.fail} fail)`, '', null],
    ['network: whole catalogue, wall ms', `${r.network.wallMs} (${r.network.ran} run, ${r.network.fail} fail)`, '< 60000', r.met],
  ],
});

benches.push({
  name: 'fuzz',
  timeoutMs: 10 * 60_000,
  summarise: (r) => [
    ['memory: schedules/s, 3 jobs x 5 faults', `${r.memory.perSecond} (1 thread), ${r.memoryParallel.perSecond} (${r.memoryParallel.threads} threads)`, '>= 200', r.met],
    ['network: schedules/s, 3 jobs x 5 faults', `${r.network.perSecond} (${r.network.schedules} runs, toxiproxy ${r.toxiproxy})`, '', null],
  ],
});

benches.push({
  name: 'mutant-kill-table',
  timeoutMs: 10 * 60_000,
  summarise: (r) => [
    ['mutants killed by the catalogue (memory)', `${r.killed} of ${r.mutants} (${r.wallMs} ms wall)`, 'all', r.killedAll],
    ['unmutated client fails', `${r.baselineFailures.length} of ${r.scenariosRun} scenarios`, '0', r.baselineFailures.length === 0],
  ],
});

benches.push({
  name: 'relay-fanout',
  timeoutMs: 6 * 60_000,
  summarise: (r) => {
    const rows: Array<[string, string, string, boolean | null]> = [];
    for (const p of r.phases as Array<Record<string, any>>) {
      for (const [name, d] of [['socket.io', p.socketIo], ['stomp', p.stomp]] as Array<[string, Record<string, any>]>) {
        if (!d.measured) continue;
        rows.push([`${p.name} ${name}: delivery p50/p99 (ms)`, `${d.latencyMs.p50} / ${d.latencyMs.p99}`, '', null]);
        rows.push([`${p.name} ${name}: delivered (dup, wrong user)`, `${d.delivered} / ${r.parameters.users} (${d.duplicates}, ${d.wrongUser})`, 'all, 0, 0', d.delivered === r.parameters.users && d.duplicates === 0 && d.wrongUser === 0]);
      }
    }
    if (!r.stompMeasured) rows.push(['stomp', 'not measured (STOMP_BROKER_URL unset)', '', null]);
    const m = r.relayMemory;
    const after = Object.values(m.afterPhases as Record<string, any>).at(-1);
    rows.push(['relay RSS idle+users / after jobs / peak (MiB)', `${m.connected.rssMiB} / ${after.rssMiB} / ${m.afterDisconnect.hwmMiB}`, '', null]);
    if (m.inspector) rows.push(['relay heap after gc: idle+users / after jobs / users gone (MiB)', `${m.connected.heapUsedAfterGcMiB} / ${after.heapUsedAfterGcMiB} / ${m.afterDisconnect.heapUsedAfterGcMiB}`, '', null]);
    return rows;
  },
});

benches.push({
  name: 'flakiness',
  timeoutMs: 40 * 60_000,
  summarise: (r) => [
    ['network catalogue runs, verdict changes between them', `${r.verdictChanges} in ${r.runsDone} runs of ${r.scenarios} scenarios`, '0', r.runsDone >= 2 ? r.verdictChanges === 0 : null],
  ],
});

benches.push({
  name: 'cli-startup',
  timeoutMs: 10 * 60_000,
  summarise: (r) =>
    (r.results as Array<Record<string, any>>).map((c) => [
      `${c.name}: wall median / p90, CPU (ms)`,
      `${c.wallMsMedian} / ${c.wallMsP90}, ${c.cpuMsMedian}`,
      c.name === 'comfy-chaos --help (dist)' ? '< 400' : '',
      c.name === 'comfy-chaos --help (dist)' ? r.met : null,
    ]),
});

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function runBench(bench: Bench): Promise<{ ok: boolean; ms: number; why?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', `${bench.name}.ts`)], {
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, bench.timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (signal) resolve({ ok: false, ms, why: `killed by ${signal}${signal === 'SIGKILL' ? ` after ${bench.timeoutMs} ms` : ''}` });
      else resolve(code === 0 ? { ok: true, ms } : { ok: false, ms, why: `exit code ${code}` });
    });
  });
}

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = only ? benches.filter((b) => only.includes(b.name)) : benches;
if (selected.length === 0) {
  throw new Error(`run-all: BENCH_ONLY="${process.env.BENCH_ONLY}" matches no bench (known: ${benches.map((b) => b.name).join(', ')})`);
}

const rows: Array<[string, string, string, string]> = [];
let failed = false;
for (const bench of selected) {
  const file = join(reportDir, `${bench.name}.json`);
  rmSync(file, { force: true }); // a stale report must not pass for this run's
  console.log(`\n=== ${bench.name} ===`);
  const result = await runBench(bench);
  if (!result.ok || !existsSync(file)) {
    failed = true;
    rows.push([bench.name, 'FAILED', '', result.why ?? 'no report written']);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [figure, value, target, met] of bench.summarise(report)) {
    rows.push([`${bench.name}: ${figure}`, value, target, met === null ? '' : met ? 'met' : 'NOT met']);
  }
}

const header: [string, string, string, string] = ['figure', 'value', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
console.log('\n' + line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
console.log(`\nreports: ${reportDir}`);
writeReport('summary', { date: new Date().toISOString(), node: process.version, rows: rows.map(([figure, value, target, met]) => ({ figure, value, target, met })) });
if (failed) process.exitCode = 1;
