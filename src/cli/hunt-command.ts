import { join } from 'node:path';
import type { Command } from 'commander';
import { clientFromSpec } from '../harness/client-spec.ts';
import { formatHuntReport, hunt, writeHuntOutput, type HuntProgress } from '../harness/hunt/index.ts';
import type { Transport } from '../harness/runner.ts';
import { acquireToxiproxy, type AcquiredToxiproxy, type SkippedToxiproxy } from '../harness/toxiproxy/index.ts';
import { UsageError } from '../harness/usage-error.ts';
import { findComfyuiProfile, UnknownProfileError } from '../simulator/index.ts';
import type { ComfyuiProfile } from '../protocol/index.ts';
import { integer, invariantOption } from './search-options.ts';

interface HuntCliOptions {
  client: string;
  maxTime: string;
  out?: string;
  seed?: string;
  transport?: string;
  concurrency?: string;
  comfyui?: string;
  first: boolean;
  invariant?: string[];
}

/** A live line on a terminal; in CI (or a pipe) a line every 10 s and one per bug. */
function progressPrinter(out: NodeJS.WriteStream): { update(p: HuntProgress): void; line(text: string): void; end(): void } {
  const live = Boolean(out.isTTY) && !process.env.CI;
  let drawn = false;
  let lastPrinted = performance.now();
  const text = (p: HuntProgress) => `[${p.scenarios} scenarios, ${p.perSecond}/s] ${p.stage}; ${p.bugs} bug${p.bugs === 1 ? '' : 's'}${p.shrinking ? `, shrinking ${p.shrinking}` : ''}${p.harnessErrors ? `, ${p.harnessErrors} harness errors` : ''}`;
  return {
    update(p) {
      if (live) {
        out.write(`\r\x1b[2K${text(p)}`);
        drawn = true;
      } else if (performance.now() - lastPrinted > 10_000) {
        lastPrinted = performance.now();
        out.write(`${text(p)}\n`);
      }
    },
    line(t) {
      out.write(`${drawn ? '\r\x1b[2K' : ''}${t}\n`);
      drawn = false;
    },
    end() {
      if (drawn) out.write('\r\x1b[2K');
    },
  };
}

export function registerHunt(program: Command): void {
  program
    .command('hunt')
    .description('Find every distinct bug of a client: baseline, every fault at every phase of a job, pairs, then random; each bug shrunk with its replay command')
    .requiredOption('--client <client>', '"reference", "reference:<mutant>", a driver command, or name=command')
    .option('--max-time <s>', 'seconds to search (shrinking included)', '60')
    .option('--out <dir>', 'where bugs.json, bug-<n>.yaml and the report go [default reports/hunt-<time>]')
    .option('--seed <n>', 'the same seed tries the same cases in the same order [default random, printed]')
    .option('--transport <transport>', 'memory (in-process clients, virtual time) or network [default memory for in-process clients, network for drivers]')
    .option('--concurrency <n>', 'scenarios at once [default 2 memory, 8 network]')
    .option('--comfyui <profile>', 'the ComfyUI the simulators play [default 0.3.64]')
    .option('--first', 'stop at the first bug, shrunk (what `fuzz` does)', false)
    .option('--invariant <name...>', 'only failures of these invariants count [default any]')
    .action(async (opts: HuntCliOptions) => {
      const maxTime = Number(opts.maxTime);
      if (!Number.isFinite(maxTime) || maxTime <= 0 || maxTime > 86_400) throw new UsageError(`--max-time must be a number of seconds from 1 to 86400 (got "${opts.maxTime}")`);
      const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integer('seed', opts.seed, 0, 2 ** 31 - 1);
      const concurrency = opts.concurrency === undefined ? undefined : integer('concurrency', opts.concurrency, 1, 64);
      const invariants = invariantOption(opts.invariant);
      let comfyui: ComfyuiProfile | undefined;
      if (opts.comfyui !== undefined) {
        try {
          comfyui = findComfyuiProfile(opts.comfyui.trim());
        } catch (error) {
          if (error instanceof UnknownProfileError) throw new UsageError(`--comfyui: ${error.message}`);
          throw error;
        }
      }
      const client = clientFromSpec(opts.client);
      if (opts.transport !== undefined && opts.transport !== 'memory' && opts.transport !== 'network') throw new UsageError(`--transport must be memory or network (got "${opts.transport}")`);
      const transport: Transport = (opts.transport as Transport | undefined) ?? (client.transports.includes('memory') ? 'memory' : 'network');
      if (!client.transports.includes(transport)) throw new UsageError(`client "${opts.client}" cannot run on the ${transport} transport (a driver process needs --transport network)`);
      const out = opts.out ?? join('reports', `hunt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const progress = progressPrinter(process.stdout);
      let toxiproxy: AcquiredToxiproxy | SkippedToxiproxy | undefined;
      if (transport === 'network') {
        // Started once for the whole hunt; every scenario gets its own proxies.
        toxiproxy = await acquireToxiproxy({ strict: false });
        progress.line(toxiproxy.status === 'ready' ? `toxiproxy ${toxiproxy.version} (${toxiproxy.kind}) at ${toxiproxy.url}` : `note: no Toxiproxy, so no network faults: ${toxiproxy.reason}`);
      }
      progress.line(`hunting bugs of ${opts.client.trim()} for ${maxTime} s (${transport} transport, seed ${seed})`);
      let report;
      try {
        report = await hunt({
          client,
          clientSpec: opts.client.trim(),
          transport,
          seed,
          maxTimeMs: maxTime * 1000,
          outDir: out,
          first: opts.first,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(invariants ? { invariants } : {}),
          ...(comfyui ? { comfyui } : {}),
          ...(toxiproxy ? { toxiproxy } : {}),
          onProgress: (p) => progress.update(p),
          onBug: (b) => progress.line(`found: ${b.summary} (after ${(b.foundAtMs / 1000).toFixed(1)} s)`),
        });
      } finally {
        progress.end();
        if (toxiproxy?.status === 'ready') await toxiproxy.dispose();
      }
      if (report.unrunnable) throw new UsageError(`nothing to hunt: the plain job was skipped: ${report.unrunnable}`);
      const command = `comfy-chaos hunt ${process.argv.slice(3).join(' ')}`.trim();
      writeHuntOutput(out, report, command);
      for (const line of formatHuntReport(report)) process.stdout.write(`${line}\n`);
      process.stdout.write(`bugs.json, the bugs' scenario files and the report (index.html) are in ${out}\n`);
      process.exitCode = report.bugs.length ? 1 : 0;
    });
}
