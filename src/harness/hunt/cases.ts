import type { Fault } from '../../protocol/index.ts';
import { buildScenario, type Workload } from '../../scenarios/arbitraries/index.ts';
import { failingGraph, imageGraph, sleepGraph } from '../../scenarios/graphs.ts';
import type { ScenarioInput } from '../../scenarios/scenario.ts';

/** Where a case of the hunt came from: the order the search tries them in. */
export type CaseOrigin = 'baseline' | 'workload' | 'single' | 'pair' | 'random' | 'shrink';

/** One case of the hunt: a workload, a fault schedule, and the seed its run uses. */
export interface HuntCase {
  origin: CaseOrigin;
  workload: Workload;
  faults: Fault[];
  runSeed: number;
  /** The phase each fault was put at on purpose (systematic cases), by index. */
  phases?: string[];
  /**
   * Where the case is in the search of its seed (search-path.ts): `<stage>-<index>`, then one
   * `:<k>` per shrinking step (the k-th of `smallerCases`). `fuzz --seed --path` replays it.
   */
  path?: string;
}

/** Timings of hunt scenarios: short, so a network run takes seconds (issue 15, "fast on the network"). */
export const huntBounds = { latencyBoundMs: 5_000, recoveryBoundMs: 5_000, maxRunMs: 25_000 } as const;

/**
 * The plain job of the hunt: two 64x64 image jobs (EmptyImage -> SimSleep -> SaveImage, a real
 * PNG), the first 400 ms of four progress steps, the second queued behind it (submitted at 50 ms)
 * and running 600 ms in three steps, so that the queue is not empty soon after the first ends: a
 * client must learn of the first job's end by itself. Every systematic fault is put at a phase of
 * the first job (phases.ts); the second gives a phase between two jobs. The second job ran 1.2 s
 * until bench/hunt-case-profile.ts showed the workload to be most of a passing case's wall time;
 * its length only moves when the server is done, and the recovery bound counts from then.
 */
export function baselineWorkload(): Workload {
  return {
    servers: 1,
    expect: {},
    jobs: [
      { id: 'j1', prompt: imageGraph(400, 4, 'j1'), window: 'main', submitAtMs: 0 },
      { id: 'j2', prompt: imageGraph(600, 3, 'j2'), window: 'main', submitAtMs: 50 },
    ],
  };
}

/**
 * The fault-free workloads the hunt tries right after the plain job (issue 15: the catalogue's
 * fault-free failures, 5.x, 6.2, 6.5, 6.6, 6.13, were out of its reach in a minute, since the random
 * part that draws other workloads comes after thousands of pairs): a job that fails
 * (`execution_error`), a fully cached rerun, a text output, and, for a client that declares
 * cancel (the others are skipped without starting), a running job interrupted and a queued one
 * deleted. Each is as short as the plain job.
 */
export function workloadVariants(): { name: string; workload: Workload }[] {
  const image = imageGraph(400, 4, 'j1');
  return [
    { name: 'a job that fails', workload: { servers: 1, expect: { j1: 'failed' }, jobs: [{ id: 'j1', prompt: failingGraph('boom j1'), window: 'main', submitAtMs: 0 }, { id: 'j2', prompt: imageGraph(400, 4, 'j2'), window: 'main', submitAtMs: 50 }] } },
    { name: 'a cached rerun', workload: { servers: 1, expect: {}, jobs: [{ id: 'j1', prompt: image, window: 'main', submitAtMs: 0 }, { id: 'j2', prompt: structuredClone(image), window: 'main', submitAtMs: 900 }] } },
    { name: 'a text output', workload: { servers: 1, expect: {}, jobs: [{ id: 'j1', prompt: sleepGraph(400, 4, 'j1'), window: 'main', submitAtMs: 0 }, { id: 'j2', prompt: imageGraph(400, 4, 'j2'), window: 'main', submitAtMs: 50 }] } },
    { name: 'a running job interrupted', workload: { servers: 1, expect: { j1: 'interrupted' }, jobs: [{ id: 'j1', prompt: imageGraph(1_200, 12, 'j1'), window: 'main', submitAtMs: 0, cancelAtMs: 300 }, { id: 'j2', prompt: imageGraph(400, 4, 'j2'), window: 'main', submitAtMs: 50 }] } },
    { name: 'a queued job deleted', workload: { servers: 1, expect: { j2: 'interrupted' }, jobs: [{ id: 'j1', prompt: imageGraph(800, 8, 'j1'), window: 'main', submitAtMs: 0 }, { id: 'j2', prompt: imageGraph(400, 4, 'j2'), window: 'main', submitAtMs: 50, cancelAtMs: 200 }] } },
  ];
}

/** Run `i` of the plain job: the first cases of every hunt (run seeds `seed`, `seed + 1`, ...). */
export function baselineCase(seed: number, i: number): HuntCase {
  return { origin: 'baseline', workload: baselineWorkload(), faults: [], runSeed: seed + i, path: `baseline-${i}` };
}

/** The scenario of a case, as scenario-file data (`run --scenario` accepts it as YAML). */
export function scenarioOf(c: HuntCase, id = '9.2'): ScenarioInput {
  const s = buildScenario(id, c.workload, c.faults) as ScenarioInput & Record<string, unknown>;
  return { ...s, ...huntBounds, purpose: s.purpose.replace(/^generated:/, 'hunt:') };
}

/** How big a case is, for shrinking: fewer faults first, then fewer jobs, servers and windows. */
export function sizeOf(c: Pick<HuntCase, 'workload' | 'faults'>): number {
  const windows = new Set(c.workload.jobs.map((j) => j.window)).size;
  return c.faults.length * 1_000 + c.workload.jobs.length * 10 + c.workload.servers + windows;
}
