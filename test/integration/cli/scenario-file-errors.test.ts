/**
 * Broken scenario files that used to crash or hang `comfy-chaos run` (issue 11): each is now a
 * usage error (exit 2, a message naming the file and the path) before any scenario runs, or a
 * normal run with a report.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { cli } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-scenario-errors-'));
const sleep = { '1': { class_type: 'SimSleep', inputs: { duration_ms: 100, steps: 2, value: 'a' } }, '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } } };

function scenarioFile(extra: Record<string, unknown>, name = 'case.yaml'): string {
  const file = join(tmp(), name);
  const value = { id: '9.1', name: 'case', purpose: 'a broken file', jobs: [{ id: 'j1', prompt: sleep }], ...extra };
  writeFileSync(file, name.endsWith('.json') ? JSON.stringify(value) : stringify(value, { aliasDuplicateObjects: false }));
  return file;
}

async function runFile(file: string) {
  const report = join(tmp(), 'report');
  const run = await cli(['run', '--transport', 'memory', '--scenario', file, '--report', report]);
  return { ...run, report };
}

describe('broken scenario files (issue 11)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses 10,000 jobs at once (it used to run for hours) with exit 2 and no report', async () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({ id: `j${i}`, prompt: sleep }));
    const run = await runFile(scenarioFile({ jobs }, 'case.json'));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/case\.json is invalid:\n✖ at most 1000 jobs in one scenario\n {2}→ at jobs/);
    expect(existsSync(run.report)).toBe(false);
  });

  it('refuses an oversized fault of 1e9 bytes (it crashed with RangeError: Invalid string length)', async () => {
    const run = await runFile(scenarioFile({ faults: [{ type: 'oversized', at: { on: 'message', type: 'executed' }, bytes: 1e9 }] }));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/at most 67108864 bytes \(64 MiB\)\n {2}→ at faults\[0\]\.bytes/);
  });

  it('refuses submitAtMs: 1e300 and invariants: [] (both passed, checking nothing)', async () => {
    const run = await runFile(scenarioFile({ jobs: [{ id: 'j1', prompt: sleep, submitAtMs: 1e300 }], invariants: [] }));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/→ at jobs\[0\]\.submitAtMs/);
    expect(run.err).toMatch(/an empty list checks nothing[^\n]*\n {2}→ at invariants/);
  });

  it('refuses a !!js/function tag (it was only a warning)', async () => {
    const file = join(tmp(), 'tag.yaml');
    writeFileSync(file, `${stringify({ id: '9.1', name: 'case', purpose: 'x', jobs: [{ id: 'j1', prompt: sleep }] })}cites: !!js/function "function () {}"\n`);
    const run = await runFile(file);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/tag\.yaml is not valid YAML: Unresolved tag/);
  });

  it('refuses a FIFO named .yaml (it hung the run)', async () => {
    const file = join(tmp(), 'fifo.yaml');
    execFileSync('mkfifo', [file]);
    const run = await runFile(file);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/fifo\.yaml is a FIFO \(named pipe\), not a regular file/);
  });

  it('runs a job whose prompt is a cycle through an undeclared input (it crashed the run) to a verdict and a report', async () => {
    const cyclic = { '1': { class_type: 'PreviewAny', inputs: { source: 'a', x: ['1', 0] } } };
    const run = await runFile(scenarioFile({ jobs: [{ id: 'j1', prompt: cyclic }], expect: { j1: 'failed' } }));
    expect(run.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const results = (JSON.parse(readFileSync(join(run.report, 'results.json'), 'utf8')) as { results: Array<{ verdict: string }> }).results;
    expect(results).toHaveLength(1);
    expect([0, 1]).toContain(run.code);
  });
});
