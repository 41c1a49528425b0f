/**
 * The report card's merge of extra report directories (the official frontend's run is made apart)
 * and its "What changes between versions" section: which differences it finds, which note explains
 * which, and what it prints. Data only, and one run of the script on two small report directories.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReport, type ReportMeta } from '../../../src/harness/report/index.ts';
import type { ScenarioResult } from '../../../src/harness/result.ts';
import { byVersion } from '../../../scripts/report-card/by-version.ts';
import { describeColumn } from '../../../scripts/report-card/clients.ts';
import { CHECKOUT_FILE, mergeCardReports, readCardInput } from '../../../scripts/report-card/merge.ts';
import { describeChanges, explainChanges, versionChanges, type VersionNote } from '../../../scripts/report-card/version-changes.ts';
import { result } from '../harness/report/fixtures.ts';

const UTILS = '.tools/venv/bin/python clients/third-party/comfyui-utils/driver.py';

/** A result of `client` on `comfyui` (undefined: written before profiles, the baseline). */
function on(comfyui: string | undefined, id: string, verdict: ScenarioResult['verdict'], client = 'reference'): ScenarioResult {
  return { ...result({ id, name: `s${id}`, verdict, client }), ...(comfyui ? { comfyui } : {}) };
}

const meta = (command: string, startedAt: string): ReportMeta => ({ run: 'r', seed: 1, transport: 'network', startedAt, command });
const read = (results: ScenarioResult[], command = 'comfy-chaos run', warnings: string[] = []) => ({ meta: meta(command, '2026-12-02T00:00:00.000Z'), results, warnings });

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

describe('mergeCardReports', () => {
  it('adds the rows of an extra report, takes a shared (scenario, client, profile) from it and says so', () => {
    const main = [on('0.3.44', '1.1', 'fail'), on(undefined, '1.1', 'pass'), on('current', '1.1', 'pass')];
    const extra = [on('0.3.64', '1.1', 'fail', 'frontend@1.27.10'), on('current', '1.1', 'pass', 'frontend@1.58.1'), on('0.3.64', '1.1', 'degraded')];
    const merged = mergeCardReports([
      { dir: 'reports/report-card', report: read(main, 'main'), checkout: { commit: 'abcdef1', subject: 's', committedAt: 'd', modified: [] } },
      { dir: 'reports/report-card-frontend', report: read(extra, 'front', ['a trace is missing']) },
    ]);
    expect(merged.results.map((r) => `${r.client}|${r.comfyui ?? '-'}|${r.verdict}`)).toEqual([
      'reference|0.3.44|fail',
      'reference|0.3.64|degraded',
      'reference|current|pass',
      'frontend@1.27.10|0.3.64|fail',
      'frontend@1.58.1|current|pass',
    ]);
    // The profile-less result (the baseline) and the extra's 0.3.64 result are the same pair.
    expect(merged.warnings).toEqual([
      'a trace is missing',
      '1.1 x reference on 0.3.64 is in reports/report-card (pass) and in reports/report-card-frontend (degraded); the card keeps reports/report-card-frontend',
    ]);
    expect(merged.sources.map((s) => [s.dir, s.command, s.results, s.checkout?.commit])).toEqual([
      ['reports/report-card', 'main', 3, 'abcdef1'],
      ['reports/report-card-frontend', 'front', 3, undefined],
    ]);
  });

  it('reads report directories from disk with their checkout, and names a bad checkout file', () => {
    root = mkdtempSync(join(tmpdir(), 'cc-card-'));
    const main = join(root, 'card');
    const front = join(root, 'card-frontend');
    writeReport(main, [on('0.3.44', '2.3', 'fail', UTILS), on('0.3.64', '2.3', 'pass', UTILS)], meta('comfy-chaos run --comfyui all', '2026-12-02T01:00:00.000Z'));
    writeReport(front, [on('0.3.64', '2.3', 'pass', 'frontend@1.27.10')], meta('comfy-chaos run --client frontend@1.27.10', '2026-12-02T02:00:00.000Z'));
    writeFileSync(join(main, CHECKOUT_FILE), JSON.stringify({ commit: '1dfa59707cd5bb6a74bfb83f5d71e79335e658f9', subject: 'x', committedAt: '2026-12-02T00:26:22+00:00', modified: ['a.ts'] }));
    const input = readCardInput([main, front]);
    expect(input.results).toHaveLength(3);
    expect(input.sources[0]!.checkout?.modified).toEqual(['a.ts']);
    expect(input.sources[1]!.startedAt).toBe('2026-12-02T02:00:00.000Z');
    writeFileSync(join(front, CHECKOUT_FILE), JSON.stringify({ commit: 'not a commit' }));
    expect(() => readCardInput([main, front])).toThrow(/card-frontend\/checkout\.json is not a checkout record: .*commit/);
    expect(() => readCardInput([main, join(root, 'nowhere')])).toThrow(/nowhere does not exist/);
  });
});

