/**
 * The hunt (issue 15) against every bundled client with known bugs: the bugs found, the time to
 * each (found and shrunk), the faults per shrunk bug, and scenarios/s, in one table; then whether
 * the hunt found every distinct failure the catalogue shows for that client (its catalogue run's
 * failures, given the hunt's signatures and grouped into bugs: bench/hunt-catalogue.ts); then the
 * reference client, which must have no bug in the same time, on the memory transport.
 *
 *   node --import tsx bench/hunt.ts [--max-time 60] [--seed 1] [--only naive-no-reconnect,comfyapi]
 *     [--catalogue reports/report-card,reports/bench/catalogue/naive] [--concurrency n]
 *
 * The catalogue results are read from the report directories of `--catalogue` [default every
 * folder of reports/bench/catalogue/ and reports/report-card]; a client that has none there gets
 * its catalogue run first (network, seed 1, into reports/bench/catalogue/<client>/, a few minutes).
 *
 * Writes reports/bench/hunt.json and reports/bench/hunt.md (the table, for the README), and each
 * client's hunt output in reports/bench/hunt/<client>/ (bugs.json, bug-<n>.yaml, index.html). Toxiproxy
 * is acquired once for all clients (network faults when there is one).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { clientFromSpec } from '../src/harness/client-spec.ts';
import { hunt, writeHuntOutput, type HuntReport } from '../src/harness/hunt/index.ts';
import { executePlan, selectScenarios } from '../src/harness/run-plan.ts';
import { acquireToxiproxy } from '../src/harness/toxiproxy/index.ts';
import { reportDir, round, writeReport } from './bench-report.ts';
import { catalogueFailures, catalogueResults, distinctFailures, type DistinctFailure } from './hunt-catalogue.ts';
import { huntClients as clients } from './hunt-clients.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const maxTime = Number(arg('max-time') ?? 60);
const seed = Number(arg('seed') ?? 1);
const only = arg('only')?.split(',');
const concurrency = arg('concurrency') === undefined ? undefined : Number(arg('concurrency'));
const catalogueRoot = join(reportDir, 'catalogue');
const catalogueDirs = arg('catalogue')?.split(',') ?? [
  ...(existsSync(catalogueRoot) ? readdirSync(catalogueRoot).map((d) => join(catalogueRoot, d)) : []),
  'reports/report-card',
];

interface Row {
  client: string;
  transport: string;
  scenarios: number;
  perSecond: number;
  wallS: number;
  bugs: { id: number; summary: string; foundS: number; shrunkS: number | null; faults: number; shrinkDone: boolean; replay: string }[];
  harnessErrors: number;
  /** The client's distinct catalogue failures and the hunt bug that shows each (none: missed). */
  catalogue?: { failing: number; distinct: Pick<DistinctFailure, 'summary' | 'scenarios' | 'foundBy' | 'baseline' | 'uncited'>[] };
}

/** The client's catalogue failures (run first when no report has them), matched to the hunt's bugs. */
async function catalogueCheck(label: string, command: string, r: HuntReport): Promise<Row['catalogue']> {
  let results = catalogueResults(catalogueDirs, { label, command });
  if (!results.length) {
    const dir = join(catalogueRoot, label);
    process.stderr.write(`  no catalogue run of ${label} in ${catalogueDirs.join(', ')}: running it into ${dir}...\n`);
    const sink = new PassThrough();
    sink.resume();
    await executePlan({ scenarios: selectScenarios(undefined), clients: [`${label}=${command}`], transport: 'network', seed: 1, concurrency: 3, reportDir: dir, strict: true }, sink);
    results = catalogueResults([dir], { label, command });
  }
  const baseline = r.bugs[0]?.signature.families.length === 0 ? r.bugs[0].signature.invariants : [];
  const failures = catalogueFailures(results, baseline);
  const distinct = distinctFailures(failures, r.bugs).map(({ summary, scenarios, foundBy, baseline: b, uncited }) => ({ summary, scenarios, ...(foundBy !== undefined ? { foundBy } : {}), ...(b ? { baseline: b } : {}), ...(uncited ? { uncited } : {}) }));
  return { failing: failures.length, distinct };
}

function rowOf(label: string, r: HuntReport): Row {
  return {
    client: label,
    transport: r.transport,
    scenarios: r.scenarios,
    perSecond: r.perSecond,
    wallS: round(r.wallMs / 1000),
    bugs: r.bugs.map((b) => ({ id: b.id, summary: b.summary, foundS: round(b.foundAtMs / 1000), shrunkS: b.shrunkAtMs === undefined ? null : round(b.shrunkAtMs / 1000), faults: b.shrunk.case.faults.length, shrinkDone: b.shrinkDone, replay: b.replay })),
    harnessErrors: r.harnessErrors.length,
  };
}

