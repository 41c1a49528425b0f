import { describe, expect, it } from 'vitest';
import { scenarioOf, systematicCases, type HuntCase } from '../../../../src/harness/hunt/index.ts';
import { scenario as scenarioSchema } from '../../../../src/scenarios/scenario.ts';

/** The singles of the systematic part, in order, with the network layer (Toxiproxy) on. */
function singles(): HuntCase[] {
  const out: HuntCase[] = [];
  for (const c of systematicCases({ layers: ['frame', 'connection', 'http', 'network'], seed: 1 })) {
    if (c.origin === 'workload' || (c.origin === 'pair' && !out.length)) continue;
    if (c.origin !== 'single') break;
    out.push(c);
  }
  return out;
}

const describeFault = (c: HuntCase) => {
  const f = c.faults[0] as { type: string; path?: string; toxic?: string; stream?: string; attributes?: { timeout?: number } };
  return [f.type, f.path ?? '', f.toxic ? `${f.toxic} ${f.stream} ${f.attributes?.timeout ?? ''}`.trim() : ''].filter(Boolean).join(' ');
};

describe('the systematic vocabulary (issue 15: every failure the catalogue shows is within reach)', () => {
  const all = singles();
  const midProgress = all.filter((c) => c.phases?.[0] === 'mid-progress');

  it('tries every HTTP fault on every path a client reads, a hung /history read included', () => {
    const seen = new Set(all.map(describeFault));
    for (const type of ['http_status', 'http_delay', 'http_hang']) for (const path of ['/prompt', '/history/*', '/queue']) expect(seen).toContain(`${type} ${path}`);
  });

  it('tries each socket-cutting toxic of the catalogue, not one drawn toxic', () => {
    const seen = new Set(midProgress.map(describeFault));
    for (const toxic of ['toxic reset_peer downstream 0', 'toxic timeout downstream 0', 'toxic timeout upstream 0', 'toxic timeout downstream 800', 'toxic limit_data downstream']) expect(seen).toContain(toxic);
    expect(midProgress.find((c) => c.faults[0]!.type === 'partition')?.faults[0]).toMatchObject({ durationMs: 2_000 });
  });

  it('tries each kind once first (a fault on POST /prompt during submission, where it fires), then the end of the job, and every case is a valid scenario file', () => {
    const kinds = new Set(all.map(describeFault)).size;
    const firstPass = all.slice(0, kinds);
    expect(new Set(firstPass.map(describeFault)).size).toBe(kinds);
    const where = (c: HuntCase) => ((c.faults[0] as { path?: string }).path === '/prompt' ? 'during submission' : ['drop', 'duplicate'].includes(c.faults[0]!.type) ? 'between executed and execution_success' : 'mid-progress');
    for (const c of firstPass) expect(c.phases?.[0]).toBe(where(c));
    const next = all.slice(kinds).map((c) => c.phases?.[0]).filter((p, i, ps) => ps.indexOf(p) === i);
    expect(next.slice(0, 2)).toEqual(['mid-progress', 'between executed and execution_success']);
    // There, the faults on the terminal frame itself come first: lost, duplicated, reordered, cut.
    expect(all.filter((c) => c.phases?.[0] === 'between executed and execution_success').slice(0, 4).map((c) => c.faults[0]?.type)).toEqual(['duplicate', 'drop', 'reorder', 'truncate']);
    const order = all.map((c) => c.phases?.[0]).filter((p, i, ps) => ps.indexOf(p) === i);
    expect(order).toHaveLength(7);
    for (const c of all) expect(() => scenarioSchema.parse(scenarioOf(c))).not.toThrow();
  });
});

describe('the fault-free workloads before the singles', () => {
  it('a failing job, a cached rerun, a text output, an interrupt and a queued delete, each a valid scenario file with its expected outcome', () => {
    const cases: HuntCase[] = [];
    for (const c of systematicCases({ layers: ['frame', 'connection', 'http'], seed: 1 })) {
      if (c.origin !== 'workload') break;
      cases.push(c);
    }
    expect(cases.map((c) => c.workload.expect)).toEqual([{ j1: 'failed' }, {}, {}, { j1: 'interrupted' }, { j2: 'interrupted' }]);
    expect(cases.every((c) => c.faults.length === 0)).toBe(true);
    // The rerun is the same graph: ComfyUI's cache answers it.
    expect(cases[1]!.workload.jobs[1]!.prompt).toEqual(cases[1]!.workload.jobs[0]!.prompt);
    for (const c of cases) expect(() => scenarioSchema.parse(scenarioOf(c))).not.toThrow();
  });
});

describe('faults that act only together', () => {
  it('with Toxiproxy, a lost answer to the submit (a slow POST /prompt cut by a partition) comes before the singles', () => {
    const stream = systematicCases({ layers: ['frame', 'connection', 'http', 'network'], seed: 1 });
    const head: HuntCase[] = [];
    for (const c of stream) {
      if (c.origin === 'single') break;
      head.push(c);
    }
    const lostReply = head.find((c) => c.origin === 'pair');
    expect(lostReply?.faults.map((f) => f.type)).toEqual(['http_delay', 'partition']);
    expect(lostReply?.workload.jobs).toHaveLength(1);
    expect(() => scenarioSchema.parse(scenarioOf(lostReply!))).not.toThrow();
    const withoutNetwork = systematicCases({ layers: ['frame', 'connection', 'http'], seed: 1 });
    for (const c of withoutNetwork) {
      if (c.origin === 'single') break;
      expect(c.origin).toBe('workload');
    }
  });
});
