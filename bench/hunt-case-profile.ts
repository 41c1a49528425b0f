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
