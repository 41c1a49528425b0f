import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cc-relay-cli-'));


describe('comfy-chaos run --relay', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names the known relay profiles when given an unknown one, and exits 2', async () => {
    const run = await cli(['run', '--relay', 'no-such-relay', '--report', join(tmp(), 'r')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('no relay profile named "no-such-relay"');
    for (const known of ['flask-socketio', 'reference-socketio', 'reference-stomp', 'spring-stomp']) expect(run.err).toContain(known);
  });

  it('rejects an invalid profile file with the path of each problem', async () => {
    const file = join(tmp(), 'bad.profile.yaml');
    writeFileSync(file, 'name: Bad Name\ncommand: node relay.js\nsubmit: { kind: http, path: api/jobs }\ndownstream: { protocol: socketio, url: "http://127.0.0.1:{{port}}" }\nmessages: { progress: {}, completed: {}, failed: {} }\n');
    const run = await cli(['run', '--relay', file, '--report', join(tmp(), 'r')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`relay profile ${file} is invalid`);
    expect(run.err).toMatch(/name/);
    expect(run.err).toMatch(/submit\.path/);
    expect(run.err).toMatch(/give the JSON body to send[^\n]*\n\s*→ at submit\.body/);
  });

  it('runs the relay scenarios only, against a relay from a profile file, and its replay line names the file', async () => {
    // The reference relay on Socket.IO, described by a copy of its profile outside the repository.
    const dir = tmp();
    const file = join(dir, 'mine.profile.yaml');
    const profile = readFileSync(new URL('../../../clients/relays/reference/reference-socketio.profile.yaml', import.meta.url), 'utf8').replace('name: reference-socketio', 'name: my-relay');
    writeFileSync(file, profile);
    const report = join(dir, 'report');
    const run = await cli(['run', '--relay', file, '--scenario', '8.9', '--report', report]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/pass {2}8\.9 {3}relay-user-reload \[my-relay\]/);
    const results = (JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: Array<{ client: string; replay: string; scenario: { id: string } }> }).results;
    expect(results.map((r) => [r.scenario.id, r.client])).toEqual([['8.9', 'my-relay']]);
    expect(results[0]!.replay).toBe(`comfy-chaos run --relay ${file} --scenario 8.9 --transport network --seed 1`);
    // `replay <report>` finds the relay again through the file its replay line names.
    const again = join(dir, 'again');
    const replay = await cli(['replay', report, '--report', again]);
    expect(replay.code).toBe(0);
    const replayed = (JSON.parse(readFileSync(join(again, 'results.json'), 'utf8')) as { results: Array<{ client: string; verdict: string }> }).results;
    expect(replayed.map((r) => [r.client, r.verdict])).toEqual([['my-relay', 'pass']]);
  }, 90_000);

  it('skips a relay scenario asked of an ordinary client, saying how to run it', async () => {
    const report = join(tmp(), 'r');
    const run = await cli(['run', '--scenario', '8.1', '--transport', 'network', '--report', report]);
    expect(run.code).toBe(0);
    const results = (JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')) as { results: Array<{ verdict: string; reason?: string }> }).results;
    expect(results).toEqual([expect.objectContaining({ verdict: 'skipped', reason: 'a relay scenario (group 8): run it with --relay <profile>' })]);
  });
});
