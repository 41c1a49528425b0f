import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The source of `comfy-chaos/vitest` (the package export points at the build, dist/, which a
// checkout does not have); test/integration/package/ runs the same helpers from an installed package.
import {
  bundledDriver,
  bundledDriverCommand,
  driverClient,
  expectScenario,
  findScenarios,
  referenceClient,
  runNamedScenario,
  ScenarioAssertionError,
  scenarioTimeoutMs,
  startSimulator,
} from '../../src/testing/index.ts';

const reports = mkdtempSync(join(tmpdir(), 'cc-helpers-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

describe('comfy-chaos/vitest helpers', () => {
  it('the reference client passes 2.3 (socket dies just before executed), in virtual time', async () => {
    await expectScenario('2.3', referenceClient()).toPass();
  });

  it('the bundled naive driver (no reconnect) fails 2.3 with no-lost-completion, on the network', async () => {
    await expectScenario('2.3', bundledDriver('naive/no-reconnect')).toFailWith('no-lost-completion');
  }, scenarioTimeoutMs('2.3', bundledDriver('naive/no-reconnect')));

  it('a wrong verdict throws with the findings, the trace file it wrote, and a replay line that names the command, not the label', async () => {
    const naive = driverClient('naive', 'node clients/naive/no-reconnect.mjs');
    const error = await expectScenario('2.3', naive, { reportDir: join(reports, 'wrong-verdict') }).toPass().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioAssertionError);
    const assertion = error as ScenarioAssertionError;
    expect(assertion.code).toBe('CC_ERR_SCENARIO_ASSERTION');
    expect(assertion.message).toMatch(/^expected scenario 2\.3 against naive to pass, got:\nfail {2}2\.3 terminate-between-executing-and-executed \[naive\]/);
    expect(assertion.message).toMatch(/no-lost-completion \(job j1\): .*trace lines \d+/);
    expect(assertion.message).toMatch(/\nreplay: comfy-chaos run --client 'node clients\/naive\/no-reconnect\.mjs' --scenario 2\.3 --transport network --seed 1$/);
    // The trace the message cites exists, at the path it gives, and holds the lines it cites.
    const traceFile = /\ntrace: (\S+) /.exec(assertion.message)?.[1];
    expect(traceFile).toBe(assertion.traceFile);
    expect(traceFile!.startsWith(join(reports, 'wrong-verdict'))).toBe(true);
    const seqs = readFileSync(traceFile!, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq);
    const cited = /trace lines (\d+)/.exec(assertion.message)![1]!;
    expect(seqs).toContain(Number(cited));
    expect(existsSync(join(reports, 'wrong-verdict', 'index.html'))).toBe(true);
    expect(assertion.result.verdict).toBe('fail');
  }, scenarioTimeoutMs('2.3', driverClient('naive', 'node x.mjs')));

  it('names bundled drivers by name, with an absolute path in this installation, and refuses unknown names by listing the known ones', () => {
    expect(bundledDriverCommand('naive/no-reconnect')).toMatch(/^node \/\S+\/clients\/naive\/no-reconnect\.mjs$/);
    expect(existsSync(bundledDriverCommand('naive/strict-json').slice('node '.length))).toBe(true);
    expect(() => bundledDriver('naive/nope' as never)).toThrow(/no bundled driver "naive\/nope" \(bundled: naive\/no-reconnect, /);
  });

  it('gives a network scenario the scenario bound plus start-up as its test timeout, a memory one 30 s', () => {
    const [s23] = findScenarios(['2.3']);
    expect(scenarioTimeoutMs('2.3', bundledDriver('naive/no-reconnect'))).toBe(s23!.maxRunMs + 30_000);
    expect(scenarioTimeoutMs('2.3', referenceClient())).toBe(30_000);
  });

  it('runNamedScenario returns the judged result, and an unknown invariant is refused by name', async () => {
    const result = await runNamedScenario('terminate-mid-progress', referenceClient(), { seed: 7 });
    expect(result).toMatchObject({ verdict: 'pass', transport: 'memory', seed: 7, scenario: { id: '2.2' } });
    expect(result.replay).toBe('comfy-chaos run --client reference --scenario 2.2 --transport memory --seed 7');
    // A client built in code has no command line to print; one that carries the harness's spec replays with it.
    const inCode = { ...referenceClient() };
    expect((await runNamedScenario('2.2', inCode)).replay).toMatch(/^rerun this test \(client "reference" was built in code/);
    expect((await runNamedScenario('2.2', { ...inCode, spec: 'reference:bom-not-stripped' })).replay).toMatch(/^comfy-chaos run --client reference:bom-not-stripped --scenario 2\.2 /);
    expect(result.trace.length).toBeGreaterThan(10);
    await expect(expectScenario('2.2', referenceClient()).toFailWith('no-such-thing' as never)).rejects.toThrow(/unknown invariant "no-such-thing" \(known: no-lost-completion, /);
  });

  it('startSimulator serves a ComfyUI on 127.0.0.1 until closed', async () => {
    const sim = await startSimulator({ seed: 3 });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.wsUrl).toBe(`${sim.url.replace('http', 'ws')}/ws`);
      const queue = await (await fetch(`${sim.url}/queue`)).json();
      expect(queue).toEqual({ queue_running: [], queue_pending: [] });
    } finally {
      await sim.close();
    }
    await expect(fetch(`${sim.url}/queue`)).rejects.toThrow();
  });
});
