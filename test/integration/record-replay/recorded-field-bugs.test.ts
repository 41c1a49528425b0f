import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverClient, type ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { explainImport } from '../../../src/harness/record/explain-import.ts';
import { importRecording, scenarioToYaml, type ImportedRecording } from '../../../src/harness/record/import-recording.ts';
import { RecordingProxy } from '../../../src/harness/record/recording-proxy.ts';
import type { ScenarioResult } from '../../../src/harness/result.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { acquireToxiproxy, isStrict, type AcquiredToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import type { FaultInput } from '../../../src/protocol/index.ts';
import { imageGraph } from '../../../src/scenarios/graphs.ts';
import { scenario as scenarioSchema, type ScenarioInput } from '../../../src/scenarios/scenario.ts';

/*
 * Issue 16, "must show": real traffic recorded through `comfy-chaos record` (the simulator stands
 * in for ComfyUI; the fault is applied on the recording side: Toxiproxy between the recording
 * proxy and the simulator, a server restart, a BOM, a 0.3.44 server), with the bundled clients,
 * then imported and replayed against the same clients. The replayed verdict equals the live one
 * client by client, and a failing client fails with the same invariants and the same symptom.
 *
 *   client ──▶ RecordingProxy ──▶ Toxiproxy ──▶ simulator        (live: the recording is made)
 *   client ──▶ Toxiproxy ──▶ simulator playing the imported script  (replay)
 */

const root = join(import.meta.dirname, '../../..');
const driver = (name: string, file: string): ClientUnderTest => driverClient(name, { command: process.execPath, args: [join(root, file)] }, { cwd: root });
const reference = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });
const noReconnect = driver('naive no-reconnect', 'clients/naive/no-reconnect.mjs');
const noResync = driver('naive reconnect-no-resync', 'clients/naive/reconnect-no-resync.mjs');
const strictJson = driver('naive strict-json', 'clients/naive/strict-json.mjs');
/** A third-party library, unmodified, behind its driver (clients/third-party/saintno-comfyui-sdk), when its packages are installed. */
const saintnoInstalled = existsSync(join(root, 'clients/third-party/saintno-comfyui-sdk/node_modules/@saintno'));
const saintno = driver('saintno-comfyui-sdk', 'clients/third-party/saintno-comfyui-sdk/driver.mjs');

const job = { id: 'j1', prompt: imageGraph(1_500, 10, 'field') };
const base = { id: '9.2', purpose: 'a field bug, live', jobs: [job], latencyBoundMs: 5_000, recoveryBoundMs: 8_000, maxRunMs: 20_000, clientHints: { jobTimeoutMs: 12_000 } };
const midJob = { on: 'message', type: 'progress', prompt: 1, occurrence: 3 } as const;

interface Case {
  name: string;
  live: ScenarioInput;
  clients: ClientUnderTest[];
  /** What the import must have inferred (fault types) from each client's recording, by client name [default `inferred`]; and the profile. */
  inferred: string[];
  inferredFor?: Record<string, string[]>;
  /**
   * Clients whose recording cannot hold the server's side (it never asked the server again): the
   * import says it cannot tell, and the replay keeps the verdict and the symptom, but which
   * invariant the oracle names depends on what the server did, which the recording does not show.
   */
  unknowable?: string[];
  comfyui?: string;
}

