/**
 * How long `comfy-chaos --help` (and a few other short commands) takes to start, as a user of the
 * installed package runs it (the compiled dist/, COMFY_CHAOS_USE_DIST=1 here in the checkout) and
 * as a contributor runs it (the TypeScript source through tsx). Target: --help from dist under
 * 0.4 s. Each command runs `CLI_STARTUP_RUNS` times (default 15) one after the other; the figures
 * are the median and p90 of wall time, and the median CPU time (user + system) the process itself
 * reports at exit, which a loaded machine disturbs much less than wall time. `node -e 0` is the
 * floor: what any Node program pays before its first line.
 *
 *   node --import tsx bench/cli-startup.ts      (builds dist/ first when it is missing)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median, percentile, projectRoot, round, writeReport } from './bench-report.ts';

const runs = Number(process.env.CLI_STARTUP_RUNS ?? 15);
const bin = join(projectRoot, 'bin', 'comfy-chaos.js');
// Preloaded into each child: its own CPU time, written to stderr as it exits.
const cpuProbe = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nCC_CPU_US '+JSON.stringify(process.cpuUsage())))`;

if (!existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js'))) {
  const built = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'build-package.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('cli-startup: could not build dist/ (scripts/build-package.mjs failed)');
}

interface Case {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const cases: Case[] = [
  { name: 'node -e 0 (the floor)', args: ['-e', '0'] },
  { name: 'comfy-chaos --help (dist)', args: [bin, '--help'], env: { COMFY_CHAOS_USE_DIST: '1' } },
  { name: 'comfy-chaos --version (dist)', args: [bin, '--version'], env: { COMFY_CHAOS_USE_DIST: '1' } },
  { name: 'comfy-chaos list (dist)', args: [bin, 'list'], env: { COMFY_CHAOS_USE_DIST: '1' } },
  { name: 'comfy-chaos run --help (dist)', args: [bin, 'run', '--help'], env: { COMFY_CHAOS_USE_DIST: '1' } },
  { name: 'comfy-chaos --help (source, tsx)', args: [bin, '--help'] },
];

const loadBefore = loadavg()[0]!;
const results = cases.map((c) => {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', cpuProbe, ...c.args], { env: { ...process.env, ...c.env }, encoding: 'utf8', timeout: 60_000 });
    wall.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`cli-startup: ${c.name} exited ${child.status}: ${child.stderr}`);
    const usage = /CC_CPU_US (\{.*\})/.exec(child.stderr)?.[1];
    if (usage) {
      const { user, system } = JSON.parse(usage) as { user: number; system: number };
      cpu.push((user + system) / 1000);
    }
  }
  return { name: c.name, wallMsMedian: round(median(wall)), wallMsP90: round(percentile(wall, 90)), cpuMsMedian: round(median(cpu)) };
});
const loadAfter = loadavg()[0]!;

const help = results.find((r) => r.name === 'comfy-chaos --help (dist)')!;
const report = {
  runs,
  targetMs: 400,
  met: help.wallMsMedian < 400,
  loadAverage: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
  results,
};
writeReport('cli-startup', report);
for (const r of results) console.log(`${r.name.padEnd(36)} wall ${String(r.wallMsMedian).padStart(6)} ms median, ${String(r.wallMsP90).padStart(6)} ms p90; CPU ${String(r.cpuMsMedian).padStart(6)} ms`);
console.log(`--help from dist: ${help.wallMsMedian} ms (target < 400: ${report.met ? 'met' : 'missed'}); load average ${report.loadAverage.before} -> ${report.loadAverage.after}`);
