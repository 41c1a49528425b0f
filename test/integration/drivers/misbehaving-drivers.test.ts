/**
 * Drivers that misbehave towards the harness rather than towards their user (issues 11 and 12):
 * each gets its jobs judged as usual, plus an informational driver-conduct finding that says
 * what it did; none of them can make the harness hold without bound what it sends.
 * The driver is test/integration/drivers/misbehaving/driver.mjs, one mode per behaviour.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import type { ScenarioResult } from '../../../src/harness/result.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const driverPath = fileURLToPath(new URL('./misbehaving/driver.mjs', import.meta.url));
const oneJob = scenario.parse({ id: '9.1', name: 'one-short-job', purpose: 'one short job, no fault', jobs: [{ id: 'j1', prompt: sleepGraph(200, 2) }], maxRunMs: 30_000 });

function run(mode: string): Promise<ScenarioResult> {
  const client = driverClient(`misbehaving ${mode}`, { command: process.execPath, args: [driverPath, mode] }, { shutdownTimeoutMs: 500, killGraceMs: 300 });
  return runScenario(oneJob, client, { transport: 'network', seed: 1, replay: '' });
}

const conduct = (r: ScenarioResult) => r.findings.filter((f) => f.invariant === 'driver-conduct');
const clientErrors = (r: ScenarioResult, problem: string) =>
  r.trace.filter((e) => e.kind === 'client' && e.event.type === 'client_error' && e.event.problem === problem);

describe('misbehaving drivers', () => {
  it('a well-behaved driver gets no driver-conduct finding', async () => {
    const result = await run('well-behaved');
    expect(result.findings.filter((f) => !f.informational)).toEqual([]);
    expect(conduct(result)).toEqual([]);
  });

  it('a driver that ignores shutdown is killed and told so in an informational finding, not failed', async () => {
    const result = await run('ignore-shutdown');
    expect(clientErrors(result, 'shutdown')).toHaveLength(1);
    expect(conduct(result)).toEqual([
      expect.objectContaining({ informational: true, message: expect.stringMatching(/^the client ignored shutdown: .* did not exit within 500 ms of \{"type":"shutdown"\} .*stopped with SIG(TERM|KILL)/) }),
    ]);
    // Its job was judged as any other: ignoring shutdown loses nothing.
    expect(result.findings.filter((f) => !f.informational)).toEqual([]);
    expect(result.verdict).not.toBe('fail');
  });

  it('a driver that floods 100,000 progress events is bounded and reported, and its completion still counts', async () => {
    const result = await run('flood-progress');
    const progress = result.trace.filter((e) => e.kind === 'client' && e.event.type === 'progress');
    expect(progress).toHaveLength(1_000);
    expect(result.trace.length).toBeLessThan(2_000);
    expect(result.trace.some((e) => e.kind === 'client' && e.event.type === 'completed' && e.event.id === 'j1')).toBe(true);
    expect(conduct(result)).toEqual([
      expect.objectContaining({
        informational: true,
        message: expect.stringMatching(/sent more than 1000 progress events for job j1: later ones are counted.*99000 progress events past 1000 for one job were counted, not recorded/),
      }),
    ]);
    expect(result.findings.filter((f) => !f.informational)).toEqual([]);
  });

  it('lines a driver prints that are not driver events become an informational finding', async () => {
    const result = await run('junk-lines');
    expect(clientErrors(result, 'junk')).toHaveLength(3);
    expect(conduct(result)).toEqual([
      expect.objectContaining({ informational: true, message: expect.stringMatching(/^the client printed 3 line\(s\) on stdout that are not driver events, which were skipped \(first: .*Loading the SDK/) }),
    ]);
    expect(result.findings.filter((f) => !f.informational)).toEqual([]);
  });
});

describe('capabilities declared in ready (issue 12, point 8)', () => {
  const twoWindows = scenario.parse({
    id: '9.2',
    name: 'two-windows',
    purpose: 'two windows, one job each',
    jobs: [
      { id: 'a', prompt: sleepGraph(200, 2, 'a'), window: 'left' },
      { id: 'b', prompt: sleepGraph(200, 2, 'b'), window: 'right' },
    ],
    maxRunMs: 30_000,
  });
  const twoServers = scenario.parse({ id: '9.3', name: 'two-servers', purpose: 'a pool of two', servers: 2, jobs: [{ id: 'j1', prompt: sleepGraph(200, 2) }], maxRunMs: 30_000 });

  it('a scenario that needs more windows than a driver declares is skipped, saying so, and the next is skipped without a start', async () => {
    const client = driverClient('minimal', { command: process.execPath, args: [driverPath, 'well-behaved'] });
    const first = await runScenario(twoWindows, client, { transport: 'network', seed: 1, replay: '' });
    expect(first.verdict).toBe('skipped');
    expect(first.reason).toMatch(/^needs 2 windows \(separate sessions\) \(it declares windows: 1\); a client that can declares it in its ready event/);
    expect(client.capabilities).toEqual({ servers: 1, windows: 1, cancel: false });
    const second = await runScenario(twoWindows, client, { transport: 'network', seed: 1, replay: '' });
    expect(second).toMatchObject({ verdict: 'skipped', reason: first.reason, trace: [] });
  });

  it('a driver that declares two windows runs it', async () => {
    const client = driverClient('windows', { command: process.execPath, args: [driverPath, 'capabilities={"windows":2}'] });
    const result = await runScenario(twoWindows, client, { transport: 'network', seed: 1, replay: '' });
    expect(result.verdict).not.toBe('skipped');
    expect(result.trace.filter((e) => e.kind === 'client' && e.event.type === 'completed')).toHaveLength(2);
  });

  it('COMFY_URL is one URL and the pool is in COMFY_URLS', async () => {
    const client = driverClient('pool', { command: process.execPath, args: [driverPath, 'capabilities={"servers":2}'] });
    const result = await runScenario(twoServers, client, { transport: 'network', seed: 1, replay: '' });
    const logged = result.trace.find((e) => e.kind === 'client' && e.event.type === 'log');
    const message = logged?.kind === 'client' ? String(logged.event.message) : '{}';
    const env = JSON.parse(message) as { COMFY_URL: string; COMFY_URLS: string };
    expect(env.COMFY_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pool = env.COMFY_URLS.split(',');
    expect(pool).toHaveLength(2);
    expect(pool[0]).toBe(env.COMFY_URL);
  });
});
