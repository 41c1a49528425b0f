import type { HuntCase } from './cases.ts';

/**
 * Smaller versions of a failing case, most promising first: without one fault (the last one is
 * kept: a fault-free failure is the baseline's), without one job, on one server, from one window,
 * without cancels. The hunt keeps the first that still fails the same way and asks again
 * (greedy delta debugging), so a schedule ends with the faults that matter, usually one or two.
 * The k-th candidate's search path is its parent's and `:<k>` (search-path.ts replays it).
 */
export function* smallerCases(c: HuntCase): Generator<HuntCase> {
  let k = 0;
  for (const smaller of candidates(c)) {
    yield c.path === undefined ? smaller : { ...smaller, path: `${c.path}:${k}` };
    k++;
  }
}

function* candidates(c: HuntCase): Generator<HuntCase> {
  const base = { origin: 'shrink' as const, runSeed: c.runSeed };
  if (c.faults.length > 1) {
    for (let i = c.faults.length - 1; i >= 0; i--) {
      yield { ...base, workload: c.workload, faults: c.faults.filter((_, k) => k !== i), ...(c.phases ? { phases: c.phases.filter((_, k) => k !== i) } : {}) };
    }
  }
  const w = c.workload;
  if (w.jobs.length > 1) {
    for (let i = w.jobs.length - 1; i >= 0; i--) {
      const dropped = w.jobs[i]!.id;
      // A cached rerun's twin must stay: dropping a later job only.
      const jobs = w.jobs.filter((_, k) => k !== i);
      const expect = Object.fromEntries(Object.entries(w.expect).filter(([id]) => id !== dropped));
      yield { ...base, faults: c.faults, workload: { ...w, jobs, expect }, ...(c.phases ? { phases: c.phases } : {}) };
    }
  }
  if (w.servers > 1) yield { ...base, faults: c.faults, workload: { ...w, servers: 1 }, ...(c.phases ? { phases: c.phases } : {}) };
  if (w.jobs.some((j) => j.window !== 'main')) {
    yield { ...base, faults: c.faults, workload: { ...w, jobs: w.jobs.map((j) => ({ ...j, window: 'main' })) }, ...(c.phases ? { phases: c.phases } : {}) };
  }
  if (w.jobs.some((j) => j.cancelAtMs !== undefined)) {
    const jobs = w.jobs.map(({ cancelAtMs: _, ...j }) => j);
    const expect = Object.fromEntries(Object.entries(w.expect).filter(([id]) => w.jobs.find((j) => j.id === id)?.cancelAtMs === undefined));
    yield { ...base, faults: c.faults, workload: { ...w, jobs, expect }, ...(c.phases ? { phases: c.phases } : {}) };
  }
}
