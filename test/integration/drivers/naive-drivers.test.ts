/**
 * The naive drivers of clients/naive/ against the simulator (network transport): each works when
 * nothing goes wrong, and each fails exactly where its header says it does, while the reference
 * driver gets through the same faults. This is the proof that the harness can have teeth.
 */
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';
import { naiveDrivers, referenceDriver, runOneJob, type DriverRun } from './run-driver.ts';

const terminateBeforeExecuted: FaultInput = { type: 'terminate', at: { on: 'message', type: 'executed' } };
/** The job ends (success, status, executing{null}) while the socket is down. */
const terminateBeforeSuccess: FaultInput = { type: 'terminate', at: { on: 'message', type: 'execution_success' } };
/** The socket drops early in a long job: most of its events come after a 300 ms reconnect. */
const terminateMidProgress: FaultInput = { type: 'terminate', at: { on: 'message', type: 'progress', occurrence: 1 } };
const bomBeforeStart: FaultInput = { type: 'bom', at: { on: 'message', type: 'execution_start' } };

function expectCompletedOnce(run: DriverRun): void {
  const ends = run.events.filter((e) => (e.type === 'completed' || e.type === 'failed') && e.id === 'job-1');
  expect(ends, JSON.stringify(run.events)).toHaveLength(1);
  expect(run.outcome).toMatchObject({ type: 'completed', id: 'job-1', outputs: { '2': { text: expect.any(Array) } } });
  expect(run.succeededOnServer).toEqual([(run.outcome as { prompt_id: string }).prompt_id]);
}

function reconnected(run: DriverRun): boolean {
  return [...run.connectsByClient.values()].some((n) => n >= 2);
}

describe.each(Object.entries({ ...naiveDrivers, reference: referenceDriver }))('the %s driver with no faults', (_name, command) => {
  it('reports the job completed once with the outputs from history', async () => {
    const run = await runOneJob(command, sleepGraph(200, 2));
    expectCompletedOnce(run);
    expect(run.events.find((e) => e.type === 'submitted')).toMatchObject({ id: 'job-1', prompt_id: run.succeededOnServer[0] });
    expect(run.problems).toEqual([]);
    expect(run.exit.code).toBe(0);
  });
});

describe('no-reconnect (the websockets_api_example.py pattern)', () => {
  it('never reports a job whose socket was terminated before executed, though the server finished it', async () => {
    const run = await runOneJob(naiveDrivers['no-reconnect'], sleepGraph(200, 2), { faults: [terminateBeforeExecuted] });
    expect(run.succeededOnServer).toHaveLength(1);
    expect(run.outcome).toBeUndefined();
    expect(reconnected(run)).toBe(false);
    expect(run.events).toContainEqual({ type: 'log', message: expect.stringContaining('never reconnects') });
    // Still alive and answering: the job is simply lost, which only the harness can tell.
    expect(run.problems).toEqual([]);
    expect(run.exit.code).toBe(0);
  });
});

describe('reconnect-no-resync (the frontend reconnect without queueStore.update)', () => {
  it('survives a drop mid-run: it reconnects with the same clientId and hears the rest', async () => {
    const run = await runOneJob(naiveDrivers['reconnect-no-resync'], sleepGraph(1500, 5), { faults: [terminateMidProgress] });
    expect(reconnected(run)).toBe(true);
    expectCompletedOnce(run);
  });

  it('reconnects but never reports a job that ended while it was disconnected', async () => {
    const run = await runOneJob(naiveDrivers['reconnect-no-resync'], sleepGraph(200, 2), { faults: [terminateBeforeSuccess] });
    expect(run.succeededOnServer).toHaveLength(1);
    expect(reconnected(run)).toBe(true);
    expect(run.outcome).toBeUndefined();
    expect(run.events).toContainEqual({ type: 'log', message: expect.stringContaining('not checking /history or /queue') });
    expect(run.problems).toEqual([]);
  });
});

describe('strict-json (bare JSON.parse on every text frame)', () => {
  it('recovers a job that ended while it was disconnected, by resyncing from /history', async () => {
    const run = await runOneJob(naiveDrivers['strict-json'], sleepGraph(200, 2), { faults: [terminateBeforeSuccess] });
    expect(reconnected(run)).toBe(true);
    expectCompletedOnce(run);
  });

  it('crashes on a BOM, and DriverProcess reports the crash with the SyntaxError in the stderr tail', async () => {
    const run = await runOneJob(naiveDrivers['strict-json'], sleepGraph(200, 2), { faults: [bomBeforeStart] });
    expect(run.outcome).toBeUndefined();
    const crash = run.problems.find((p) => p.kind === 'crash');
    expect(crash?.message).toMatch(/exited with code 1 before it was asked to shut down/);
    expect(crash?.message).toContain('SyntaxError');
    expect(crash?.detail).toMatchObject({ code: 1, signal: null, stderrTail: expect.arrayContaining([expect.stringContaining('SyntaxError')]) });
    expect(run.exit).toMatchObject({ code: 1, signal: null });
    expect(run.exit.stderrTail.join('\n')).toContain('is not valid JSON');
  });
});

describe.each([
  ['terminated before executed', terminateBeforeExecuted],
  ['terminated before execution_success', terminateBeforeSuccess],
  ['a BOM before execution_start', bomBeforeStart],
])('the reference driver with the socket %s', (_label, fault) => {
  it('reports the job completed once, where a naive driver does not', async () => {
    const run = await runOneJob(referenceDriver, sleepGraph(200, 2), { faults: [fault], maxMs: 20_000 });
    expectCompletedOnce(run);
    expect(run.problems).toEqual([]);
    expect(run.exit.code).toBe(0);
  });
});
