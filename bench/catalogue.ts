/**
 * Wall time of the whole scenario catalogue against the reference client, on the memory
 * transport (virtual time) and on the network transport (real sockets through a real Toxiproxy),
 * with the CLI's default concurrency. Target (issue 4): the network run under 60 s on 2 cores.
 *
 *   node --import tsx bench/catalogue.ts [--concurrency 4] [--seed 1]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan } from '../src/harness/run-plan.ts';
import { verdictNames } from '../src/harness/result.ts';
import { acquireToxiproxy } from '../src/harness/toxiproxy/index.ts';
import { catalogue } from '../src/scenarios/catalogue/index.ts';
import { writeReport } from './bench-report.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const concurrency = arg('concurrency', 4);
const seed = arg('seed', 1);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

async function timed(transport: 'memory' | 'network') {
  const started = performance.now();
  const results = await executePlan(
    { scenarios: catalogue, clients: ['reference'], transport, seed, concurrency, reportDir: join(mkdtempSync(join(tmpdir(), 'cc-bench-')), transport), strict: false },
    quiet,
  );
  const wallMs = Math.round(performance.now() - started);
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  const ran = results.filter((r) => r.verdict !== 'skipped');
  const runMs = ran.reduce((n, r) => n + r.runMs, 0);
  const verdicts = Object.fromEntries(verdictNames.map((v) => [v, count(v)])) as Record<(typeof verdictNames)[number], number>;
  return { transport, wallMs, scenarios: results.length, ran: ran.length, ...verdicts, scenarioMsTotal: runMs };
}

const probe = await acquireToxiproxy({ strict: false });
const toxiproxy = probe.status === 'ready' ? `${probe.kind} ${probe.version}` : `none (${probe.reason})`;
if (probe.status === 'ready') await probe.dispose();

const memory = await timed('memory');
const network = await timed('network');
for (const r of [memory, network]) {
  console.log(
    `${r.transport.padEnd(8)} ${String(r.wallMs).padStart(6)} ms wall for ${r.ran} scenarios run (${verdictNames.map((v) => `${r[v]} ${v}`).join(', ')}); ` +
      `${Math.round(r.scenarioMsTotal / 1000)} s of scenario time`,
  );
}
const met = network.wallMs < 60_000;
console.log(`network catalogue under 60 s: ${met ? 'MET' : 'NOT met'} (concurrency ${concurrency}, toxiproxy ${toxiproxy})`);
writeReport('catalogue', { date: new Date().toISOString(), concurrency, seed, toxiproxy, memory, network, target: { networkWallMs: 60_000 }, met });
