import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeReferenceClient } from '../../../src/reference-client/node.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';
import { loadScenarioFile } from '../../../src/scenarios/scenario-file.ts';
import { Simulator } from '../../../src/simulator/index.ts';

const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'bin/comfy-chaos.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from the repository root; `onLine` may act on stdout lines. Bounded by `maxMs`. */
function runCli(args: string[], onLine?: (line: string, signal: (s: NodeJS.Signals) => void) => void, maxMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) onLine?.(line, (s) => child.kill(s));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const terminateBeforeExecuted = '{"type":"terminate","at":{"on":"message","type":"executed","prompt":1}}';

describe('comfy-chaos record, import and replay on the command line', () => {
  it('records a job through the proxy, stops cleanly on Ctrl-C, imports it, and replays it with a fault', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-record-cli-'));
    const trace = join(dir, 'trace.jsonl');
    const sim = new Simulator({ seed: 2 });
    const upstream = await sim.listen({ port: 0 });
    let outcome = '';
    const recorded = await runCli(['record', '--upstream', upstream.url, '--listen', '127.0.0.1:0', '--out', trace], (line, signal) => {
      const url = /proxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (!url) return;
      const client = createNodeReferenceClient({ servers: url });
      void client
        .window('main')
        .submit(sleepGraph(400, 4, 'cli'))
        .outcome.then((o) => (outcome = o.type))
        .finally(() => {
          client.close();
          signal('SIGINT');
        });
    });
    await sim.close();
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(outcome).toBe('completed');
    expect(recorded.stdout).toMatch(/comfy-chaos record stopped: 2 HTTP exchanges, 1 sockets, \d+ frames in /);
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; message?: string });
    expect(lines[0]!.message).toMatch(/^recording: upstream /);
    expect(lines.at(-1)!.message).toMatch(/^recording stopped/);

    const scenarioFile = join(dir, 'scenario.yaml');
    const imported = await runCli(['import', trace, '--out', scenarioFile, '--id', '9.7', '--name', 'cli-recording']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/wrote scenario 9\.7 cli-recording to .*: 1 job\(s\), 1 scripted prompt\(s\), \d+ frames/);
    const [scenario] = loadScenarioFile(scenarioFile);
    expect(scenario!.script![0]!.frames.length).toBeGreaterThan(5);
    expect(scenario!.jobs[0]!.prompt).toEqual(sleepGraph(400, 4, 'cli'));
    // A healthy recording: no fault, and the file says none was inferred.
    expect(scenario!.faults).toEqual([]);
    expect(readFileSync(scenarioFile, 'utf8')).toMatch(/# no fault inferred: the recording shows no drop, refusal or failed request/);

    const explained = await runCli(['import', trace, '--explain']);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/^prompt 1 \S+ \(a job of client_id \S+\): success on the server\n/);
    expect(explained.stdout).toMatch(/\n\s+\d+ ms {2}client got {3}execution_success \(conn 1\)\n/);
    expect(explained.stdout).toMatch(/\nfaults inferred: none\n/);
    expect(explained.stdout).toMatch(/\nComfyUI: the baseline profile\n/);

    const report = join(dir, 'report');
    const replayed = await runCli(['replay', trace, '--client', 'reference', '--client', 'node clients/naive/no-reconnect.mjs', '--fault', terminateBeforeExecuted, '--report', report]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
    expect(replayed.stdout).toMatch(/replaying .*trace\.jsonl: 1 job\(s\), 1 with the recorded frames, 1 fault\(s\) added/);
    expect(replayed.stdout).toMatch(/\nreplay: comfy-chaos replay .*trace\.jsonl --client reference --client 'node clients\/naive\/no-reconnect\.mjs' --fault '\{"type":"terminate"/);
    const results = JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: Array<{ client: string; verdict: string; findings: Array<{ invariant: string }> }> };
    const verdicts = Object.fromEntries(results.results.map((r) => [r.client, r.verdict]));
    expect(verdicts).toEqual({ reference: 'pass', 'node clients/naive/no-reconnect.mjs': 'fail' });
    expect(results.results.find((r) => r.verdict === 'fail')!.findings.map((f) => f.invariant)).toContain('no-lost-completion');
    expect(existsSync(join(report, 'scenario.yaml'))).toBe(true);
  });

  it('refuses what it cannot use, with a message that says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-record-cli-'));
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, JSON.stringify({ kind: 'note', message: 'recording: upstream http://127.0.0.1:1, listen http://127.0.0.1:2', seq: 0, t: 0, wall: 0 }) + '\n');
    const [badUpstream, badListen, nothing, badFault] = await Promise.all([
      runCli(['record', '--upstream', 'ftp://example', '--out', join(dir, 'x.jsonl')]),
      runCli(['record', '--upstream', 'http://127.0.0.1:8188', '--listen', 'nowhere', '--out', join(dir, 'x.jsonl')]),
      runCli(['import', empty]),
      runCli(['replay', empty, '--fault', '{"type":"explode"}']),
    ]);
    expect(badUpstream.code).toBe(2);
    expect(badUpstream.stderr).toMatch(/--upstream: upstream must be http:\/\/ or https:\/\/ \(got "ftp:"\)/);
    expect(badListen.code).toBe(2);
    expect(badListen.stderr).toMatch(/--listen must be host:port/);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/has no accepted POST \/prompt: nothing to replay/);
    expect(badFault.code).toBe(2);
  });
});
