import type { Command } from 'commander';
import { basename, join } from 'node:path';
import { runReferenceInMemory, type ScenarioResult } from '../harness/memory-runner.ts';
import { describeFindings, emptyRunCounts, writeReport } from '../harness/report/index.ts';
import { demoCatalogue } from '../scenarios/demo-catalogue.ts';
import { UsageError } from './main.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the demo scenarios against the reference client (memory transport, virtual time) and write a report')
    .option('--report <dir>', 'where to write the report [default reports/demo-<time>]')
    .option('--seed <n>', 'seed for the simulator and the client', '1')
    .option('--scenario <id...>', 'run only these scenario ids')
    .action(async (opts: { report?: string; seed: string; scenario?: string[] }) => {
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer (got "${opts.seed}")`);
      const chosen = opts.scenario ? demoCatalogue.filter((s) => opts.scenario!.includes(s.id)) : demoCatalogue;
      const unknown = (opts.scenario ?? []).filter((id) => !demoCatalogue.some((s) => s.id === id));
      if (unknown.length) {
        throw new UsageError(`unknown scenario id ${unknown.join(', ')} (known: ${demoCatalogue.map((s) => s.id).join(', ')})`);
      }
      const dir = opts.report ?? join('reports', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const replay = (r: ScenarioResult) => `comfy-chaos demo --seed ${r.seed} --scenario ${r.scenario.id}`;
      const results: ScenarioResult[] = [];
      const startedAt = new Date().toISOString();
      for (const scenario of chosen) {
        const result = await runReferenceInMemory(scenario, seed);
        results.push(result);
        process.stdout.write(
          `${result.verdict.padEnd(5)} ${scenario.id.padEnd(4)} ${scenario.name} (${Math.round(result.virtualMs / 1000)} s virtual, ${result.wallMs} ms real)\n`,
        );
        for (const line of describeFindings(result)) process.stdout.write(`      ${line}\n`);
        if (result.verdict === 'fail') process.stdout.write(`      replay: ${replay(result)}\n`);
      }
      // The demo runner does not count jobs; `run` will.
      writeReport(
        dir,
        results.map((r) => ({ ...r, runMs: r.virtualMs, replay: replay(r), counts: emptyRunCounts() })),
        { run: basename(dir), seed, transport: 'memory', startedAt, command: `comfy-chaos demo --seed ${seed}${opts.scenario ? ` --scenario ${opts.scenario.join(' ')}` : ''}` },
      );
      const failed = results.filter((r) => r.verdict === 'fail').length;
      process.stdout.write(`${results.length - failed} passed, ${failed} failed; report in ${dir}\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
