/**
 * Where the wall time of one hunt case goes on the network transport (issue 15, "fast on the
 * network"): a driver's hunt cases (the baseline and the first systematic singles), run one at a
 * time and then `--concurrency` at a time, each split into its parts: setup (simulator listen and
 * Toxiproxy proxy), driver start (spawn to `ready`), workload (first submit to the last report),
 * wait after it (the runner's drain and grace, or the recovery bound when a job is never
 * reported), shutdown (`shutdown` to exit), teardown (proxy and simulator closed) and the oracle.
 *
 *   node --import tsx bench/hunt-case-profile.ts [--client naive-no-reconnect] [--cases 16] [--concurrency 8,12] [--sequential 0] [--out name]
 *
 * Writes reports/bench/<name>.json [default hunt-case-profile].
 *
 * Measured 2026-12-02 on this 2-core machine, shared (load 5 to 30 while it ran), seed 1:
 * - One case at a time (naive-no-reconnect, 16 cases; python-naive, 24): setup (simulator listen
 *   and Toxiproxy proxy) 4-5 ms, driver start 340-375 ms, the workload 1.7-1.8 s (the plain job's
 *   two jobs), then 0.52 s after a pass (the 500 ms grace for late duplicates), ~2.2 s after a
 *   crash (the server's prompts run to their end before the oracle judges, then the grace), ~7 s
 *   after a hang (the 5 s recovery bound from when the server is done); shutdown 3-12 ms,
 *   teardown 2-4 ms, oracle 0.5 ms. Hang waits were 48 s of naive-no-reconnect's 73.5 s.
 * - The harness itself used 1.4 s of CPU for 24 cases; a driver start costs 0.1-0.45 s of CPU
 *   (Python 0.11-0.2, a Node driver 0.25, comfy-ui-client's 0.44: it forks a second Node). So 8
 *   at once are bound by driver starts when the machine is loaded: comfy-ui-client's start took
 *   2.5 s (median) at 8, 3.7 s at 12, 5 s at 16 (load 19), and 8, 12 and 16 at once all ran 1.3
 *   cases/s; python-naive (load ~5) ran 2.1/s at 8 and 2.9/s at 16 (24 cases). The default stays
 *   8: more only helps an idle machine, and a start slowed towards the 10 s ready timeout would
 *   fail a client that is not at fault.
 * - Toxiproxy costs a few ms a case (proxy created and removed; 84 ms median at 16 at once under
 *   load): reusing proxies across cases would save little and risk one case's toxics reaching
 *   the next, so they are not reused. A gate of one driver start per core (tried) ran 1.0-1.1
 *   cases/s against 1.2 without it (comfy-ui-client, load 16): not kept.
 * - The plain job's second job, 1.2 s before, is 600 ms: the workload part went from 1.71 to
 *   1.11 s (python-naive, median); the verdicts of the first 48 cases for python-naive,
 *   naive-reconnect-no-resync and comfy-ui-client were the same before and after but for cases
 *   that also flip between two runs of the same code (frame faults during submission for
 *   comfy-ui-client; naive-reconnect-no-resync's drop mid-progress, a race with its 300 ms
 *   reconnect, which passed twice under load 15 and fails when run 3 at once).
 */
import { clientFromSpec } from '../src/harness/client-spec.ts';
import type { ClientSession, ClientUnderTest } from '../src/harness/adapters/client-under-test.ts';
import { baselineWorkload, scenarioOf, type HuntCase } from '../src/harness/hunt/cases.ts';
import { systematicCases } from '../src/harness/hunt/coverage.ts';
import { judge } from '../src/harness/oracle/index.ts';
import { runScenario } from '../src/harness/runner.ts';
import { acquireToxiproxy } from '../src/harness/toxiproxy/index.ts';
import { scenario as scenarioSchema } from '../src/scenarios/scenario.ts';
import { Slots } from '../src/harness/hunt/slots.ts';
import { huntClients } from './hunt-clients.ts';
import { median, round, writeReport } from './bench-report.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const label = arg('client') ?? 'naive-no-reconnect';
const out = arg('out') ?? 'hunt-case-profile';
const caseCount = Number(arg('cases') ?? 16);
const concurrencies = (arg('concurrency') ?? '8').split(',').map(Number);
const command = huntClients[label];
if (!command) {
  process.stderr.write(`hunt-case-profile: unknown client "${label}" (known: ${Object.keys(huntClients).join(', ')})\n`);
  process.exit(2);
}

type Part = 'setup' | 'start' | 'workload' | 'after' | 'shutdown' | 'teardown' | 'oracle';
const parts: Part[] = ['setup', 'start', 'workload', 'after', 'shutdown', 'teardown', 'oracle'];