const cases: Case[] = [
  {
    name: 'partition',
    live: { ...base, name: 'partition-mid-job', faults: [{ type: 'partition', durationMs: 3_000, at: midJob } satisfies FaultInput] },
    clients: [reference, noReconnect, noResync, ...(saintnoInstalled ? [saintno] : [])],
    inferred: ['partition'],
    // It never reconnects nor asks again: nothing tells how long the server was unreachable, or why.
    inferredFor: { [noReconnect.name]: ['terminate'] },
  },
  {
    name: 'restart',
    live: { ...base, name: 'restart-mid-job', faults: [{ type: 'restart', downMs: 1_500, loseState: true, at: midJob } satisfies FaultInput], expect: { j1: 'lost' } },
    clients: [reference, strictJson, noReconnect],
    inferred: ['restart'],
    // It never asks again: a restart that lost the job looks like a drop; the replay's server finishes the job.
    inferredFor: { [noReconnect.name]: ['terminate'] },
    unknowable: [noReconnect.name],
  },
  {
    name: 'bom',
    live: { ...base, name: 'bom-mid-job', faults: [{ type: 'bom', at: { on: 'message', type: 'progress', prompt: 1, occurrence: 2 } } satisfies FaultInput] },
    clients: [reference, strictJson],
    inferred: [],
    // It died on the frame and never asked how the job ended: the engine runs it, the BOM comes back as a frame fault.
    inferredFor: { [strictJson.name]: ['bom'] },
  },
  {
    name: 'old-server',
    live: { ...base, name: 'old-server', comfyui: '0.3.44' },
    clients: [reference, noReconnect],
    inferred: [],
    comfyui: '0.3.44',
  },
];

/** How a failure shows: the client died, a job was never reported (a hang), or it reported something wrong. */
function symptomOf(result: ScenarioResult): string {
  if (result.verdict === 'pass' || result.verdict === 'degraded') return 'ok';
  const client = result.trace.filter((e) => e.kind === 'client').map((e) => (e.kind === 'client' ? e.event : {}));
  if (client.some((e) => e.type === 'client_error' && e.problem === 'crash')) return 'crash';
  const ended = new Set(client.filter((e) => e.type === 'completed' || e.type === 'failed').map((e) => e.id));
  return result.trace.some((e) => e.kind === 'client' && e.event.type === 'harness_submit' && !ended.has(e.event.id)) ? 'hang' : 'wrong report';
}

const summary = (r: ScenarioResult): { verdict: string; invariants: string[]; symptom: string } => ({
  verdict: r.verdict,
  invariants: [...new Set(r.findings.filter((f) => !f.informational).map((f) => f.invariant))].sort(),
  symptom: symptomOf(r),
});

let toxiproxy: AcquiredToxiproxy | undefined;
let skipReason = '';
const dir = mkdtempSync(join(tmpdir(), 'cc-field-bugs-'));

beforeAll(async () => {
  const acquired = await acquireToxiproxy({ strict: isStrict() });
  if (acquired.status === 'ready') toxiproxy = acquired;
  else skipReason = acquired.reason;
}, 60_000);
afterAll(async () => {
  await toxiproxy?.dispose();
});

/** The live run, with the client talking to the simulator through a RecordingProxy (and Toxiproxy behind it). */
async function recordLive(c: Case, client: ClientUnderTest, file: string): Promise<ScenarioResult> {
  const scenario = scenarioSchema.parse(c.live);
  return runScenario(scenario, client, {
    transport: 'network',
    seed: 7,
    toxiproxy: toxiproxy!,
    replay: 'test',
    frontOfServer: async (url) => {
      const proxy = new RecordingProxy({ upstream: url, port: 0, out: file });
      const { url: front } = await proxy.listen();
      return { url: front, close: () => proxy.close() };
    },
  });
}

async function replay(imported: ImportedRecording, client: ClientUnderTest): Promise<ScenarioResult> {
  return runScenario(imported.scenario, client, { transport: 'network', seed: 7, toxiproxy: toxiproxy!, replay: 'test' });
}

/**
 * Received frames come back as their recorded text (Python's `", "` separators and all), with
 * only the prompt id and the timestamps changed, and the timestamps are the replay's clock.
 */
