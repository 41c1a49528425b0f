import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { writeReport } from '../report/index.ts';
import type { ScenarioResult } from '../result.ts';
import type { HuntBug, HuntReport } from './engine.ts';

/** What `bugs.json` holds for one bug (issue 15, "Output"). */
export interface BugRecord {
  id: number;
  summary: string;
  invariants: string[];
  faultFamilies: string[];
  phases: string[];
  symptom: HuntBug['signature']['symptom'];
  faults: unknown[];
  scenarioFile: string;
  replay: string;
  /** The shrunk case's search path: `comfy-chaos fuzz --seed <seed> --path <it>` finds it again and runs it. */
  searchPath?: string;
  /** The trace file and the report page of the shrunk run. */
  trace?: string;
  report: string;
  verdict: string;
  findings: { invariant: string; job?: string; message: string; cause?: string }[];
  foundAtMs: number;
  foundAfterScenarios: number;
  shrunkAtMs?: number;
  shrinkRuns: number;
  shrinkDone: boolean;
  seen: number;
}

/** The shrunk scenario as a scenario file, with how it was found and how to replay it as comments. */
export function bugScenarioYaml(bug: HuntBug, report: Pick<HuntReport, 'seed' | 'clientSpec'>): string {
  const header = [
    `# Bug ${bug.id} of ${report.clientSpec}, found by the comfy-chaos search (hunt, fuzz; seed ${report.seed}) and shrunk in ${bug.shrinkRuns} runs:`,
    `# ${bug.summary}`,
    ...bug.shrunk.result.findings.filter((f) => !f.informational).map((f) => `#   ${f.invariant}: ${f.message}`.replace(/\n/g, ' ')),
    `# fails again with: ${bug.replay}`,
    ...(bug.shrunk.case.path ? [`# search path (seed ${report.seed}): ${bug.shrunk.case.path}`] : []),
  ];
  return `${header.join('\n')}\n${toYaml(bug.shrunk.scenario, { lineWidth: 0 })}`;
}

/** A bug's shrunk run as the report shows it: named after the bug, with its replay command. */
function asResult(bug: HuntBug): ScenarioResult {
  const r = bug.shrunk.result;
  return { ...r, scenario: { ...r.scenario, id: `bug-${bug.id}`, name: `bug ${bug.id}`, purpose: bug.summary }, replay: bug.replay };
}

/**
 * Writes the hunt's output into `dir`: `bug-<n>.yaml` for each bug (`run --scenario` takes it),
 * `bugs.json`, and the report of the shrunk runs (index.html lists the bugs, each opening its
 * timeline; traces/; results.json; junit.xml; summary.md). Returns the files written.
 */
export function writeHuntOutput(dir: string, report: HuntReport, command: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const bug of report.bugs) {
    writeFileSync(bug.scenarioFile, bugScenarioYaml(bug, report));
    written.push(bug.scenarioFile);
  }
  const harnessErrors = report.harnessErrors.slice(0, 20).map((h, i) => ({ ...h.result, scenario: { ...h.result.scenario, id: `harness-error-${i + 1}`, name: `harness error ${i + 1}` } }));
  const files = writeReport(dir, [...report.bugs.map(asResult), ...harnessErrors], { run: dir, seed: report.seed, transport: report.transport, startedAt: new Date().toISOString(), command });
  written.push(...files);
  const page = files.find((f) => f.endsWith('index.html')) ?? join(dir, 'index.html');
  const records: BugRecord[] = report.bugs.map((bug) => {
    const trace = files.find((f) => f.includes(`trace-bug-${bug.id}-`));
    return {
      id: bug.id,
      summary: bug.summary,
      invariants: bug.signature.invariants,
      faultFamilies: bug.signature.families,
      phases: bug.signature.phases,
      symptom: bug.signature.symptom,
      faults: bug.shrunk.case.faults,
      scenarioFile: bug.scenarioFile,
      replay: bug.replay,
      ...(bug.shrunk.case.path ? { searchPath: bug.shrunk.case.path } : {}),
      ...(trace ? { trace } : {}),
      report: page,
      verdict: bug.shrunk.result.verdict,
      findings: bug.shrunk.result.findings.filter((f) => !f.informational).map((f) => ({ invariant: f.invariant, message: f.message, ...(f.job ? { job: f.job } : {}), ...(f.cause ? { cause: f.cause } : {}) })),
      foundAtMs: bug.foundAtMs,
      foundAfterScenarios: bug.foundAfter,
      ...(bug.shrunkAtMs === undefined ? {} : { shrunkAtMs: bug.shrunkAtMs }),
      shrinkRuns: bug.shrinkRuns,
      shrinkDone: bug.shrinkDone,
      seen: bug.seen,
    };
  });
  const json = {
    client: report.clientSpec,
    transport: report.transport,
    seed: report.seed,
    ...(report.comfyui ? { comfyui: report.comfyui } : {}),
    scenarios: report.scenarios,
    wallMs: report.wallMs,
    scenariosPerSecond: report.perSecond,
    coverage: report.coverage,
    bugs: records,
    harnessErrors: report.harnessErrors.slice(0, 20).map((h) => ({ scenario: h.scenario, message: h.result.harnessError?.message ?? h.result.reason ?? '' })),
  };
  const bugsJson = join(dir, 'bugs.json');
  writeFileSync(bugsJson, `${JSON.stringify(json, null, 2)}\n`);
  written.push(bugsJson);
  return written;
}