describe('versionChanges', () => {
  it('finds each (client, scenario) whose verdict differs between profiles, oldest profile first', () => {
    const changes = versionChanges([
      on('current', '1.1', 'pass', UTILS),
      on(undefined, '1.1', 'pass', UTILS),
      on('0.3.44', '1.1', 'fail', UTILS),
      on('0.3.44', '1.2', 'pass', UTILS),
      on('0.3.64', '1.2', 'pass', UTILS),
      on('0.3.64', '1.10', 'inconclusive'),
      on('current', '1.10', 'pass'),
      // Skipped on a front (no base path): not a difference either.
      on('gateway-api-prefix', '1.2', 'skipped', UTILS),
      on('gateway-api-prefix', '1.10', 'skipped'),
      // Run on one profile each: nothing to compare, whatever the verdicts.
      on('0.3.64', '1.1', 'fail', 'frontend@1.27.10'),
      on('current', '1.1', 'pass', 'frontend@1.58.1'),
    ]);
    expect(changes).toEqual([
      { client: UTILS, scenario: '1.1', verdicts: [{ profile: '0.3.44', verdict: 'fail' }, { profile: '0.3.64', verdict: 'pass' }, { profile: 'current', verdict: 'pass' }] },
      { client: 'reference', scenario: '1.10', verdicts: [{ profile: '0.3.64', verdict: 'inconclusive' }, { profile: 'current', verdict: 'pass' }] },
    ]);
    expect(describeChanges(changes.slice(0, 1))).toBe('1.1 (fail on 0.3.44; pass on 0.3.64, current)');
  });
});

