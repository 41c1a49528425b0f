import { join } from 'node:path';
import type { Command } from 'commander';
import { executePlan, exitCodeOf, parseFailOn, selectScenarios, shardOf, type RunPlan } from '../harness/run-plan.ts';
import { UsageError } from '../harness/usage-error.ts';
import { comfyuiProfileNames } from '../simulator/index.ts';
import { isRelayScenario, needsNetwork } from '../scenarios/scenario.ts';

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new UsageError(`--seed must be an integer from 0 to ${2 ** 32 - 1} (got "${value}")`);
  return n;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run scenarios of the catalogue against one or more clients and write a report')
    .option('--client <client...>', '"reference", or the command line of a driver process (repeat for several) [default reference, unless --relay is given]')
    .option('--relay <profile...>', 'relays to judge with the relay scenarios (group 8): a built-in profile name (reference-stomp, reference-socketio, spring-stomp, flask-socketio) or a profile file')
    .option('--scenario <selector...>', 'scenario ids (2.3), groups (2), names, globs (2.*, *restart*) or scenario files (.yaml/.json); default: all')
    .option('--transport <transport>', 'memory (virtual time, in-process clients only) or network (real sockets, Toxiproxy)', 'network')
    .option('--report <dir>', 'where to write the report [default reports/run-<time>]')
    .option('--seed <n>', 'seed of the simulators and clients; the same seed replays the same run', '1')
    .option('--concurrency <n>', 'scenarios run at once on the network transport', '4')
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices of the catalogue (for CI matrices)')
    .option('--strict', 'a missing Toxiproxy (or STOMP broker, for relays) is an error (exit 2), not a skip', false)
    .option('--comfyui <version...>', `the ComfyUI the simulators play: ${comfyuiProfileNames.join(', ')}, or all (every release, no front); each a column of the report [default each scenario's own, else 0.3.64]`)
    .option('--fail-on <verdicts...>', 'verdicts that make the run exit 1, comma-separated (pass, degraded, non-strict, fail, inconclusive, skipped, harness-error) [default fail,harness-error]')
    .option('--nodes <file>', 'a node file (YAML or JSON, as serve --nodes takes): node classes the simulators know besides the core ones, for scenario jobs whose graphs use them')
    .action(async (opts: { client?: string[]; relay?: string[]; scenario?: string[]; transport: string; report?: string; seed: string; concurrency: string; shard?: string; strict: boolean; failOn?: string[]; comfyui?: string[]; nodes?: string }) => {
      const failOn = parseFailOn(opts.failOn);
      if (opts.transport !== 'memory' && opts.transport !== 'network') {
        throw new UsageError(`--transport must be memory or network (got "${opts.transport}")`);
      }
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be an integer from 1 to 64 (got "${opts.concurrency}")`);
      const clientSpecs = opts.client ?? (opts.relay ? [] : ['reference']);
      let scenarios = selectScenarios(opts.scenario);
      // Without --scenario: the relay group when relays are judged, the rest when clients are.
      if (!opts.scenario) scenarios = scenarios.filter((s) => (isRelayScenario(s) ? Boolean(opts.relay?.length) : clientSpecs.length > 0));
      if (opts.shard) scenarios = shardOf(scenarios, opts.shard);
      const plan: RunPlan = {
        scenarios,
        clients: clientSpecs,
        ...(opts.relay ? { relays: opts.relay } : {}),
        transport: opts.transport,
        seed: parseSeed(opts.seed),
        concurrency,
        reportDir: opts.report ?? join('reports', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`),
        strict: opts.strict || process.env.COMFY_CHAOS_STRICT === '1',
        ...(opts.comfyui ? { comfyui: opts.comfyui } : {}),
        ...(opts.nodes ? { nodes: opts.nodes } : {}),
      };
      const results = await executePlan(plan);
      process.exitCode = exitCodeOf(results, failOn);
    });

  program
    .command('list')
    .description('List the scenario catalogue: ids, names and purposes')
    .option('--scenario <selector...>', 'only these (ids, groups, names, globs)')
    .action((opts: { scenario?: string[] }) => {
      for (const s of selectScenarios(opts.scenario)) {
        const where = s.transports.length === 2 && !needsNetwork(s) ? '' : ` [${needsNetwork(s) ? 'network' : s.transports.join('/')} only]`;
        process.stdout.write(`${s.id.padEnd(5)} ${s.name.padEnd(44)} ${s.purpose}${s.cites ? ` (${s.cites})` : ''}${where}\n`);
      }
    });
}