/** The client, with its start and shutdown timed (wall ms). */
function timed(inner: ClientUnderTest, marks: Map<number, Record<string, number>>): ClientUnderTest {
  return {
    ...inner,
    async start(context) {
      const m = marks.get(context.seed)!;
      m.startCalled = Date.now();
      const session = await inner.start(context);
      m.ready = Date.now();
      const wrapped: ClientSession = {
        ...session,
        submit: (job) => session.submit(job),
        cancel: (id) => session.cancel(id),
        shutdown: async () => {
          m.shutdownCalled = Date.now();
          const exit = await session.shutdown();
          m.exited = Date.now();
          return exit;
        },
      };
      return wrapped;
    },
  };
}

async function profile(cases: HuntCase[], slotsSize: number, toxiproxy: Awaited<ReturnType<typeof acquireToxiproxy>>) {
  const marks = new Map<number, Record<string, number>>();
  const client = timed(clientFromSpec(`${label}=${command}`), marks);
  const slots = new Slots(slotsSize);
  const rows: (Record<Part, number> & { verdict: string; total: number; faults: string })[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    cases.map((c) =>
      slots.run(async () => {
        const scenario = scenarioSchema.parse(scenarioOf(c));
        const m: Record<string, number> = { called: Date.now() };
        marks.set(c.runSeed, m);
        const result = await runScenario(scenario, client, { transport: 'network', seed: c.runSeed, replay: '', toxiproxy });
        const resolved = Date.now();
        const t0 = performance.now();
        judge(result.trace, scenario);
        const oracle = performance.now() - t0;
        const wallOf = (pred: (e: (typeof result.trace)[number]) => boolean) => result.trace.find(pred)?.wall;
        const runNote = wallOf((e) => e.kind === 'note' && String((e as { message?: string }).message).startsWith('run:')) ?? m.called!;
        const reports = result.trace.filter((e) => e.kind === 'client' && ['completed', 'failed'].includes(String((e as { event?: { type?: string } }).event?.type)));
        const firstSubmit = wallOf((e) => e.kind === 'client' && (e as { event?: { type?: string } }).event?.type === 'harness_submit') ?? m.ready!;
        const lastReport = reports.at(-1)?.wall ?? firstSubmit;
        const ready = m.ready ?? runNote;
        const shutdownCalled = m.shutdownCalled ?? ready;
        const exited = m.exited ?? shutdownCalled;
        rows.push({
          verdict: result.verdict,
          faults: c.faults.map((f) => `${f.type}${'path' in f ? ` ${f.path}` : ''}${f.type === 'toxic' ? ` ${f.toxic}` : ''}@${c.phases?.[0] ?? ''}`).join(','),
          setup: runNote - m.called!,
          start: ready - runNote,
          workload: Math.max(0, lastReport - ready),
          after: shutdownCalled - Math.max(lastReport, ready),
          shutdown: exited - shutdownCalled,
          teardown: resolved - exited - oracle,
          oracle,
          total: resolved - m.called!,
        });
      }),
    ),
  );
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const harnessCpuS = (used.user + used.system) / 1e6;
  const medians = Object.fromEntries(parts.map((p) => [p, round(median(rows.map((r) => r[p])))])) as Record<Part, number>;
  const sums = Object.fromEntries(parts.map((p) => [p, round(rows.reduce((s, r) => s + r[p], 0) / 1000)])) as Record<Part, number>;
  const verdicts: Record<string, number> = {};
  for (const r of rows) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  return { concurrency: slotsSize, cases: rows.length, wallS: round(wallS), harnessCpuS: round(harnessCpuS), perSecond: round(rows.length / wallS), medianMs: medians, totalS: sums, medianTotalMs: round(median(rows.map((r) => r.total))), verdicts, rows: rows.map((r) => ({ ...r, oracle: round(r.oracle) })) };
}

const toxiproxy = await acquireToxiproxy({ strict: true });
try {
  const systematic = systematicCases({ layers: ['frame', 'connection', 'http', 'network'], seed: 1 });
  const cases: HuntCase[] = [{ origin: 'baseline', workload: baselineWorkload(), faults: [], runSeed: 1 }];
  for (const c of systematic) {
    if (cases.length >= caseCount) break;
    cases.push(c);
  }
  // Distinct run seeds: a start is matched to its case by the seed it is given.
  cases.forEach((c, i) => (c.runSeed = 1_000 + i));
  const sequential = arg('sequential') === '0' ? undefined : await profile(cases, 1, toxiproxy);
  const parallel = [];
  for (const n of concurrencies) parallel.push(await profile(cases, n, toxiproxy));
  const report = { client: label, sequential, parallel };
  writeReport(out, report);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  if (toxiproxy.status === 'ready') await toxiproxy.dispose();
}
