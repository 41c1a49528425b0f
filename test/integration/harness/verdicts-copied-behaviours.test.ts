import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import { scenario as scenarioSchema, type Scenario, type ScenarioInput } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../helpers/graphs.ts';

/**
 * Issue 12, points 2-6, end to end on the network transport: small drivers that copy one library
 * behaviour each (test/helpers/drivers/copied-behaviours.mjs) get the verdict a client author
 * would agree with, and the reference driver still passes the same scenarios.
 */
const root = join(import.meta.dirname, '../../..');
const copied = (mode: string) => driverClient(`copied ${mode}`, { command: process.execPath, args: [join(root, 'test/helpers/drivers/copied-behaviours.mjs'), mode] }, { cwd: root });
const reference = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });

const catalogueScenario = (id: string) => findScenarios([id])[0]!;
const own = (input: Omit<ScenarioInput, 'id' | 'name' | 'purpose'> & { name: string }): Scenario =>
  scenarioSchema.parse({ id: '9.9', purpose: 'verdict test', latencyBoundMs: 3_000, recoveryBoundMs: 5_000, maxRunMs: 30_000, ...input });

/** A restart on the `execution_start` frame: only a client that sent client_id ever gets that frame. */
const restartOnExecutionStart = own({
  name: 'restart-on-execution-start-frame',
  jobs: [{ id: 'j1', prompt: sleepGraph(800, 4, 'restart') }],
  faults: [{ type: 'restart', downMs: 300, loseState: true, at: { on: 'message', type: 'execution_start' } }],
  expect: { j1: 'lost' },
});

const run = (s: Scenario, client: ReturnType<typeof copied>) => runScenario(s, client, { transport: 'network', seed: 5, replay: `scenario ${s.id}` });

describe('verdicts a client author can trust (copied library behaviours)', () => {
  it('a fault that never fired is inconclusive, saying why; the same scenario still judges a client that got the fault', async () => {
    const [withoutId, ref] = await Promise.all([run(restartOnExecutionStart, copied('no-client-id')), run(restartOnExecutionStart, reference)]);
    expect(withoutId.verdict, withoutId.reason).toBe('inconclusive');
    expect(withoutId.unfired?.[0]?.why).toMatch(/no execution_start was sent: the client submitted without client_id/);
    expect(withoutId.reason).toMatch(/restart .*never fired/);
    expect(ref.verdict, ref.reason).toBe('pass');
    expect(ref.unfired).toBeUndefined();
  }, 60_000);

  it('giving up on a refused POST /prompt is non-strict, not fail; a client that loses a queued job still fails, with the server success in its evidence', async () => {
    const [gaveUp, failFast] = await Promise.all([
      run(catalogueScenario('3.4'), copied('give-up-on-refusal')),
      run(own({ name: 'one-second-job', jobs: [{ id: 'j1', prompt: sleepGraph(1_000, 4, 'fast') }] }), copied('fail-fast')),
    ]);
    expect(gaveUp.verdict, gaveUp.reason).toBe('non-strict');
    expect(gaveUp.reason).toMatch(/POST \/prompt .*answered 500.*nothing was queued.*a retry would have succeeded/);
    expect(gaveUp.counts).toMatchObject({ acknowledged: 0, lost: 0, duplicated: 0, phantom: 0 });
    // Point 4: the run waited for the server, so the job's later success is recorded and counted.
    expect(failFast.verdict).toBe('fail');
    expect(failFast.counts).toMatchObject({ completedOnServer: 1, lost: 1 });
    const success = failFast.trace.find((e) => e.kind === 'prompt' && e.event === 'success');
    const lost = failFast.findings.find((f) => f.invariant === 'no-lost-completion');
    expect(lost?.evidence).toContain(success?.seq);
  }, 60_000);

  it('a naive driver still fails what it should, with the fault and the connection events after it in the evidence', async () => {
    const naive = driverClient('naive no-reconnect', { command: process.execPath, args: [join(root, 'clients/naive/no-reconnect.mjs')] }, { cwd: root });
    const dropped = await run(catalogueScenario('2.3'), naive);
    expect(dropped.verdict).toBe('fail');
    const lost = dropped.findings.find((f) => f.invariant === 'no-lost-completion');
    const fault = dropped.trace.find((e) => e.kind === 'fault');
    const close = dropped.trace.find((e) => e.kind === 'ws_close' && e.seq > (fault?.seq ?? Infinity));
    expect(lost?.cause).toMatch(new RegExp(`^terminate .* at line ${fault?.seq}; then close 1006 by the server \\(conn \\d+\\) at line ${close?.seq}.*; no reconnect$`));
    expect(lost?.evidence).toEqual(expect.arrayContaining([fault!.seq, close!.seq]));
  }, 60_000);

  it("blames the client's own cancel: refused (form-encoded), global (killed the other job), or never sent", async () => {
    const [form, global, none] = await Promise.all([
      run(catalogueScenario('6.5'), copied('form-cancel')),
      run(catalogueScenario('6.5'), copied('global-interrupt')),
      run(catalogueScenario('6.6'), copied('no-cancel')),
    ]);
    const about = (r: typeof form, job: string) => r.findings.filter((f) => f.invariant === 'expected-outcome' && f.job === job && /server says/.test(f.message));
    expect(form.verdict).toBe('fail');
    expect(about(form, 'j2')[0]?.message).toMatch(/cancel request was refused: POST \/queue .*answered 400/);
    expect(global.verdict).toBe('fail');
    expect(about(global, 'j1')[0]?.message).toMatch(/own global interrupt \(no prompt_id\) stopped this job, sent after the harness asked it to cancel job j2.*POST \/interrupt/);
    expect(none.verdict).toBe('fail');
    expect(about(none, 'j1')[0]?.message).toMatch(/sent no cancel request/);
    for (const r of [form, global, none]) expect(r.findings.some((f) => /did not go as the scenario meant/.test(f.message)), r.reason).toBe(false);
  }, 60_000);
});
