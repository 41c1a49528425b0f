/**
 * The card's version sections: a row per client with a column per ComfyUI profile, then "What
 * changes between versions", every difference grouped by its cause (version-notes.ts).
 */
import { compareScenarioIds } from '../../src/harness/report/format.ts';
import type { ScenarioResult } from '../../src/harness/result.ts';
import { describeClient } from './clients.ts';
import { profileOf } from './merge.ts';
import { describeChanges, explainChanges, profilesOf, versionChanges, type Explanation, type VersionNote } from './version-changes.ts';

/** Text for a Markdown table cell: no pipes or newlines. */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** `41/77 (1.1, 2.3)`: passed or degraded / run (skipped not counted), then the failing scenarios. */
function tally(results: readonly ScenarioResult[]): string {
  const run = results.filter((r) => r.verdict !== 'skipped');
  if (!run.length) return results.length ? 'all skipped' : 'not run';
  const fails = run.filter((r) => r.verdict === 'fail').map((r) => r.scenario.id).sort(compareScenarioIds);
  return `${run.filter((r) => r.verdict === 'pass' || r.verdict === 'degraded').length}/${run.length}${fails.length ? ` (fail ${fails.join(', ')})` : ''}`;
}

function versionTable(results: readonly ScenarioResult[], profiles: readonly string[]): string[] {
  const clients = [...new Set(results.map((r) => r.client))];
  const lines = [
    `| client | ${profiles.map(cell).join(' | ')} |`,
    `|---|${profiles.map(() => '---|').join('')}`,
  ];
  for (const client of clients) {
    const cells = profiles.map((p) => tally(results.filter((r) => r.client === client && profileOf(r) === p)));
    lines.push(`| ${cell(describeClient(client).label)} | ${cells.map(cell).join(' | ')} |`);
  }
  return lines;
}

function changeSection(explanation: Explanation): string[] {
  const lines: string[] = [];
  const entry = (client: string, text: string) => `- **${describeClient(client).label}**: ${text}`;
  for (const group of explanation.groups.filter((g) => g.kind === 'client')) {
    lines.push('', `### ${group.cause}`, '');
    for (const e of group.entries) lines.push(entry(e.client, `${describeChanges(e.changes)}. ${e.why}`));
  }
  const noise = explanation.groups.filter((g) => g.kind === 'noise');
  if (noise.length) {
    lines.push('', '### Flips that did not reproduce (load on the machine, not the version)', '');
    for (const group of noise) for (const e of group.entries) lines.push(entry(e.client, `${describeChanges(e.changes)}. ${group.cause}: ${e.why}`));
  }
  if (explanation.unexplained.length) {
    lines.push('', '### Not yet explained', '', 'Not yet replayed alone or traced to the client\'s code: treat them as unconfirmed.', '');
    const clients = [...new Set(explanation.unexplained.map((c) => c.client))];
    for (const client of clients) lines.push(entry(client, describeChanges(explanation.unexplained.filter((c) => c.client === client))));
  }
  return lines;
}

/** Both version sections, or nothing when the results ran on one profile. */
export function byVersion(results: readonly ScenarioResult[], notes: readonly VersionNote[]): { lines: string[]; explanation?: Explanation } {
  const profiles = profilesOf(results);
  if (profiles.length < 2) return { lines: [] };
  const changes = versionChanges(results);
  const explanation = explainChanges(changes, notes);
  const lines = [
    '',
    '## By ComfyUI version',
    '',
    'The same scenarios against each profile of `src/simulator/profiles` (docs/comfyui-protocol.md, "ComfyUI versions and fronts"): passed (or degraded) / run, skipped not counted, then the failing scenarios. A client run on some profiles only says "not run" on the others.',
    '',
    ...versionTable(results, profiles),
    '',
    '## What changes between versions',
    '',
    changes.length
      ? `${changes.length} scenario verdicts differ between profiles. Each explained one was replayed alone for that client and profile (\`run --scenario <id> --client <client> --comfyui <profile> --transport network\`); the file and line are the client's own code.`
      : 'Nothing: every client has the same verdict on every profile it ran on.',
    ...changeSection(explanation),
  ];
  return { lines, explanation };
}
