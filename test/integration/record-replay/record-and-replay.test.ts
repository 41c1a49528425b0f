import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driverClient, type ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import { importRecording, type ImportedRecording } from '../../../src/harness/record/import-recording.ts';
import { RecordingProxy } from '../../../src/harness/record/recording-proxy.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import type { FaultInput, TraceEvent } from '../../../src/protocol/index.ts';
import { createNodeReferenceClient } from '../../../src/reference-client/node.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';
import { scenario as scenarioSchema, type ScenarioInput } from '../../../src/scenarios/scenario.ts';
import { Simulator } from '../../../src/simulator/index.ts';

const root = join(import.meta.dirname, '../../..');
const referenceDriver = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });
const naive = driverClient('naive no-reconnect', { command: process.execPath, args: [join(root, 'clients/naive/no-reconnect.mjs')] }, { cwd: root });

/** The job the reference client runs through the recording proxy, and the live scenario made of it. */
const prompt = sleepGraph(1_000, 10, 'recorded');
const bounds = { latencyBoundMs: 5_000, recoveryBoundMs: 5_000, maxRunMs: 30_000 } as const;
const liveScenario: ScenarioInput = { id: '9.1', name: 'recorded-job', purpose: 'the job that was recorded, run live on the engine', jobs: [{ id: 'j1', prompt }], ...bounds };
/** The socket dies just before `executed` (catalogue 2.3): what the naive driver cannot survive. */
const terminateBeforeExecuted: FaultInput = { type: 'terminate', at: { on: 'message', type: 'executed', prompt: 1 } };

let dir: string;
let recording: TraceEvent[];
let simulatorTrace: readonly TraceEvent[];
let imported: ImportedRecording;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cc-record-'));
  const sim = new Simulator({ seed: 11 });
  const upstream = await sim.listen({ port: 0 });
  const proxy = new RecordingProxy({ upstream: upstream.url, port: 0, out: join(dir, 'recording.jsonl') });
  const { url } = await proxy.listen();
  const client = createNodeReferenceClient({ servers: url, seed: 1 });
  try {
    const outcome = await client.window('main').submit(prompt).outcome;
    expect(outcome.type).toBe('completed');
  } finally {
    client.close();
    await proxy.close();
    simulatorTrace = [...sim.trace];
    await sim.close();
  }
  recording = readFileSync(join(dir, 'recording.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
  imported = importRecording(join(dir, 'recording.jsonl'));
});

