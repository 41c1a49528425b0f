/**
 * The kill table of the reference client's named mutants (issue 5, "the suite must have teeth"):
 * every mutant against the WHOLE catalogue on the memory transport (no early exit), listing the
 * scenarios that kill it (verdict `fail`), the invariants they name, and how many runs it took
 * to find the first kill in catalogue order. The unmutated client runs the same scenarios first
 * and must pass them all, so that every kill is the mutant's doing.
 *
 *   node --import tsx bench/mutant-kill-table.ts [--seed 1]
 *
 * Writes reports/bench/mutant-kill-table.json and reports/bench/mutant-kill-table.md (the table,
 * for the README).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayCommand } from '../src/harness/run-plan.ts';
import { referenceClient } from '../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../src/harness/runner.ts';
import { mutantNames, type MutantName } from '../src/reference-client/mutants.ts';
import { catalogue } from '../src/scenarios/catalogue/index.ts';
import { reportDir, writeReport } from './bench-report.ts';

const seedArg = process.argv.indexOf('--seed');
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;

interface Kill {
  scenario: string;
  name: string;
  invariants: string[];
  replay: string;
}

interface Row {
  mutant: MutantName;
  killed: boolean;
  kills: Kill[];
  /** Invariants named by any killing scenario, in the oracle's order of first appearance. */
  invariants: string[];
  /** Scenarios run, in catalogue order, up to and including the first kill (null: never killed). */
  runsNeeded: number | null;
  ran: number;
  wallMs: number;
}

async function runAll(name: string, mutation: MutantName | undefined) {
  const client = referenceClient(name, mutation ? { mutation } : {});
  const results = [];
  for (const scenario of catalogue) {
    const replay = replayCommand({ client: name, scenario, transport: 'memory', seed });
    results.push(await runScenario(scenario, client, { transport: 'memory', seed, replay }));
  }
  return results;
}

const started = performance.now();
const baseline = await runAll('reference', undefined);
const baselineFailures = baseline.filter((r) => r.verdict === 'fail').map((r) => r.scenario.id);
const ran = baseline.filter((r) => r.verdict !== 'skipped').length;
console.log(`reference (no mutation): ${ran} scenarios run, ${baselineFailures.length} failed${baselineFailures.length ? ` (${baselineFailures.join(', ')})` : ''}`);

const rows: Row[] = [];
for (const mutant of mutantNames) {
  const t0 = performance.now();
  const results = await runAll(`reference:${mutant}`, mutant);
  const kills: Kill[] = results
    .filter((r) => r.verdict === 'fail')
    .map((r) => ({
      scenario: r.scenario.id,
      name: r.scenario.name,
      invariants: [...new Set(r.findings.filter((f) => !f.informational).map((f) => f.invariant))],
      replay: r.replay,
    }));
  const ranHere = results.filter((r) => r.verdict !== 'skipped');
  const first = ranHere.findIndex((r) => r.verdict === 'fail');
  rows.push({
    mutant,
    killed: kills.length > 0,
    kills,
    invariants: [...new Set(kills.flatMap((k) => k.invariants))],
    runsNeeded: first < 0 ? null : first + 1,
    ran: ranHere.length,
    wallMs: Math.round(performance.now() - t0),
  });
  const row = rows.at(-1)!;
  console.log(`${mutant.padEnd(38)} ${row.killed ? `killed by ${kills.length}` : 'SURVIVED'}${row.killed ? ` (first after ${row.runsNeeded} runs)` : ''}: ${kills.map((k) => k.scenario).join(', ')}`);
}

const killedAll = rows.every((r) => r.killed);
const md = [
  `| mutant | killed by scenario(s) | invariant(s) | runs needed |`,
  `|---|---|---|---|`,
  ...rows.map((r) => `| \`${r.mutant}\` | ${r.kills.length ? r.kills.map((k) => `${k.scenario} ${k.name}`).join(', ') : '**survived**'} | ${r.invariants.join(', ') || '-'} | ${r.runsNeeded ?? '-'} of ${r.ran} |`),
  '',
  `${rows.filter((r) => r.killed).length} of ${rows.length} mutants killed by the catalogue on the memory transport (seed ${seed}); the unmutated reference client fails ${baselineFailures.length} of those ${ran} scenarios. "Runs needed": scenarios run in catalogue order up to the first kill. Regenerate with \`node --import tsx bench/mutant-kill-table.ts\`.`,
  '',
].join('\n');
writeFileSync(join(reportDir, 'mutant-kill-table.md'), md);

console.log('\n' + md);
writeReport('mutant-kill-table', {
  date: new Date().toISOString(),
  seed,
  transport: 'memory',
  scenarios: catalogue.length,
  scenariosRun: ran,
  baselineFailures,
  mutants: rows.length,
  killed: rows.filter((r) => r.killed).length,
  killedAll,
  wallMs: Math.round(performance.now() - started),
  rows,
});
if (!killedAll || baselineFailures.length) process.exitCode = 1;