function expectFaithfulFrames(imported: ImportedRecording, replayResult: ScenarioResult): void {
  const script = imported.scenario.script![0]!;
  const recorded = script.frames.flatMap((f) => ('text' in f ? [f.text] : []));
  const sent = replayResult.trace.flatMap((e) => (e.kind === 'ws_send' && 'text' in e.frame && e.promptId ? [{ text: e.frame.text, wall: e.wall, promptId: e.promptId }] : []));
  const start = sent.find((s) => s.text.includes('"execution_start"'));
  expect(start, 'the replay sent execution_start').toBeDefined();
  const stamp = Number(/"timestamp": (\d+)/.exec(start!.text)![1]);
  expect(Math.abs(stamp - start!.wall), 'execution_start carries the replay clock').toBeLessThan(5_000);
  const normalise = (text: string, id: string) => text.split(id).join('<id>').replace(/"timestamp": \d+/g, '"timestamp": <t>');
  const firstSent = sent.filter((s) => !s.text.includes('"executing"')).map((s) => normalise(s.text, s.promptId));
  const firstRecorded = recorded.filter((t) => !t.includes('"executing"')).map((t) => normalise(t, script.promptId));
  expect(firstSent.slice(0, 3)).toEqual(firstRecorded.slice(0, 3));
}

describe('recorded field bugs replay as they happened (issue 16)', () => {
  for (const c of cases) {
    it(`${c.name}: each client's replayed verdict, invariants and symptom equal its live ones`, { timeout: 240_000 }, async (context) => {
      if (!toxiproxy) context.skip(`no Toxiproxy: ${skipReason}`);
      const rows: string[] = [];
      const live: Array<ReturnType<typeof summary>> = [];
      const replayed: Array<ReturnType<typeof summary>> = [];
      // One client at a time (each pair is a few seconds of real waiting): a loaded 2-core machine stays calm.
      for (const client of c.clients) {
        const file = join(dir, `${c.name}-${client.name.replace(/\W+/g, '-')}.jsonl`);
        const liveResult = await recordLive(c, client, file);
        const imported = importRecording(file);
        const yaml = scenarioToYaml(imported.input, imported);
        writeFileSync(file.replace(/\.jsonl$/, '.yaml'), yaml);
        if (c.name === 'partition' && client === reference) {
          // The server went on while the client was cut off: its end is rebuilt from history, and the partition says why.
          const explained = explainImport(imported);
          expect(explained, explained).toMatch(/server only\s+execution_success \(from history's status\.messages/);
          expect(explained).toMatch(/"type":"partition"/);
          expect(yaml).toMatch(/# lines \d+-\d+: \d+ request\(s\) and upgrade\(s\) answered 502 by the recording proxy/);
          expect(yaml).toMatch(/# the server went on meanwhile: prompt 1 ended success/);
        }
        expect(imported.scenario.faults.map((f) => f.type), `${client.name}: inferred faults\n${scenarioToYaml(imported.input, imported)}`).toEqual(c.inferredFor?.[client.name] ?? c.inferred);
        expect(imported.scenario.comfyui, `${client.name}: profile`).toBe(c.comfyui);
        const replayResult = await replay(imported, client);
        const unknowable = c.unknowable?.includes(client.name) ?? false;
        const drop = (s: ReturnType<typeof summary>) => (unknowable ? { ...s, invariants: ['(not in the recording)'] } : s);
        if (unknowable) expect(imported.evidence.undetermined.join('\n'), client.name).toMatch(/are not in the recording/);
        live.push(drop(summary(liveResult)));
        replayed.push(drop(summary(replayResult)));
        rows.push(`${client.name}: live ${JSON.stringify(live.at(-1))} replay ${JSON.stringify(replayed.at(-1))} (${file})`);
        // The replay played the recording, not the engine (unless nothing in it says how the prompt ended: the import warns so).
        const scripted = (imported.scenario.script?.length ?? 0) > 0;
        if (scripted) expectFaithfulFrames(imported, replayResult);
        if (!scripted) expect(imported.warnings.join('\n')).toMatch(/never shows how it ended/);
        expect(replayResult.trace.some((e) => e.kind === 'note' && e.message.includes('plays the recorded frames of')), rows.at(-1)).toBe(scripted);
      }
      console.log(`${c.name}\n${rows.join('\n')}`);
      expect(replayed, rows.join('\n')).toEqual(live);
      // The scenario has teeth: at least one bundled client fails it live (and so on replay).
      expect(live.some((r) => r.verdict === 'fail'), rows.join('\n')).toBe(true);
      expect(live[0]!.verdict, `the reference driver: ${rows[0]}`).not.toBe('fail');
    });
  }
});