describe('comfy-chaos record: a transparent proxy that writes the simulator trace format', () => {
  it('starts with the recording note and ends with the stop note (flushed on close)', () => {
    expect(recording[0]).toMatchObject({ kind: 'note', message: expect.stringMatching(/^recording: upstream http:\/\/127\.0\.0\.1:\d+, listen http:\/\/127\.0\.0\.1:\d+$/) });
    expect(recording.at(-1)).toMatchObject({ kind: 'note', message: expect.stringMatching(/^recording stopped: \d+ HTTP exchanges, 1 sockets/) });
    expect(recording.map((e) => e.seq)).toEqual(recording.map((_, i) => i));
  });

  it('records every frame the server sent, byte for byte and in order, as the simulator itself traced them', () => {
    const texts = (events: readonly TraceEvent[]) => events.flatMap((e) => (e.kind === 'ws_send' && 'text' in e.frame ? [e.frame.text] : []));
    expect(texts(recording)).toEqual(texts(simulatorTrace));
    const types = recording.flatMap((e) => (e.kind === 'ws_send' ? [e.msgType] : []));
    expect(types).toEqual(simulatorTrace.flatMap((e) => (e.kind === 'ws_send' ? [e.msgType] : [])));
    expect(types).toEqual(expect.arrayContaining(['status', 'execution_start', 'progress', 'executed', 'execution_success', 'executing']));
  });

  it('records the socket with its clientId, what the client sent, who closed it, and HTTP with both bodies', () => {
    const connect = recording.find((e) => e.kind === 'ws_connect');
    expect(connect).toMatchObject({ conn: 1, clientId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(recording.some((e) => e.kind === 'ws_recv' && 'text' in e.frame && e.frame.text.includes('feature_flags'))).toBe(true);
    expect(recording.find((e) => e.kind === 'ws_close')).toMatchObject({ conn: 1, by: 'client' });
    const post = recording.find((e) => e.kind === 'http' && e.method === 'POST' && e.path === '/prompt') as Extract<TraceEvent, { kind: 'http' }>;
    expect(JSON.parse(post.request!).prompt).toEqual(prompt);
    expect(JSON.parse(post.request!).client_id).toBe((connect as { clientId: string }).clientId);
    const promptId = JSON.parse(post.response!).prompt_id as string;
    const history = recording.find((e) => e.kind === 'http' && e.path === `/history/${promptId}`) as Extract<TraceEvent, { kind: 'http' }>;
    expect(history.status).toBe(200);
    expect(JSON.parse(history.response!)[promptId].outputs).toEqual({ '2': { text: ['recorded'] } });
  });
});

describe('comfy-chaos import: a recording becomes a scenario with a script', () => {
  it('keeps the workload with its submit time and the frames of the prompt with their timing', () => {
    const { scenario, warnings } = imported;
    expect(warnings).toEqual([]);
    expect(scenario.jobs).toEqual([{ id: 'j1', prompt, window: 'main', submitAtMs: expect.any(Number) }]);
    expect(scenario.jobs[0]!.submitAtMs).toBeLessThan(2_000);
    const [script] = scenario.script!;
    expect(script).toMatchObject({ outcome: 'success', history: { outputs: { '2': { text: ['recorded'] } } } });
    const types = script!.frames.map((f) => ('message' in f ? f.message.type : 'text' in f ? (JSON.parse(f.text) as { type: string }).type : 'binary'));
    // Every frame the client received is its recorded text, byte for byte.
    const sent = recording.flatMap((e) => (e.kind === 'ws_send' && 'text' in e.frame && e.promptId === script!.promptId && e.msgType !== 'executing' ? [e.frame.text] : []));
    expect(script!.frames.flatMap((f) => ('text' in f && !f.text.includes('"executing"') ? [f.text] : []))).toEqual(sent);
    expect(types[0]).toBe('execution_start');
    expect(types.at(-1)).toBe('execution_success');
    expect(types.filter((t) => t === 'progress')).toHaveLength(10);
    expect(types).not.toContain('status');
    // The job took a second on the recorded server, and the script says so.
    expect(script!.frames.at(-1)!.atMs).toBeGreaterThan(800);
    expect(script!.frames.map((f) => f.atMs)).toEqual([...script!.frames.map((f) => f.atMs)].sort((a, b) => a - b));
  });
});

describe('comfy-chaos replay: recorded traffic judged like a live run', () => {
  const run = async (scenarioInput: ScenarioInput, client: ClientUnderTest, faults: FaultInput[]) => {
    const scenario = scenarioSchema.parse({ ...scenarioInput, ...bounds, faults });
    const result = await runScenario(scenario, client, { transport: 'network', seed: 4, replay: 'test' });
    return { verdict: result.verdict, invariants: [...new Set(result.findings.filter((f) => !f.informational).map((f) => f.invariant))].sort(), trace: result.trace };
  };

  it('gives each client the same verdict on the recording as on the live scenario, with and without a fault', { timeout: 120_000 }, async () => {
    const clients = [referenceClient(), referenceDriver, naive];
    const cases = clients.flatMap((client) =>
      [[], [terminateBeforeExecuted]].flatMap((faults) => [
        { client, faults, mode: 'live' as const },
        { client, faults, mode: 'replay' as const },
      ]),
    );
    const results: Array<Awaited<ReturnType<typeof run>>> = [];
    // Four at a time: each run is mostly waiting, but a 2-core machine should not be swamped.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      results.push(...(await Promise.all(batch.map((c) => run(c.mode === 'live' ? liveScenario : imported.input, c.client, c.faults)))));
    }
    const table = cases.map((c, i) => `${c.client.name} | ${c.faults.length ? 'terminate before executed' : 'no fault'} | ${c.mode} | ${results[i]!.verdict} ${results[i]!.invariants.join(',')}`);
    const live = cases.flatMap((c, i) => (c.mode === 'live' ? [{ client: c.client.name, faults: c.faults.length, verdict: results[i]!.verdict, invariants: results[i]!.invariants }] : []));
    const replayed = cases.flatMap((c, i) => (c.mode === 'replay' ? [{ client: c.client.name, faults: c.faults.length, verdict: results[i]!.verdict, invariants: results[i]!.invariants }] : []));
    expect(replayed, table.join('\n')).toEqual(live);
    expect(live.map((r) => r.verdict), table.join('\n')).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'fail']);
    expect(live[5]!.invariants).toContain('no-lost-completion');
    // The replays really played the recording rather than running the engine.
    for (const [i, c] of cases.entries()) {
      const played = results[i]!.trace.some((e) => e.kind === 'note' && e.message.includes('plays the recorded frames of'));
      expect(played, `${c.client.name} ${c.mode}`).toBe(c.mode === 'replay');
    }
  });

  it('plays the recorded frames under the new prompt id, with the recorded spacing, and writes the recorded history', async () => {
    const result = await run(imported.input, referenceClient(), []);
    expect(result.verdict).toBe('pass');
    const queued = result.trace.find((e) => e.kind === 'prompt' && e.event === 'queued') as Extract<TraceEvent, { kind: 'prompt' }>;
    const recordedId = imported.scenario.script![0]!.promptId;
    expect(queued.promptId).not.toBe(recordedId);
    const sent = result.trace.filter((e): e is Extract<TraceEvent, { kind: 'ws_send' }> => e.kind === 'ws_send' && e.promptId !== null);
    expect(sent.every((e) => e.promptId === queued.promptId)).toBe(true);
    const wire = result.trace.filter((e) => e.kind === 'ws_send' || e.kind === 'http');
    expect(JSON.stringify(wire)).not.toContain(recordedId.slice(0, 13));
    const start = sent.find((e) => e.msgType === 'execution_start')!.t;
    const end = sent.find((e) => e.msgType === 'execution_success')!.t;
    const recordedSpan = imported.scenario.script![0]!.frames.at(-1)!.atMs;
    expect(end - start).toBeGreaterThanOrEqual(recordedSpan - 5);
    expect(end - start).toBeLessThan(recordedSpan + 500);
    const history = result.trace.find((e) => e.kind === 'http' && e.path === `/history/${queued.promptId}` && e.status === 200) as Extract<TraceEvent, { kind: 'http' }>;
    expect(JSON.parse(history.response!)[queued.promptId]).toMatchObject({ outputs: { '2': { text: ['recorded'] } }, status: { status_str: 'success', completed: true } });
  });

  it('replays in virtual time too: the memory transport gives the same verdicts to the reference client', async () => {
    for (const faults of [[], [terminateBeforeExecuted]]) {
      const scenario = scenarioSchema.parse({ ...imported.input, faults });
      const result = await runScenario(scenario, referenceClient(), { transport: 'memory', seed: 4, replay: 'test' });
      expect(result.verdict).toBe('pass');
    }
  });
});
