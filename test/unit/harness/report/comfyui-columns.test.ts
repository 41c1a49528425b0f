/**
 * A run over several ComfyUI profiles (issue 13): each profile is its own column (client x
 * version) in every format, its own JUnit testcase and testsuite, its own trace file, and the
 * profile survives results.json. Results on the baseline keep the plain client name, as before.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../../../src/harness/result.ts';
import { htmlData, junit, storedResult, summaryMd, traceFileName } from '../../../../src/harness/report/index.ts';
import { clientsOf, columnOf } from '../../../../src/harness/report/format.ts';
import { result } from './fixtures.ts';

const meta = { run: 'r', seed: 42, transport: 'memory' as const, startedAt: '2026-12-01T00:00:00.000Z', command: 'comfy-chaos run --comfyui all' };

function across(...profiles: Array<string | undefined>): ScenarioResult[] {
  return profiles.flatMap((comfyui) =>
    ['2.2', '6.1'].map((id) => ({ ...result({ id, name: `s${id}`, verdict: 'pass' }), ...(comfyui ? { comfyui } : {}) })),
  );
}

describe('report columns per ComfyUI profile', () => {
  it('labels a column client @ profile, the baseline and profile-less results by client alone', () => {
    expect(columnOf({ client: 'reference', comfyui: '0.3.44' })).toBe('reference @ 0.3.44');
    expect(columnOf({ client: 'reference', comfyui: '0.3.64' })).toBe('reference');
    expect(columnOf({ client: 'reference' })).toBe('reference');
    expect(clientsOf(across('0.3.44', '0.3.64', 'current'))).toEqual(['reference @ 0.3.44', 'reference', 'reference @ current']);
  });

  it('JUnit: one testsuite per column, one testcase per scenario x column', () => {
    const [file] = junit(across('0.3.44', '0.3.64', 'current'), meta);
    const xml = file!.text;
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['reference @ 0.3.44', 'reference', 'reference @ current']);
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]}|${m[2]}`);
    expect(cases).toHaveLength(6);
    expect(new Set(cases).size).toBe(6);
  });

  it('HTML and Markdown matrices have a column per profile; trace files do not collide', () => {
    const results = across('0.3.44', undefined, 'gateway-api-prefix');
    const data = htmlData(results, meta);
    expect(data.clients).toEqual(['reference @ 0.3.44', 'reference', 'reference @ gateway-api-prefix']);
    expect(new Set(data.results.map((r) => `${r.id}|${r.client}`)).size).toBe(6);
    const md = summaryMd(results, meta)[0]!.text;
    expect(md).toContain('| reference @ 0.3.44 | reference | reference @ gateway-api-prefix |');
    expect(new Set(results.map(traceFileName)).size).toBe(6);
  });

  it('results.json keeps the profile', () => {
    const [r] = across('current');
    expect(storedResult(r!)).toMatchObject({ client: 'reference', comfyui: 'current' });
  });
});
