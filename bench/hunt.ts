/**
 * The hunt (issue 15) against every bundled client with known bugs: the bugs found, the time to
 * each (found and shrunk), the faults per shrunk bug, and scenarios/s, in one table; then the
 * reference client, which must have no bug in the same time, on the memory transport.
 *
 *   node --import tsx bench/hunt.ts [--max-time 60] [--seed 1] [--only naive-no-reconnect,comfyapi]
 *
 * Writes reports/bench/hunt.json and reports/bench/hunt.md (the table, for the README), and each
 * client's hunt output in reports/bench/hunt/<client>/ (bugs.json, bug-<n>.yaml, index.html). Toxiproxy
 * is acquired once for all clients (network faults when there is one).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientFromSpec } from '../src/harness/client-spec.ts';
import { hunt, writeHuntOutput, type HuntReport } from '../src/harness/hunt/index.ts';
import { acquireToxiproxy } from '../src/harness/toxiproxy/index.ts';
import { reportDir, round, writeReport } from './bench-report.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const maxTime = Number(arg('max-time') ?? 60);
const seed = Number(arg('seed') ?? 1);
const only = arg('only')?.split(',');
const python = '.tools/venv/bin/python';

/** Every bundled client with known bugs (clients/), by label. */
const clients: Record<string, string> = {
  'naive-no-reconnect': 'node clients/naive/no-reconnect.mjs',
  'naive-reconnect-no-resync': 'node clients/naive/reconnect-no-resync.mjs',
  'naive-strict-json': 'node clients/naive/strict-json.mjs',
  'python-naive': `${python} clients/python/naive_driver.py`,
  'comfy-ui-client': 'node clients/comfy-ui-client/driver.mjs',
  'saintno-comfyui-sdk': 'node clients/third-party/saintno-comfyui-sdk/driver.mjs',
  'stable-canvas': 'node clients/third-party/stable-canvas-comfyui-client/driver.mjs',
  comfyapi: `${python} clients/third-party/comfyapi/driver.py`,
  'comfy-toolkit': `${python} clients/third-party/comfy-toolkit/driver.py`,
  'comfyui-utils': `${python} clients/third-party/comfyui-utils/driver.py`,
  'comfyui-workflow-client': `${python} clients/third-party/comfyui-workflow-client/driver.py`,
};

interface Row {
  client: string;
  transport: string;
  scenarios: number;
  perSecond: number;
  wallS: number;
  bugs: { id: number; summary: string; foundS: number; shrunkS: number | null; faults: number; shrinkDone: boolean; replay: string }[];
  harnessErrors: number;
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
    const report = await hunt({ client: clientFromSpec(spec), clientSpec: spec, transport: 'network', seed, maxTimeMs: maxTime * 1000, toxiproxy, outDir });
    writeHuntOutput(outDir, report, `bench/hunt.ts --only ${label}`);
    rows.push(rowOf(label, report));
    process.stderr.write(`  ${report.bugs.length} bugs, ${report.scenarios} scenarios, ${report.perSecond}/s\n`);
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
}

const md = [
  `Hunt, ${maxTime} s per client, seed ${seed}, ${toxiproxy.status === 'ready' ? 'with' : 'without'} Toxiproxy (${new Date().toISOString().slice(0, 10)}):`,
  '',
  '| client | transport | scenarios (per s) | bugs | bug: found at / shrunk at, faults |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.client} | ${r.transport} | ${r.scenarios} (${r.perSecond}/s) | ${r.bugs.length} | ${r.bugs.map((b) => `${b.id}. ${b.summary.replace(/\|/g, '/')}: ${b.foundS} s / ${b.shrunkS ?? '-'} s${b.shrinkDone ? '' : ' (not fully shrunk)'}`).join('<br>') || 'none'} |`,
  ),
];
writeFileSync(join(reportDir, 'hunt.md'), `${md.join('\n')}\n`);
writeReport('hunt', { maxTime, seed, toxiproxy: toxiproxy.status, rows });
process.stdout.write(`${md.join('\n')}\n`);
