import type { Fault } from '../../protocol/index.ts';
import { buildScenario, type Workload } from '../../scenarios/arbitraries/index.ts';
import { imageGraph } from '../../scenarios/graphs.ts';
import type { ScenarioInput } from '../../scenarios/scenario.ts';

/** Where a case of the hunt came from: the order the search tries them in. */
export type CaseOrigin = 'baseline' | 'single' | 'pair' | 'random' | 'shrink';

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
