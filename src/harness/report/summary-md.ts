import { verdictMeaning, type ScenarioResult, type Verdict } from '../result.ts';
import { clientsOf, columnOf, compareScenarioIds, describeFinding, failureTitle, formatMs, groupOf, groupTitle, sortResults, verdictCounts, verdictNote, verdicts } from './format.ts';
import type { ReportWriter } from './report-writer.ts';

/** Failures listed in full; the rest are counted (a CI job page has a size limit, GitHub's is 1 MiB). */
const MAX_FAILURES_LISTED = 50;

const icon: Record<Verdict, string> = { pass: '✅', degraded: '🟡', 'non-strict': '🟢', fail: '❌', inconclusive: '❔', skipped: '⏭️', 'harness-error': '💥' };

/** Text for a Markdown table cell: no pipes or newlines. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside it. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ' ' : ''}${text}${fence === '``' ? ' ' : ''}${fence}`;
}

function matrix(results: readonly ScenarioResult[]): string[] {
  const clients = clientsOf(results);
  const byPair = new Map(results.map((r) => [`${r.scenario.id}\u0000${columnOf(r)}`, r]));
  const scenarios = [...new Map(results.map((r) => [r.scenario.id, r.scenario])).values()].sort((a, b) => compareScenarioIds(a.id, b.id));
  const lines = [`| id | scenario | ${clients.map(cell).join(' | ')} |`, `|---|---|${clients.map(() => '---|').join('')}`];
  let group: number | undefined;
  for (const s of scenarios) {
    if (groupOf(s.id) !== group) {
      group = groupOf(s.id);
      lines.push(`| **${cell(groupTitle(group))}** | | ${clients.map(() => '').join(' | ')} |`);
    }
    const cells = clients.map((c) => {
      const r = byPair.get(`${s.id}\u0000${c}`);
      if (!r) return '';
      const why = failureTitle(r);
      return `${icon[r.verdict]} ${r.verdict}${why ? ` (${cell(why)})` : ''}`;
    });
    lines.push(`| ${s.id} | ${cell(s.name)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function failure(r: ScenarioResult): string[] {
  return [
    `### ❌ ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}`,
    '',
    `${r.scenario.purpose}${r.scenario.cites ? ` (${r.scenario.cites})` : ''}`,
    '',
    `Failed invariant: **${failureTitle(r)}**${r.reason ? `: ${r.reason}` : ''}`,
    '',
    ...r.findings.map((f) => `- ${f.informational ? '(informational) ' : ''}${describeFinding(f)}`),
    ...(r.unfired ?? []).map((u) => `- (fault ${u.firedAt === undefined ? 'never fired' : 'acted on nothing'}) ${u.fault}: ${u.why}`),
    ...(r.findings.length ? [''] : []),
    '```sh',
    r.replay,
    '```',
    '',
  ];
}

/**
 * summary.md for CI job pages (e.g. `$GITHUB_STEP_SUMMARY`): counts per verdict, the scenario x
 * client matrix, then harness errors (with the stack), each failure with its findings and replay
 * command, inconclusive runs (each fault that never fired, and why), non-strict, degraded and
 * skipped ones.
 */
export const summaryMd: ReportWriter = (results, meta) => {
  const sorted = sortResults(results);
  const counts = verdictCounts(sorted);
  const failures = sorted.filter((r) => r.verdict === 'fail');
  const lines = [
    `# comfy-chaos: ${meta.run}`,
    '',
    `${code(meta.command)} · seed ${meta.seed} · ${meta.transport} transport · started ${meta.startedAt}` +
      (meta.mergedFrom ? ` · merged from ${meta.mergedFrom.length} reports` : ''),
    '',
    `**${counts.fail ? `${counts.fail} failed` : 'No failures'}**${counts['harness-error'] ? `, **${counts['harness-error']} harness errors**` : ''} in ${sorted.length} results (scenario × client).`,
    '',
    '| verdict | count | means |',
    '|---|---|---|',
    ...verdicts.map((v) => `| ${icon[v]} ${v} | ${counts[v]} | ${cell(verdictMeaning[v])} |`),
    '',
    '## Scenarios × clients',
    '',
    ...matrix(sorted),
    '',
  ];
  const errors = sorted.filter((r) => r.verdict === 'harness-error');
  if (errors.length) {
    lines.push('## Harness errors (comfy-chaos failed, not the client)', '');
    for (const r of errors) {
      lines.push(`### 💥 ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}`, '', '```text', verdictNote(r, 12) ?? '', '```', '', '```sh', r.replay, '```', '');
    }
  }
  if (failures.length) {
    lines.push('## Failures', '');
    for (const r of failures.slice(0, MAX_FAILURES_LISTED)) lines.push(...failure(r));
    if (failures.length > MAX_FAILURES_LISTED) lines.push(`…and ${failures.length - MAX_FAILURES_LISTED} more failures: see junit.xml or index.html.`, '');
  }
  const inconclusive = sorted.filter((r) => r.verdict === 'inconclusive');
  if (inconclusive.length) {
    lines.push('## Inconclusive (a fault never fired: nothing was tested)', '');
    for (const r of inconclusive) {
      const unfired = r.unfired?.length ? r.unfired.map((u) => `${u.fault}: ${u.why}`).join('; ') : (r.reason ?? 'a fault never fired');
      lines.push(`- ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}: ${cell(unfired)}`);
    }
    lines.push('');
  }
  const nonStrict = sorted.filter((r) => r.verdict === 'non-strict');
  if (nonStrict.length) {
    lines.push('## Non-strict (correct, but gave up where a retry would have succeeded)', '', ...nonStrict.map((r) => `- ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}: ${cell(r.reason ?? 'gave up')}`), '');
  }
  const degraded = sorted.filter((r) => r.verdict === 'degraded');
  if (degraded.length) {
    lines.push('## Degraded', '', ...degraded.map((r) => `- ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}: ${r.reason ?? 'slower than its latency bound'} (${formatMs(r.runMs)})`), '');
  }
  const skipped = sorted.filter((r) => r.verdict === 'skipped');
  if (skipped.length) {
    lines.push('## Skipped', '', ...skipped.map((r) => `- ${r.scenario.id} ${r.scenario.name} × ${columnOf(r)}: ${r.reason ?? 'no reason given'}`), '');
  }
  return [{ name: 'summary.md', text: lines.join('\n') }];
};