describe('explainChanges', () => {
  const changes = versionChanges([
    ...['1.1', '2.3'].flatMap((id) => [on('0.3.44', id, 'fail', UTILS), on('0.3.64', id, 'pass', UTILS), on('current', id, 'pass', UTILS)]),
    on('0.3.44', '5.3', 'pass', UTILS),
    on('0.3.64', '5.3', 'degraded', UTILS),
    on('current', '5.3', 'pass', UTILS),
  ]);
  const note = (o: Partial<VersionNote>): VersionNote => ({ client: /comfyui-utils/, scenarios: ['1.1', '2.3'], profile: '0.3.44', kind: 'client', cause: '0.3.44 ignores the prompt id', why: 'waits for its own id (x.py:1)', ...o });

  it('puts a change under the note of its client, scenario and odd profile; the rest is unexplained', () => {
    const explained = explainChanges(changes, [note({}), note({ profile: '0.3.64', cause: 'wrong profile' }), note({ client: /saintno/, cause: 'other client' })]);
    expect(explained.groups.map((g) => [g.cause, g.entries.map((e) => e.changes.map((c) => c.scenario))])).toEqual([['0.3.44 ignores the prompt id', [['1.1', '2.3']]]]);
    // 0.3.64 passes as current does: 0.3.44 is the odd one, so the note about 0.3.64 explains nothing.
    expect(explained.unexplained.map((c) => c.scenario)).toEqual(['5.3']);
    expect(explained.unused.map((n) => n.cause)).toEqual(['wrong profile', 'other client']);
  });

  it('a note about one profile does not explain a flip on another', () => {
    const flip = versionChanges([on('0.3.44', '3.1', 'fail', UTILS), on('0.3.64', '3.1', 'pass', UTILS), on('current', '3.1', 'fail', UTILS)]);
    // Unlike the baseline: current explains; the baseline is the one odd verdict here, so it explains too.
    expect(explainChanges(flip, [note({ scenarios: ['3.1'], profile: 'current' })]).groups).toHaveLength(1);
    expect(explainChanges(flip, [note({ scenarios: ['3.1'], profile: '0.3.64' })]).groups).toHaveLength(1);
    const late = versionChanges([on('0.3.44', '3.1', 'pass', UTILS), on('0.3.64', '3.1', 'pass', UTILS), on('current', '3.1', 'fail', UTILS)]);
    expect(explainChanges(late, [note({ scenarios: ['3.1'] })]).unexplained).toHaveLength(1);
    expect(explainChanges(late, [note({ scenarios: ['3.1'], profile: '0.3.64' })]).unused).toHaveLength(1);
    expect(explainChanges(late, [note({ scenarios: ['3.1'], profile: 'gateway-api-prefix' })]).unused).toHaveLength(1);
    // A note without a profile (noise: the flip is on whichever profile the load hit) explains any flip of its scenarios.
    expect(explainChanges(late, [note({ scenarios: ['3.1'], profile: undefined, kind: 'noise' })]).groups).toHaveLength(1);
    expect(explainChanges(late, [note({ scenarios: ['3.2'], profile: undefined, kind: 'noise' })]).unused).toHaveLength(1);
  });

  it('lists a change under every note that explains it, and a noise note apart', () => {
    const explained = explainChanges(changes, [note({}), note({ scenarios: ['2.3', '5.3'], profile: '0.3.64', kind: 'noise', cause: 'slow under load', why: '5 s receive timeout' })]);
    expect(explained.unexplained).toEqual([]);
    const lines = byVersion([...changes.flatMap((c) => c.verdicts.map((v) => on(v.profile, c.scenario, v.verdict, UTILS))), on('0.3.64', '1.1', 'fail', 'frontend@1.27.10')], [
      note({}),
      note({ scenarios: ['5.3'], profile: '0.3.64', kind: 'noise', cause: 'slow under load', why: '5 s receive timeout' }),
    ]).lines.join('\n');
    expect(lines).toContain('| client | 0.3.44 | 0.3.64 | current |');
    expect(lines).toContain('| comfyui-utils 0.0.1 | 1/3 (fail 1.1, 2.3) | 3/3 | 3/3 |');
    expect(lines).toContain('| ComfyUI frontend 1.27.10 | not run | 0/1 (fail 1.1) | not run |');
    expect(lines).toContain('### 0.3.44 ignores the prompt id\n\n- **comfyui-utils 0.0.1**: 1.1, 2.3 (fail on 0.3.44; pass on 0.3.64, current). waits for its own id (x.py:1)');
    expect(lines).toMatch(/### Flips that did not reproduce[^\n]*\n\n- \*\*comfyui-utils 0\.0\.1\*\*: 5\.3 \(pass on 0\.3\.44, current; degraded on 0\.3\.64\)\. slow under load: 5 s receive timeout/);
    expect(lines).not.toContain('Not yet explained');
  });

  it('prints nothing for a run on one profile, and says so when profiles agree', () => {
    expect(byVersion([on('0.3.64', '1.1', 'fail')], []).lines).toEqual([]);
    expect(byVersion([on('0.3.64', '1.1', 'pass'), on('current', '1.1', 'pass')], []).lines.join('\n')).toContain('Nothing: every client has the same verdict');
  });
});

describe('scripts/report-card.ts', () => {
  it('merges REPORT_CARD_EXTRA into the card: the frontend rows next to the bundled clients', () => {
    root = mkdtempSync(join(tmpdir(), 'cc-card-'));
    const main = join(root, 'card');
    const front = join(root, 'card-frontend');
    writeReport(main, [on('0.3.44', '1.1', 'fail', UTILS), on('0.3.64', '1.1', 'pass', UTILS)], meta('comfy-chaos run --comfyui all', '2026-12-02T01:00:00.000Z'));
    writeReport(front, [on('0.3.64', '1.1', 'fail', 'frontend@1.27.10'), on('current', '1.1', 'pass', 'frontend@1.58.1')], meta('comfy-chaos run --client frontend@1.27.10', '2026-12-02T02:00:00.000Z'));
    const out = join(root, 'card.md');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/report-card.ts', main, out], { env: { ...process.env, REPORT_CARD_EXTRA: front }, encoding: 'utf8', timeout: 60_000 });
    const card = readFileSync(out, 'utf8');
    expect(card).toContain('from 2 real runs');
    expect(card).toContain('comfy-chaos run --client frontend@1.27.10');
    expect(card).toMatch(/\| ComfyUI frontend 1\.27\.10 \| 0 \| 0 \| 0 \| 1 \|/);
    expect(card).toMatch(/\| ComfyUI frontend 1\.58\.1 @ ComfyUI current \| 1 \|/);
    expect(card).toContain('### Not yet explained');
    expect(card).toContain('- **comfyui-utils 0.0.1**: 1.1 (fail on 0.3.44; pass on 0.3.64)');
    expect(describeColumn('frontend@1.58.1 @ current').label).toBe('ComfyUI frontend 1.58.1 @ ComfyUI current');
  });
});
