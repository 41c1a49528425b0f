import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceToJsonLines } from '../../simulator/index.ts';
import type { ScenarioResult } from '../memory-runner.ts';

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** One line per finding, with the trace lines that show it. */
export function describeFindings(result: ScenarioResult): string[] {
  return result.findings.map((f) => `${f.invariant} (job ${f.job}): ${f.message}; trace lines ${f.evidence.join(', ')}`);
}

/**
 * Writes `results.json`, `junit.xml`, `summary.md` and one `trace-<scenario>.jsonl` per result
 * into `dir`. Returns the paths written.
 */
export function writeReport(dir: string, results: readonly ScenarioResult[], replay: (r: ScenarioResult) => string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    written.push(path);
  };
  for (const r of results) write(`trace-${r.scenario.id}-${r.client}.jsonl`, traceToJsonLines(r.trace));
  write(
    'results.json',
    JSON.stringify(
      results.map(({ trace: _trace, ...rest }) => ({ ...rest, replay: replay(rest as ScenarioResult), trace: `trace-${rest.scenario.id}-${rest.client}.jsonl` })),
      null,
      2,
    ) + '\n',
  );
  const failures = results.filter((r) => r.verdict === 'fail').length;
  const cases = results
    .map((r) => {
      const name = xmlEscape(`${r.scenario.id} ${r.scenario.name}`);
      const time = (r.wallMs / 1000).toFixed(3);
      if (r.verdict === 'pass') return `    <testcase classname="${xmlEscape(r.client)}" name="${name}" time="${time}"/>`;
      const message = xmlEscape(describeFindings(r).join('\n'));
      return `    <testcase classname="${xmlEscape(r.client)}" name="${name}" time="${time}">\n      <failure message="${xmlEscape(r.findings[0]?.invariant ?? 'fail')}">${message}\nreplay: ${xmlEscape(replay(r))}</failure>\n    </testcase>`;
    })
    .join('\n');
  write(
    'junit.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="comfy-chaos" tests="${results.length}" failures="${failures}">\n  <testsuite name="comfy-chaos" tests="${results.length}" failures="${failures}">\n${cases}\n  </testsuite>\n</testsuites>\n`,
  );
  const rows = results.map(
    (r) => `| ${r.scenario.id} | ${r.scenario.name} | ${r.client} | ${r.verdict} | ${r.verdict === 'pass' ? '' : describeFindings(r).join('<br>')} |`,
  );
  write(
    'summary.md',
    `# comfy-chaos report\n\n${results.length - failures} passed, ${failures} failed\n\n| id | scenario | client | verdict | findings |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
  return written;
}
