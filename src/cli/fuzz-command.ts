import { join } from 'node:path';
import type { Command } from 'commander';
import { formatFuzzReport, fuzz } from '../harness/fuzz/index.ts';
import { parseSearchPath, type HuntProgress } from '../harness/hunt/index.ts';
import type { Transport } from '../harness/runner.ts';
import { acquireToxiproxy, HOW_TO_GET_TOXIPROXY, type AcquiredToxiproxy, type SkippedToxiproxy } from '../harness/toxiproxy/index.ts';
import { clientFromSpec } from '../harness/client-spec.ts';
import { UsageError } from '../harness/usage-error.ts';
import { integer, invariantOption } from './search-options.ts';

interface FuzzCliOptions {
  client: string;
  runs?: string;
  seed?: string;
  path?: string;
  transport: string;
  out?: string;
  maxTime?: string;
  strict: boolean;
  invariant?: string[];
  concurrency?: string;
}

/** A live line on a terminal (`[412/1000] searching, 96/s`), nothing in CI but every 100 runs and when a counterexample is found. */
function progressPrinter(out: NodeJS.WriteStream, planned: number): { update(p: HuntProgress): void; end(): void } {
  const live = Boolean(out.isTTY) && !process.env.CI;
  let drawn = false;
  let told = false;
  return {
    update(p) {
      const found = p.bugs > 0;
      const line = found ? `[${p.scenarios}] counterexample found${p.shrinking ? ', shrinking' : ''}, ${p.perSecond}/s` : `[${p.scenarios}/${planned}] ${p.stage}, ${p.perSecond}/s`;
      if (live) {
        out.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (p.scenarios % 100 === 0 || (found && !told)) out.write(`${line}\n`);
      told ||= found;
    },
    end() {
      if (drawn) out.write('\r\x1b[2K');
    },
  };
}

export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('Search for one scenario the client fails (hunt --first: the plain job, every fault at every phase, pairs, then generated workloads and schedules) and shrink it to a replayable scenario file')
    .requiredOption('--client <client>', '"reference", "reference:<mutant>", or the command line of a driver process')
    .option('--runs <n>', 'scenarios to try, the plain job included [default 1000 memory, 10 network]')
    .option('--seed <n>', 'the same seed tries the same scenarios in the same order [default random, printed]')
    .option('--path <path>', 'search path printed by a failure ("random-12:3:0"); with its --seed, runs exactly that case')
    .option('--invariant <name...>', 'the property: only a failure of these invariants counts [default any]')
    .option('--concurrency <n>', 'scenarios at once [default 2 memory, 8 network]')
    .option('--transport <transport>', 'memory (virtual time, in-process clients) or network (real sockets, Toxiproxy faults)', 'memory')
    .option('--out <dir>', 'where a failure writes shrunk-scenario.yaml, bugs.json, its trace and its report [default reports/fuzz-<time>]')
    .option('--max-time <s>', 'stop searching and shrinking after this many seconds [default 300]', '300')
    .option('--strict', 'on the network transport, a missing Toxiproxy is an error (exit 2), not fewer faults', false)
    .action(async (opts: FuzzCliOptions) => {
      if (opts.transport !== 'memory' && opts.transport !== 'network') throw new UsageError(`--transport must be memory or network (got "${opts.transport}")`);
      const transport: Transport = opts.transport;
      const runs = opts.runs === undefined ? undefined : integer('runs', opts.runs, 1, 10_000_000);
      const seed = opts.seed === undefined ? undefined : integer('seed', opts.seed, -(2 ** 31), 2 ** 31 - 1);
      if (opts.path !== undefined) parseSearchPath(opts.path);
      if (opts.path !== undefined && seed === undefined) throw new UsageError('--path replays a counterexample of one seed: give its --seed too');
      const invariants = invariantOption(opts.invariant);
      const concurrency = opts.concurrency === undefined ? undefined : integer('concurrency', opts.concurrency, 1, 64);
      const maxTime = Number(opts.maxTime);
      if (!Number.isFinite(maxTime) || maxTime <= 0) throw new UsageError(`--max-time must be a positive number of seconds (got "${opts.maxTime}")`);
      let client;
      try {
        client = clientFromSpec(opts.client);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError((error as Error).message);
      }
      if (!client.transports.includes(transport)) {
        throw new UsageError(`client "${opts.client}" cannot run on the ${transport} transport (a driver process needs --transport network)`);
      }
      const strict = opts.strict || process.env.COMFY_CHAOS_STRICT === '1';
      let toxiproxy: AcquiredToxiproxy | SkippedToxiproxy | undefined;
      if (transport === 'network') {
        try {
          toxiproxy = await acquireToxiproxy({ strict });
        } catch (error) {
          throw new UsageError(`${(error as Error).message}\n(--strict: network faults need Toxiproxy; ${HOW_TO_GET_TOXIPROXY})`);
        }
        process.stdout.write(
          toxiproxy.status === 'ready'
            ? `toxiproxy ${toxiproxy.version} (${toxiproxy.kind}) at ${toxiproxy.url}\n`
            : `note: no Toxiproxy, so no network faults are generated: ${toxiproxy.reason}\n`,
        );
      }
      const out = opts.out ?? join('reports', `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const progress = progressPrinter(process.stdout, runs ?? (transport === 'memory' ? 1000 : 10));
      let report;
      try {
        report = await fuzz({
          client,
          clientSpec: opts.client.trim(),
          transport,
          outDir: out,
          maxTimeMs: maxTime * 1000,
          ...(runs === undefined ? {} : { runs }),
          ...(seed === undefined ? {} : { seed }),
          ...(opts.path === undefined ? {} : { path: opts.path.trim() }),
          ...(invariants ? { invariants } : {}),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(toxiproxy ? { toxiproxy } : {}),
          onProgress: (p) => progress.update(p),
        });
      } finally {
        progress.end();
        if (toxiproxy?.status === 'ready') await toxiproxy.dispose();
      }
      for (const line of formatFuzzReport(report)) process.stdout.write(`${line}\n`);
      process.exitCode = report.failure ? 1 : 0;
    });
}
