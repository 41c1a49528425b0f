import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { route, textResponse } from '../../../src/simulator/index.ts';
import { executePlan } from '../../../src/harness/run-plan.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import { scenario as scenarioSchema } from '../../../src/scenarios/scenario.ts';
import { sleepGraph, txt2imgGraph } from '../../helpers/graphs.ts';

/**
 * Issue 11: whatever goes wrong inside the simulator, a client's request never ends a harness
 * run. The scenario ends `harness-error` (not the client's `fail`), carrying the stack, and the
 * run goes on with the next scenario.
 */
const root = join(import.meta.dirname, '../../..');
const hostileDriver = `${process.execPath} ${join(root, 'test/helpers/drivers/hostile-requests.mjs')}`;

interface StoredResult {
  scenario: { id: string };
  verdict: string;
  reason?: string;
  harnessError?: { where: string; message: string; stack?: string };
}

/** `comfy-chaos run` in a process of its own: an error nobody caught would end it, as it would a user's run. */
function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return runNode([join(root, 'bin/comfy-chaos.js'), 'run', ...args], timeoutMs);
}

/** Node with these arguments, killed after `timeoutMs`. */
function runNode(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, CI: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('a harness run survives whatever happens inside the simulator', () => {
  it('the requests that used to kill the simulator end their scenario (harness-error at worst), and the next scenario is judged normally', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-hostile-'));
    const file = join(dir, 'hostile.json');
    const bounds = { latencyBoundMs: 5_000, recoveryBoundMs: 5_000, maxRunMs: 30_000 };
    writeFileSync(
      file,
      JSON.stringify({
        scenarios: [
          { id: '9.1', name: 'hostile-requests', purpose: 'the driver sends the requests that used to kill the simulator, then a normal job', jobs: [{ id: 'attack', prompt: txt2imgGraph({ steps: 2 }) }], ...bounds },
          { id: '9.2', name: 'plain-job-after', purpose: 'a plain job in the same run', jobs: [{ id: 'j1', prompt: sleepGraph(200, 2, 'after') }], ...bounds },
        ],
      }),
    );
    const report = join(dir, 'report');
    const run = await runCli(['--client', hostileDriver, '--scenario', file, '--transport', 'network', '--concurrency', '1', '--report', report], 120_000);
    // The run ended by itself, with its summary and a report of both scenarios.
    expect(run.out, run.out + run.err).toMatch(/\d+ passed, \d+ degraded, \d+ failed, \d+ skipped/);
    expect(existsSync(join(report, 'results.json')), run.out + run.err).toBe(true);
    const results = (JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: StoredResult[] }).results;
    const byId = new Map(results.map((r) => [r.scenario.id, r]));
    const hostile = byId.get('9.1');
    // Before the simulator's fixes these requests end in harness-error; after them, the job simply passes.
    expect(['harness-error', 'pass'], JSON.stringify(hostile, null, 2)).toContain(hostile?.verdict);
    if (hostile?.verdict === 'harness-error') {
      expect(hostile.harnessError?.stack).toMatch(/\n\s+at /);
      expect(hostile.reason).toMatch(/not the client/);
      expect(run.code).toBe(1);
    }
    expect(byId.get('9.2')?.verdict, run.out).toBe('pass');
  }, 150_000);

  it('a simulator route that throws ends that scenario harness-error with the stack; the next scenario of the same run passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-forced-'));
    // The route throws only in the first scenario (the reference client confirms completion from /history).
    let armed = true;
    const exploding = route.get('/history/*', () => {
      if (!armed) return undefined;
      throw new Error('forced simulator bug (test)');
    });
    const [plain] = findScenarios(['6.1']);
    const first = scenarioSchema.parse({ ...plain!, id: '9.3', name: 'route-throws' });
    const second = scenarioSchema.parse({ ...plain!, id: '9.4', name: 'after-the-throw' });
    const out = {
      text: '',
      write(chunk: string) {
        this.text += chunk;
        if (/^\S{4} {2}9\.3 /.test(chunk)) armed = false; // the first scenario's line: disarm for the next
        return true;
      },
    };
    const results = await executePlan(
      { scenarios: [first, second], clients: ['reference'], transport: 'memory', seed: 1, concurrency: 1, reportDir: join(dir, 'report'), strict: false, simulatorRoutes: [exploding] },
      out as unknown as NodeJS.WritableStream,
    );
    const [broken, after] = results;
    expect(broken?.verdict, out.text).toBe('harness-error');
    expect(broken?.harnessError?.message).toMatch(/forced simulator bug/);
    expect(broken?.harnessError?.stack).toMatch(/harness-errors\.test\.ts/);
    expect(broken?.findings.every((f) => f.informational)).toBe(true);
    expect(after?.verdict, out.text).toBe('pass');
    expect(out.text).toMatch(/HERR {2}9\.3/);
    const junit = readFileSync(join(dir, 'report', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<error message="[^"]*forced simulator bug[^"]*" type="harness-error">/);
    expect(junit).toMatch(/errors="1"/);
  }, 60_000);

  it('an unhandled rejection and an uncaught exception inside the simulator end their scenarios harness-error; the process lives on and the next scenario passes', async () => {
    // In a process of its own: vitest counts such errors against the test file, whoever handles them.
    const child = await runNode(['--import', 'tsx', join(root, 'test/helpers/guarded-plan.ts')], 120_000);
    expect(child.code, child.err).toBe(0);
    const results = JSON.parse(child.out.trim().split('\n').at(-1)!) as { id: string; verdict: string; error?: string; stack?: string }[];
    expect(results.map((r) => [r.id, r.verdict])).toEqual([['9.1', 'harness-error'], ['9.2', 'harness-error'], ['9.3', 'pass']]);
    expect(results[0]!.error).toBe('unhandled rejection: forced unhandled rejection (test)');
    expect(results[1]!.error).toBe('uncaught exception: forced uncaught exception (test)');
    expect(results[0]!.stack).toMatch(/guarded-plan\.ts/);
  }, 150_000);

  it('a run that throws before it even starts (a broken scenario object) is harness-error, and the plan goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-throws-'));
    const [plain] = findScenarios(['6.1']);
    // Not from a file (zod would refuse it): a TypeScript caller's object with a field missing.
    const broken = { ...plain!, id: '9.5', name: 'no-transports', transports: undefined } as unknown as typeof plain & object;
    const results = await executePlan(
      { scenarios: [broken, scenarioSchema.parse({ ...plain!, id: '9.6', name: 'fine' })], clients: ['reference'], transport: 'memory', seed: 1, concurrency: 1, reportDir: join(dir, 'report'), strict: false },
      { write: () => true } as unknown as NodeJS.WritableStream,
    );
    expect(results.map((r) => r.verdict)).toEqual(['harness-error', 'pass']);
    expect(results[0]!.harnessError?.stack).toMatch(/runner\.ts/);
  }, 60_000);
});
