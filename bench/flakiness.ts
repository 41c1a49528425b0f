/**
 * Verdict stability (issue 11, "No flaky verdict"): the whole catalogue against the reference
 * client on the network transport (real sockets through a real Toxiproxy), once per seed, and
 * every scenario whose verdict differs between runs, with the seed, verdict, reason and trace of
 * each odd one out. Target: 0 verdict changes.
 *
 *   node --import tsx bench/flakiness.ts [--runs 20] [--seeds 1-10] [--concurrency 4] [--max-minutes 35]
 *
 * `--seeds a-b` runs seeds a..b (and overrides --runs); otherwise seeds 1..runs. Runs stop being
 * started once --max-minutes of wall time have passed (each run takes about a minute); the report
 * says how many ran. Uses TOXIPROXY_BIN, else the binary scripts/install-toxiproxy.sh put in
 * .tools/bin. The report (reports/bench/flakiness.json) is rewritten after every run, so a run
 * cut short still leaves its figures.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceFileName } from '../src/harness/report/format.ts';
import type { ScenarioResult } from '../src/harness/result.ts';
import { executePlan } from '../src/harness/run-plan.ts';
import { catalogue } from '../src/scenarios/catalogue/index.ts';
import { projectRoot, writeReport } from './bench-report.ts';

interface Options {
  seeds: number[];
  concurrency: number;
  maxMinutes: number;
}

function usage(message: string): never {
  console.error(`flakiness: ${message}\nusage: node --import tsx bench/flakiness.ts [--runs N] [--seeds a-b] [--concurrency N] [--max-minutes N]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) usage(`--${name} needs a value`);
    return v;
  };
  const positive = (name: string, fallback: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) usage(`--${name} must be a whole number from 1 to ${max} (got "${raw}")`);
    return n;
  };
  const known = new Set(['--runs', '--seeds', '--concurrency', '--max-minutes']);
  for (let i = 0; i < argv.length; i += 2) if (!known.has(argv[i]!)) usage(`unknown option "${argv[i]}"`);
  const runs = positive('runs', 20, 1000);
  const range = value('seeds');
  let seeds = Array.from({ length: runs }, (_, i) => i + 1);
  if (range !== undefined) {
    const match = /^(\d+)-(\d+)$/.exec(range);
    const [from, to] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    if (!match || from > to || to - from >= 1000) usage(`--seeds must be "a-b" with a <= b and at most 1000 seeds, e.g. 1-10 (got "${range}")`);
    seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  return { seeds, concurrency: positive('concurrency', 4, 32), maxMinutes: positive('max-minutes', 35, 24 * 60) };
}

interface Sighting {
  seed: number;
  verdict: string;
  reason?: string;
  trace: string;
  replay: string;
}

const options = parseOptions(process.argv.slice(2));
// A signal ends the bench through process.exit, whose handlers stop the Toxiproxy child.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.log(`flakiness: ${signal}; the report has the runs done so far`);
    process.exit(130);
  });
}
const localToxiproxy = join(projectRoot, '.tools', 'bin', 'toxiproxy-server');
if (!process.env.TOXIPROXY_BIN && existsSync(localToxiproxy)) process.env.TOXIPROXY_BIN = localToxiproxy;
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const base = mkdtempSync(join(tmpdir(), 'cc-flakiness-'));
const sightings = new Map<string, Sighting[]>();
const runs: Array<{ seed: number; wallMs: number; verdicts: Record<string, number> }> = [];
const started = performance.now();
const deadline = started + options.maxMinutes * 60_000;

console.log(`flakiness: ${options.seeds.length} catalogue run(s) on network, seeds ${options.seeds[0]}-${options.seeds.at(-1)}, concurrency ${options.concurrency}, reports under ${base}`);
for (const seed of options.seeds) {
  if (performance.now() > deadline) {
    console.log(`flakiness: --max-minutes ${options.maxMinutes} reached; ${runs.length} of ${options.seeds.length} runs done`);
    break;
  }
  const reportDir = join(base, `seed-${seed}`);
  const runStarted = performance.now();
  const results: ScenarioResult[] = await executePlan(
    { scenarios: catalogue, clients: ['reference'], transport: 'network', seed, concurrency: options.concurrency, reportDir, strict: true },
    quiet,
  );
  const verdicts: Record<string, number> = {};
  for (const r of results) {
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    const key = `${r.scenario.id} ${r.scenario.name}`;
    const list = sightings.get(key) ?? [];
    list.push({ seed, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), trace: join(reportDir, traceFileName(r)), replay: r.replay });
    sightings.set(key, list);
  }
  runs.push({ seed, wallMs: Math.round(performance.now() - runStarted), verdicts });
  const summary = Object.entries(verdicts).map(([v, n]) => `${n} ${v}`).join(', ');
  console.log(`seed ${seed}: ${Math.round((performance.now() - runStarted) / 1000)} s, ${summary}`);
  writeReport('flakiness', report());
}

function report() {
  const changes: Array<{ scenario: string; verdicts: Record<string, number>; majority: string; oddOnesOut: Sighting[] }> = [];
  const steadyNonPass: Array<{ scenario: string; verdict: string; reason?: string }> = [];
  for (const [scenario, list] of sightings) {
    const counts: Record<string, number> = {};
    for (const s of list) counts[s.verdict] = (counts[s.verdict] ?? 0) + 1;
    const ranked = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const majority = ranked[0]![0];
    if (ranked.length > 1) changes.push({ scenario, verdicts: counts, majority, oddOnesOut: list.filter((s) => s.verdict !== majority) });
    else if (majority !== 'pass') steadyNonPass.push({ scenario, verdict: majority, ...(list[0]!.reason ? { reason: list[0]!.reason } : {}) });
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    parameters: { seeds: options.seeds, concurrency: options.concurrency, maxMinutes: options.maxMinutes, transport: 'network', client: 'reference' },
    runsDone: runs.length,
    scenarios: sightings.size,
    verdictChanges: changes.length,
    target: 0,
    met: runs.length >= 2 && changes.length === 0,
    changes,
    steadyNonPass,
    runs,
    reports: base,
    wallMs: Math.round(performance.now() - started),
  };
}

const final = report();
writeReport('flakiness', final);
console.log(`\n${final.runsDone} run(s) of ${final.scenarios} scenarios: ${final.verdictChanges} verdict change(s) (target 0)`);
for (const c of final.changes) {
  console.log(`  ${c.scenario}: ${Object.entries(c.verdicts).map(([v, n]) => `${n} ${v}`).join(', ')}`);
  for (const o of c.oddOnesOut) console.log(`    seed ${o.seed}: ${o.verdict}${o.reason ? ` (${o.reason})` : ''}\n      trace ${o.trace}\n      replay ${o.replay}`);
}
for (const s of final.steadyNonPass) console.log(`  steady ${s.verdict}: ${s.scenario}${s.reason ? ` (${s.reason})` : ''}`);