const rows: Row[] = [];
const toxiproxy = await acquireToxiproxy({ strict: false });
try {
  for (const [label, command] of Object.entries(clients)) {
    if (only && !only.includes(label)) continue;
    const spec = `${label}=${command}`;
    process.stderr.write(`hunting ${label} for ${maxTime} s...\n`);
    // Each client's bugs.json, bug-<n>.yaml and report, so the replay commands of the table run.
    const outDir = join(reportDir, 'hunt', label);
    const report = await hunt({ client: clientFromSpec(spec), clientSpec: spec, transport: 'network', seed, maxTimeMs: maxTime * 1000, toxiproxy, outDir, ...(concurrency ? { concurrency } : {}) });
    writeHuntOutput(outDir, report, `bench/hunt.ts --only ${label}`);
    const row = { ...rowOf(label, report), catalogue: await catalogueCheck(label, command, report) };
    rows.push(row);
    const missed = row.catalogue?.distinct.filter((d) => d.foundBy === undefined) ?? [];
    process.stderr.write(`  ${report.bugs.length} bugs, ${report.scenarios} scenarios, ${report.perSecond}/s; catalogue: ${row.catalogue?.distinct.length} distinct failures, ${missed.length} missed${missed.map((m) => `\n    missed: ${m.summary} (${m.scenarios.join(', ')})`).join('')}\n`);
  }
  if (!only || only.includes('reference')) {
    const report = await hunt({ client: clientFromSpec('reference'), clientSpec: 'reference', transport: 'memory', seed, maxTimeMs: maxTime * 1000 });
    rows.push(rowOf('reference (in-process)', report));
  }
} finally {
  if (toxiproxy.status === 'ready') await toxiproxy.dispose();
}

// With --only, the other clients' rows of the last run are kept (each row says when it was measured).
const previous = join(reportDir, 'hunt.json');
if (only && existsSync(previous)) {
  const kept = (JSON.parse(readFileSync(previous, 'utf8')) as { rows: Row[] }).rows.filter((r) => !rows.some((n) => n.client === r.client));
  rows.unshift(...kept);
  const order = [...Object.keys(clients), 'reference (in-process)'];
  rows.sort((a, b) => order.indexOf(a.client) - order.indexOf(b.client));
}

/** The catalogue column: distinct failures found, and each one missed with its scenarios. */
function catalogueCell(r: Row): string {
  if (!r.catalogue) return '-';
  const { distinct } = r.catalogue;
  const found = distinct.filter((d) => d.foundBy !== undefined);
  // Found in time: by a bug shrunk to at most 2 faults within the time limit (the target of issue 15).
  const inTime = found.filter((d) => {
    const bug = r.bugs.find((b) => b.id === d.foundBy);
    return bug && bug.faults <= 2 && (bug.shrunkS ?? Infinity) <= maxTime;
  });
  const missed = distinct.filter((d) => d.foundBy === undefined).map((d) => `missed: ${d.summary.replace(/\|/g, '/')} (${d.scenarios.join(', ')})`);
  const foundBy = found.map((d) => `${d.scenarios.join(', ')}: bug ${d.foundBy}${d.uncited ? ' (its fault fired there; the findings cite an earlier one)' : ''}`);
  return [`${found.length}/${distinct.length} (${inTime.length} shrunk to <= 2 faults within ${maxTime} s), from ${r.catalogue.failing} failing scenarios`, ...missed, ...foundBy].join('<br>');
}

const md = [
  `Hunt, ${maxTime} s per client, seed ${seed}, ${toxiproxy.status === 'ready' ? 'with' : 'without'} Toxiproxy (${new Date().toISOString().slice(0, 10)}):`,
  '',
  '| client | transport | scenarios (per s) | bugs | bug: found at / shrunk at, faults | distinct catalogue failures found |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.client} | ${r.transport} | ${r.scenarios} (${r.perSecond}/s) | ${r.bugs.length} | ${r.bugs.map((b) => `${b.id}. ${b.summary.replace(/\|/g, '/')}: ${b.foundS} s / ${b.shrunkS ?? '-'} s${b.shrinkDone ? '' : ' (not fully shrunk)'}`).join('<br>') || 'none'} | ${catalogueCell(r)} |`,
  ),
];
writeFileSync(join(reportDir, 'hunt.md'), `${md.join('\n')}\n`);
writeReport('hunt', { maxTime, seed, toxiproxy: toxiproxy.status, rows });
process.stdout.write(`${md.join('\n')}\n`);
