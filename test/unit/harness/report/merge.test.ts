import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeReports, readReport, traceFileName, writeReport, type ReportMeta } from '../../../../src/harness/report/index.ts';
import { result, sampleResults } from './fixtures.ts';

const meta = (run: string, startedAt: string): ReportMeta => ({ run, seed: 42, transport: 'network', startedAt, command: `comfy-chaos run --shard ${run}` });
let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

function shards() {
  root = mkdtempSync(join(tmpdir(), 'cc-merge-'));
  const results = sampleResults();
  const a = join(root, 'shard-1');
  const b = join(root, 'shard-2');
  writeReport(a, results.slice(0, 4), meta('1/2', '2026-01-01T00:00:02.000Z'));
  writeReport(b, results.slice(4), meta('2/2', '2026-01-01T00:00:01.000Z'));
  return { results, a, b };
}

describe('mergeReports', () => {
  it('joins two shard reports into one holding the union of their results and traces', () => {
    const { results, a, b } = shards();
    const out = join(root, 'merged');
    const merged = mergeReports([a, b], out);
    expect(merged.warnings).toEqual([]);
    expect(merged.results).toBe(results.length);
    const back = readReport(out);
    expect(back.warnings).toEqual([]);
    const key = (r: { scenario: { id: string }; client: string }) => `${r.scenario.id} ${r.client}`;
    expect(back.results.map(key).sort()).toEqual(results.map(key).sort());
    expect(back.results.find((r) => r.verdict === 'fail')!.trace).toEqual(results.find((r) => r.verdict === 'fail')!.trace);
    expect(back.meta).toMatchObject({ run: 'merged', startedAt: '2026-01-01T00:00:01.000Z', transport: 'network', command: `comfy-chaos merge ${a} ${b}` });
    expect(back.meta.mergedFrom?.map((s) => [s.run, s.results])).toEqual([['1/2', 4], ['2/2', 4]]);
    // Every format is rewritten from the union.
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('tests="8" failures="1"');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('merged from 2 reports');
    expect(readFileSync(join(out, 'index.html'), 'utf8').match(/class="cell /g)).toHaveLength(8);
  });

  it('keeps the later report of an overlapping (scenario, client) pair and warns', () => {
    const { a, b } = shards();
    const rerun = join(root, 'rerun');
    writeReport(rerun, [result({ id: '2.3', name: 'terminate-between-executing-and-executed', client: 'reference', verdict: 'degraded', reason: 'slow' })], meta('rerun', '2026-01-01T00:00:03.000Z'));
    const seen: string[] = [];
    const merged = mergeReports([a, b, rerun], join(root, 'merged'), { onWarning: (m) => seen.push(m) });
    expect(merged.warnings).toEqual(seen);
    expect(seen).toEqual([`2.3 x reference is in both ${a} (pass) and ${rerun} (degraded); keeping ${rerun}, the later one`]);
    const back = readReport(join(root, 'merged'));
    expect(back.results).toHaveLength(8);
    expect(back.results.find((r) => r.scenario.id === '2.3' && r.client === 'reference')!.verdict).toBe('degraded');
  });

  it('names a directory without results.json and writes nothing', () => {
    const { a } = shards();
    const empty = join(root, 'not-a-report');
    mkdirSync(empty);
    const out = join(root, 'merged');
    expect(() => mergeReports([a, empty], out)).toThrow(
      expect.objectContaining({ code: 'CC_ERR_REPORT_NO_RESULTS', message: `report directory ${empty} has no results.json; give the --report directory of a comfy-chaos run` }),
    );
    expect(() => readFileSync(join(out, 'results.json'))).toThrow();
    expect(() => mergeReports([], out)).toThrow(expect.objectContaining({ code: 'CC_ERR_REPORT_NOTHING_TO_MERGE' }));
  });

  it('keeps a result whose trace file is missing, with a warning', () => {
    const { a, b, results } = shards();
    unlinkSync(join(a, traceFileName(results[0]!)));
    const merged = mergeReports([a, b], join(root, 'merged'), {});
    expect(merged.warnings).toEqual([expect.stringMatching(/trace-1\.1-reference\.jsonl is missing: 1\.1 x reference is kept without its trace$/)]);
    expect(merged.results).toBe(8);
  });
});
