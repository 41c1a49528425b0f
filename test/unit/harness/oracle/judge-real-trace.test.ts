import { describe, expect, it } from 'vitest';
import { judge } from '../../../../src/harness/oracle/index.ts';
import { findScenarios } from '../../../../src/scenarios/catalogue/index.ts';
import { failingGraph, sleepGraph } from '../../../../src/scenarios/graphs.ts';
import { scenario } from '../../../../src/scenarios/scenario.ts';
import { runReference } from './run-reference.ts';

describe('judge on real traces (simulator + reference client, memory transport)', () => {
  it('passes two windows, a failing job and a dropped socket, and counts a recovery', async () => {
    const s = scenario.parse({
      id: '9.2',
      name: 'real-trace',
      purpose: 'the oracle judges a real run',
      jobs: [
        { id: 'a1', window: 'A', prompt: sleepGraph(2_000, 8, 'a1') },
        { id: 'a2', window: 'A', prompt: failingGraph('told to fail'), submitAtMs: 100 },
        { id: 'b1', window: 'B', prompt: sleepGraph(1_000, 4, 'b1'), submitAtMs: 50 },
      ],
      faults: [{ type: 'terminate', at: { on: 'message', type: 'progress', occurrence: 3 } }],
      expect: { a2: 'failed' },
    });
    const trace = await runReference(s);
    const result = judge(trace, s);
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.counts).toMatchObject({ acknowledged: 3, completedOnServer: 2, reported: 2, lost: 0, duplicated: 0, phantom: 0 });
    expect(result.counts.recovered).toBeGreaterThanOrEqual(1);
  });

  it('passes two windows on a pool of two servers (server tags in the trace)', async () => {
    const s = scenario.parse({
      id: '9.3',
      name: 'real-pool',
      purpose: 'locking judged from the trace',
      servers: 2,
      jobs: [
        { id: 'a1', window: 'A', prompt: sleepGraph(1_000, 4, 'a1') },
        { id: 'a2', window: 'A', prompt: sleepGraph(1_000, 4, 'a2'), submitAtMs: 10 },
        { id: 'b1', window: 'B', prompt: sleepGraph(1_000, 4, 'b1') },
        { id: 'b2', window: 'B', prompt: sleepGraph(1_000, 4, 'b2'), submitAtMs: 10 },
      ],
    });
    const trace = await runReference(s);
    expect(trace.some((e) => e.kind === 'prompt' && e.event === 'queued' && e.server !== undefined)).toBe(true);
    const result = judge(trace, s);
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  // One scenario per fault family of the catalogue.
  const sample = findScenarios(['1.1', '2.3', '2.8', '3.6', '5.1', '5.3', '6.2']);
  it.each(sample.map((d) => [`${d.id} ${d.name}`, d] as const))('finds nothing wrong in the catalogue scenario %s', async (_name, d) => {
    const result = judge(await runReference(d), d);
    expect(result.findings).toEqual([]);
    expect(['pass', 'degraded']).toContain(result.verdict);
  });

  it('fails a real trace with a completion taken out, naming the job and the server line', async () => {
    const s = scenario.parse({ id: '9.4', name: 'real-lost', purpose: 'teeth', jobs: [{ id: 'j1', prompt: sleepGraph(500, 2) }] });
    const trace = await runReference(s);
    const success = trace.find((e) => e.kind === 'prompt' && e.event === 'success')!;
    const cut = trace.filter((e) => !(e.kind === 'client' && (e.event as { type?: string }).type === 'completed'));
    const result = judge(cut, s);
    expect(result.verdict).toBe('fail');
    expect(result.reason).toMatch(new RegExp(`^no-lost-completion \\(job j1\\): prompt \\S+ succeeded on the server at \\d+ms but the client never reported it; trace lines ${success.seq}$`));
    expect(result.counts).toMatchObject({ completedOnServer: 1, reported: 0, lost: 1 });
  });
});
