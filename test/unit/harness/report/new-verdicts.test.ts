import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readReport, writeReport, type ReportMeta } from '../../../../src/harness/report/index.ts';
import { Progress } from '../../../../src/harness/report/progress.ts';
import { exitCodeOf, parseFailOn } from '../../../../src/harness/run-plan.ts';
import { UsageError } from '../../../../src/harness/usage-error.ts';
import { verdictNames, type ScenarioResult } from '../../../../src/harness/result.ts';
import { jobTrace, result } from './fixtures.ts';

/** How each report writer shows the verdicts harness-error, inconclusive and non-strict (issue 11, 12). */
const meta: ReportMeta = { run: 'verdicts', seed: 1, transport: 'network', startedAt: '2026-01-01T00:00:00.000Z', command: 'comfy-chaos run' };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function threeVerdicts(): ScenarioResult[] {
  const trace = jobTrace().trace;
  return [
    {
      ...result({ id: '1.1', name: 'broken-inside', verdict: 'harness-error', reason: 'comfy-chaos itself failed (engine), not the client: RangeError: deep; trace line 3', trace }),
      harnessError: { where: 'engine', message: 'RangeError: deep', stack: 'RangeError: deep\n    at cache (node-cache.ts:10:3)', seq: 3 },
    },
    {
      ...result({ id: '1.2', name: 'never-fired', verdict: 'inconclusive', reason: 'fault "restart before execution_start" never fired: no execution_start was sent', trace }),
      unfired: [{ fault: 'restart before execution_start', faultType: 'restart', why: 'no execution_start was sent: the client submitted without client_id' }],
    },
    result({
      id: '1.3',
      name: 'gave-up',
      verdict: 'non-strict',
      reason: 'job j1: POST /prompt answered 500, nothing was queued',
      trace,
      findings: [{ invariant: 'expected-outcome', job: 'j1', message: 'expected completed, the client reported failed (error)', evidence: [2], informational: true, cause: 'http_status at 0ms at line 1; then POST /prompt answered 500 (http_status 500) at line 2' }],
    }),
  ];
}

function written(results: ScenarioResult[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-verdicts-'));
  dirs.push(dir);
  writeReport(dir, results, meta);
  return dir;
}

describe('report writers and the new verdicts', () => {
  it('JUnit: harness-error is an <error> with the stack, inconclusive a <skipped> saying which fault, non-strict a pass with a property', () => {
    const xml = readFileSync(join(written(threeVerdicts()), 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<error message="comfy-chaos itself failed \(engine\), not the client: RangeError: deep; trace line 3" type="harness-error">[^<]*at cache \(node-cache\.ts:10:3\)/);
    expect(xml).toMatch(/<skipped message="inconclusive: fault &quot;restart before execution_start&quot; never fired: no execution_start was sent"\/>/);
    expect(xml).toMatch(/name="1\.3 gave-up"[^>]*>\s*<properties><property name="verdict" value="non-strict"\/><\/properties>\s*<system-out>non-strict: job j1/);
    expect(xml).toMatch(/<testsuites name="comfy-chaos verdicts" tests="3" failures="0" errors="1" skipped="1"/);
  });

  it('results.json keeps the stack, the unfired faults and each finding\'s cause; read back, they are equal', () => {
    const results = threeVerdicts();
    const back = readReport(written(results)).results;
    expect(back.map((r) => r.verdict)).toEqual(['harness-error', 'inconclusive', 'non-strict']);
    expect(back[0]!.harnessError).toEqual(results[0]!.harnessError);
    expect(back[1]!.unfired).toEqual(results[1]!.unfired);
    expect(back[2]!.findings[0]!.cause).toBe(results[2]!.findings[0]!.cause);
  });

  it('summary.md and index.html list and colour each verdict', () => {
    const dir = written(threeVerdicts());
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/## Harness errors \(comfy-chaos failed, not the client\)[\s\S]*at cache \(node-cache\.ts:10:3\)/);
    expect(md).toMatch(/## Inconclusive[\s\S]*1\.2 never-fired × reference: restart before execution_start: no execution_start was sent: the client submitted without client_id/);
    expect(md).toMatch(/## Non-strict[\s\S]*1\.3 gave-up/);
    for (const v of verdictNames) expect(md).toMatch(new RegExp(`\| \S+ ${v} \| \d+ \| [a-z]`));
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    for (const v of ['harness-error', 'inconclusive', 'non-strict']) {
      expect(html).toContain(`class="cell v-${v}"`);
      expect(html).toMatch(new RegExp(`\\.cell\\.v-${v} \\{ background`));
    }
  });

  it('progress lines: a mark per verdict, the stack of a harness error, every unfired fault, and the summary counts', () => {
    let text = '';
    const out = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
    const progress = new Progress(out, 3);
    const results = threeVerdicts();
    for (const r of results) progress.finished(r);
    progress.summary(results, 'reports/x');
    expect(text).toMatch(/^HERR {2}1\.1 /m);
    expect(text).toMatch(/^ {10}at cache \(node-cache\.ts:10:3\)$/m);
    expect(text).toMatch(/^INCO {2}1\.2 [\s\S]*not fired: restart before execution_start: no execution_start was sent: the client submitted without client_id/m);
    expect(text).toMatch(/^nstr {2}1\.3 [\s\S]*cause: http_status at 0ms/m);
    expect(text).toMatch(/0 passed, 0 degraded, 0 failed, 0 skipped, 1 non-strict, 1 inconclusive, 1 harness-error; report in reports\/x/);
  });
});

describe('a failure that stands although a fault never fired', () => {
  it('says which fault did not fire, in the progress line, JUnit and summary.md', () => {
    const failed: ScenarioResult = {
      ...result({ id: '2.1', name: 'phantom-anyway', verdict: 'fail', reason: 'no-phantom (job j1): reported completed', findings: [{ invariant: 'no-phantom', job: 'j1', message: 'reported completed, the server says error', evidence: [3] }], trace: jobTrace().trace }),
      unfired: [{ fault: 'terminate before executed', faultType: 'terminate', why: 'no executed was sent of prompt 1' }],
    };
    let text = '';
    new Progress({ write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream, 1).finished(failed);
    expect(text).toMatch(/^FAIL {2}2\.1 [\s\S]*not fired: terminate before executed: no executed was sent of prompt 1/m);
    const dir = written([failed]);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<failure [^>]*>[^<]*not fired: terminate before executed/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/- \(fault never fired\) terminate before executed: no executed was sent of prompt 1/);
  });
});

describe('--fail-on', () => {
  it('defaults to fail and harness-error; takes comma- or space-separated verdicts', () => {
    expect(parseFailOn(undefined)).toEqual(['fail', 'harness-error']);
    expect(parseFailOn(['fail,inconclusive', 'non-strict'])).toEqual(['fail', 'inconclusive', 'non-strict']);
    const verdicts = threeVerdicts();
    expect(exitCodeOf(verdicts)).toBe(1);
    expect(exitCodeOf(verdicts.slice(1))).toBe(0);
    expect(exitCodeOf(verdicts.slice(1), parseFailOn('inconclusive'))).toBe(1);
  });

  it('an unknown verdict is a usage error naming it and the known ones', () => {
    expect(() => parseFailOn(['fail,flaky'])).toThrow(UsageError);
    expect(() => parseFailOn(['fail,flaky'])).toThrow(/unknown verdict "flaky" \(known: pass, degraded, non-strict, fail, inconclusive, skipped, harness-error\)/);
    expect(() => parseFailOn([','])).toThrow(/needs at least one verdict/);
  });
});
