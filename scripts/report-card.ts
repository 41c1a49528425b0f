/**
 * Turns a run's results.json into the bundled drivers' report card (docs/report-card.md): one
 * row per client with its verdict counts and the scenarios it fails (first failing invariant),
 * then, per client, each failure with the oracle's message and the command that replays it.
 * Run by scripts/report-card.sh after the run; the Markdown is committed, the run is not.
 *
 *   node --import tsx scripts/report-card.ts <report dir> <out.md>
 */
import { writeFileSync } from 'node:fs';
import { clientsOf, clip, columnOf, compareScenarioIds, failingFindings, failureTitle, verdictCounts } from '../src/harness/report/format.ts';
import { readReport } from '../src/harness/report/read-report.ts';
import type { ScenarioResult } from '../src/harness/result.ts';

/** Known bundled clients: a short name and what they stand for. Others are shown by command line. */
const known: Array<{ match: RegExp; label: string; about: string }> = [
  { match: /^reference$/, label: 'reference client', about: 'this project\'s client that does everything right (src/reference-client)' },
  { match: /naive_driver\.py/, label: 'Python naive', about: 'ComfyUI\'s websockets_api_example.py pattern with websocket-client: one socket, blocking recv(), no reconnect' },
  { match: /robust_driver\.py/, label: 'Python robust', about: 'websocket-client with reconnect (same clientId), resync from /history and /queue, polling, lost detection' },
  {
    match: /comfy-ui-client\/driver\.mjs/,
    label: 'comfy-ui-client 0.1.2',
    about: 'the npm package, unmodified, through its public API (getImages); it keeps only `images` outputs, so the few catalogue jobs that output text fail right-outputs where nothing worse happened',
  },
  { match: /third-party\/comfy-toolkit\//, label: 'comfy-toolkit 0.1.0', about: 'the PyPI package, unmodified, through submit_and_track: WebSocket opened before the POST, /history retries after the end, a /history read on every receive timeout (clients/third-party/comfy-toolkit)' },
  { match: /third-party\/comfyapi\//, label: 'comfyapi 2.0.1', about: 'the PyPI package, unmodified: submit_workflow, then wait_for_finish polls /history every 3 s until an output image exists (clients/third-party/comfyapi)' },
  { match: /third-party\/comfyui-utils\//, label: 'comfyui-utils 0.0.1', about: 'the PyPI package, unmodified: submit() POSTs, then opens its socket; the first executed frame ends the job (clients/third-party/comfyui-utils)' },
  { match: /third-party\/comfyui-workflow-client\//, label: 'comfyui-workflow-client 0.1.0', about: 'the PyPI package, unmodified, its synchronous ComfyUIClient: get_images polls /history every second until the entry has outputs (clients/third-party/comfyui-workflow-client)' },
  { match: /third-party\/saintno-comfyui-sdk\//, label: '@saintno/comfyui-sdk 0.3.1', about: 'the npm package, unmodified, through CallWrapper.run(): a socket re-opened with backoff, a /queue and /history check on every status frame (clients/third-party/saintno-comfyui-sdk)' },
  { match: /third-party\/stable-canvas-comfyui-client\//, label: '@stable-canvas/comfyui-client 1.5.9', about: 'the npm package, unmodified, through Client.enqueue: a socket re-opened 300 ms after each close, never resynced; the first executed frame of the prompt resolves it (clients/third-party/stable-canvas-comfyui-client)' },
  { match: /^reference-socketio$/, label: 'reference relay, Socket.IO', about: 'relay: this project\'s relay built on the reference client (clients/relays/reference), Socket.IO downstream with acknowledged, replayed results' },
  { match: /^reference-stomp$/, label: 'reference relay, STOMP', about: 'relay: the same relay, STOMP downstream through a durable RabbitMQ queue per user (Web-STOMP)' },
  { match: /^spring-stomp$/, label: 'Spring Boot STOMP relay', about: 'relay: Spring Boot 4, one upstream socket opened at start-up, a semaphore released by status frames, simple broker (clients/relays/spring-stomp)' },
  { match: /^flask-socketio$/, label: 'Flask-SocketIO server', about: 'relay: Flask-SocketIO, one upstream socket, every event broadcast to every client, active_tasks on connect (clients/relays/flask-socketio)' },
];

/** A column is a client, or `client @ profile` for a ComfyUI profile other than the baseline. */
function describe(column: string): { label: string; about: string } {
  const at = / @ ([^ ]+)$/.exec(column);
  const client = at ? column.slice(0, at.index) : column;
  const found = known.find((k) => k.match.test(client)) ?? { label: client, about: '' };
  return at ? { label: `${found.label} @ ComfyUI ${at[1]}`, about: found.about } : found;
}

/**
 * With results on several ComfyUI profiles: a row per client, a column per profile (passes and
 * fails), then what changes between versions, scenario by scenario.
 */
function byVersion(results: ScenarioResult[]): string[] {
  const profiles = [...new Set(results.map((r) => r.comfyui ?? '0.3.64'))];
  if (profiles.length < 2) return [];
  const clients = [...new Set(results.map((r) => r.client))];
  const of = (client: string, profile: string) => results.filter((r) => r.client === client && (r.comfyui ?? '0.3.64') === profile);
  const lines = [
    '',
    '## By ComfyUI version',
    '',
    'The same scenarios against each profile of `src/simulator/profiles` (docs/comfyui-protocol.md, "ComfyUI versions and fronts"): passed / run (failing scenarios).',
    '',
    `| client | ${profiles.map(cell).join(' | ')} |`,
    `|---|${profiles.map(() => '---|').join('')}`,
  ];
  for (const client of clients) {
    const cells = profiles.map((profile) => {
      const mine = of(client, profile).filter((r) => r.verdict !== 'skipped');
      const fails = mine.filter((r) => r.verdict === 'fail').map((r) => r.scenario.id).sort(compareScenarioIds);
      return `${mine.filter((r) => r.verdict === 'pass' || r.verdict === 'degraded').length}/${mine.length}${fails.length ? ` (${fails.join(', ')})` : ''}`;
    });
    lines.push(`| ${cell(describe(client).label)} | ${cells.map(cell).join(' | ')} |`);
  }
  lines.push('', 'What changes between versions (a scenario whose verdict differs from one profile to another):', '');
  let changes = 0;
  for (const client of clients) {
    const ids = [...new Set(of(client, profiles[0]!).map((r) => r.scenario.id))].sort(compareScenarioIds);
    for (const id of ids) {
      const verdicts = profiles.map((profile) => of(client, profile).find((r) => r.scenario.id === id)?.verdict ?? 'not run');
      if (new Set(verdicts).size < 2) continue;
      changes++;
      lines.push(`- ${cell(describe(client).label)}, ${id}: ${profiles.map((p, i) => `${p} ${verdicts[i]}`).join(', ')}`);
    }
  }
  if (!changes) lines.push('- none: every client has the same verdict on every profile.');
  return lines;
}

/** Text for a Markdown table cell: no pipes or newlines. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A finding in one cell: its first line, and for a crash the last stderr line (the exception). */
function summarize(job: string | undefined, message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const head = clip(lines[0] ?? '', 160).replace(/; last stderr lines:$/, '');
  const tail = lines.length > 1 ? ` … ${clip(lines.at(-1)!, 140)}` : '';
  return `${job ? `${job}: ` : ''}${head}${tail}`;
}

function render(results: ScenarioResult[], meta: { command: string; startedAt: string; seed: number; transport: string }): string {
  const clients = clientsOf(results);
  const failed = (client: string) =>
    results.filter((r) => columnOf(r) === client && r.verdict === 'fail').sort((a, b) => compareScenarioIds(a.scenario.id, b.scenario.id));
  const lines = [
    '# Report card: the bundled drivers and relays',
    '',
    `Generated by \`scripts/report-card.sh\` from one real run on the ${meta.transport} transport (real sockets on 127.0.0.1, through a`,
    `real Toxiproxy), seed ${meta.seed}, started ${meta.startedAt}. Do not edit by hand: run the script again.`,
    '',
    '```sh',
    meta.command,
    '```',
    '',
    '| client | pass | degraded | non-strict | fail | inconclusive | skipped | fails (first failing invariant) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const client of clients) {
    const counts = verdictCounts(results.filter((r) => columnOf(r) === client));
    const fails = failed(client).map((r) => `${r.scenario.id} (${failureTitle(r)})`);
    lines.push(`| ${cell(describe(client).label)} | ${counts.pass} | ${counts.degraded} | ${counts['non-strict']} | ${counts.fail} | ${counts.inconclusive} | ${counts.skipped} | ${cell(fails.join(', ') || 'none')} |`);
  }
  // Skipped scenarios, grouped by reason (memory-only scenarios skip for every client alike).
  const skippedBy = new Map<string, Set<string>>();
  for (const r of results.filter((r) => r.verdict === 'skipped')) skippedBy.set(r.reason ?? 'skipped', (skippedBy.get(r.reason ?? 'skipped') ?? new Set()).add(r.scenario.id));
  for (const [reason, ids] of skippedBy) lines.push('', `Skipped ${[...ids].sort(compareScenarioIds).join(', ')}: ${reason}.`);
  lines.push(...byVersion(results));
  for (const client of clients) {
    const { label, about } = describe(client);
    lines.push('', `## ${label}`, '', `\`${client.replace(/ @ [^ ]+$/, '')}\`${about ? `: ${about}.` : ''}`, '');
    const fails = failed(client);
    if (!fails.length) {
      lines.push('Fails nothing.');
      continue;
    }
    lines.push('| scenario | failing invariants (first first) | what the oracle saw first |', '|---|---|---|');
    for (const r of fails) {
      const findings = failingFindings(r);
      const finding = findings[0];
      const all = [...new Set(findings.map((f) => f.invariant))].join(', ') || failureTitle(r);
      lines.push(`| ${r.scenario.id} ${cell(r.scenario.name)} | ${cell(all)} | ${cell(summarize(finding?.job, finding?.message ?? r.reason ?? ''))} |`);
    }
  }
  lines.push(
    '',
    'Every failure replays with `node bin/comfy-chaos.js run --client \'<client>\' --scenario <id> --transport network --seed <seed>`',
    '(`--relay <relay>` for the relays); the run\'s `index.html` shows its timeline.',
    '',
  );
  return lines.join('\n');
}

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node --import tsx scripts/report-card.ts <report dir> <out.md>');
  process.exit(2);
}
const report = readReport(dir);
for (const warning of report.warnings) console.error(`report-card: ${warning}`);
writeFileSync(out, render(report.results, report.meta));
console.log(`report-card: wrote ${out} (${report.results.length} results, ${clientsOf(report.results).length} clients)`);
