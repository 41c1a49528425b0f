import { describeFault, fault as faultSchema } from '../../protocol/index.ts';
import { coverageLine } from '../hunt/format.ts';
import { describeFinding } from '../oracle/index.ts';
import type { FuzzReport } from './fuzz.ts';

/**
 * Renders a search's report for people, apart from the search itself (as fast-check's
 * RunDetailsFormatter does): a summary line, and for a failure the shrunk schedule one fault per
 * line, the failing invariants, `{ seed, path }` and the commands that fail again. Harness errors
 * (ours, never the client's) are said apart, as the hunt says them.
 */
export function formatFuzzReport(r: FuzzReport): string[] {
  const head = `${r.scenariosRun} scenarios in ${(r.wallMs / 1000).toFixed(1)} s (${r.schedulesPerSecond}/s), ${r.transport} transport, client ${r.clientSpec}, seed ${r.seed}`;
  const f = r.failure;
  const harness = r.hunt.harnessErrors;
  const harnessLine = harness.length
    ? [`${harness.length} harness error${harness.length === 1 ? '' : 's'} (a bug of comfy-chaos, not of the client; please report it): ${harness[0]!.result.harnessError?.message ?? harness[0]!.result.reason ?? ''}`]
    : [];
  if (!f) {
    const skipped = r.numSkips ? `, ${r.numSkips} skipped` : '';
    return [`ok: no counterexample in ${r.numRuns} runs${skipped}${r.interrupted ? ' (stopped by the time limit)' : ''}; ${head}`, `  coverage: ${coverageLine(r.hunt)}`, ...harnessLine];
  }
  const s = f.case.scenario;
  const lines = [
    `FAIL: counterexample after ${r.numRuns} runs, shrunk ${r.numShrinks} times${r.interrupted ? ' (shrinking stopped by the time limit)' : ''}; ${head}`,
    `  bug: ${f.bug.summary}`,
    `  scenario: ${s.purpose}`,
    `  jobs: ${s.jobs.map((j) => `${j.id}${j.submitAtMs ? `@${j.submitAtMs}ms` : ''}${j.cancelAtMs === undefined ? '' : ` cancel@${j.cancelAtMs}ms`}`).join(', ')}; servers ${s.servers ?? 1}`,
    `  faults (${s.faults?.length ?? 0}):`,
    ...(s.faults ?? []).map((x) => `    ${describeFault(faultSchema.parse(x))}`),
    `  verdict: ${f.result.verdict}`,
    ...f.result.findings.filter((x) => !x.informational).map((x) => `    ${describeFinding(x)}`),
    `  { seed: ${r.seed}, path: "${f.path}" }`,
    ...(f.files ? [`  shrunk scenario: ${f.files.scenario}`, `  report: ${f.files.report.find((p) => p.endsWith('index.html')) ?? f.files.report[0]}`] : []),
    `  fails again: ${f.commands.run}`,
    `  replay the search: ${f.commands.fuzz}`,
    ...harnessLine,
  ];
  return lines;
}
