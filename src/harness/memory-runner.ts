import { VirtualClock } from '../protocol/index.ts';
import type { TraceEvent } from '../protocol/index.ts';
import { ReferenceClient } from '../reference-client/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { Simulator } from '../simulator/index.ts';
import { checkTrace, type Finding, type Verdict } from './oracle/check-trace.ts';

export interface ScenarioResult {
  scenario: { id: string; name: string; purpose: string };
  client: string;
  transport: 'memory';
  seed: number;
  verdict: Verdict;
  findings: Finding[];
  /** Virtual ms the run took, and real ms it cost. */
  virtualMs: number;
  wallMs: number;
  trace: readonly TraceEvent[];
}

/**
 * Runs one scenario against the reference client on the memory transport in virtual time, and
 * judges the trace. Bounded by the scenario's `maxRunMs` of virtual time.
 */
export async function runReferenceInMemory(scenario: Scenario, seed: number): Promise<ScenarioResult> {
  const started = Date.now();
  const clock = new VirtualClock();
  const sim = new Simulator({ clock, seed, faults: scenario.faults });
  const mem = sim.memoryTransport();
  const record = (event: Record<string, unknown>) => sim.core.trace.record({ kind: 'client', client: 'reference', event });
  const client = new ReferenceClient({ servers: mem.baseUrl, fetch: mem.fetch, webSocketFactory: mem.webSocketFactory, clock, seed });
  const jobOf = new Map<string, string>();
  const settled = new Set<string>();
  const watched = new Set<string>();
  const watch = (name: string) => {
    if (watched.has(name)) return;
    watched.add(name);
    const session = client.window(name);
    session.on('progress', (e) => record({ type: 'progress', job: jobOf.get(e.promptId) ?? '?', promptId: e.promptId, value: e.value, max: e.max, node: e.node }));
    for (const type of ['completed', 'failed', 'interrupted', 'lost'] as const) {
      session.on(type, (event) => {
        const e = event as unknown as { promptId: string } & Record<string, unknown>;
        const job = jobOf.get(e.promptId) ?? '?';
        settled.add(job);
        record({ type, job, promptId: e.promptId, ...(type === 'completed' ? { outputs: e.outputs } : { reason: e.reason ?? type, error: e.error }) });
      });
    }
  };
  for (const job of scenario.jobs) {
    clock.setTimeout(() => {
      watch(job.window);
      const submitted = client.window(job.window).submit(job.prompt);
      jobOf.set(submitted.promptId, job.id);
      record({ type: 'submitted', job: job.id, promptId: submitted.promptId });
    }, job.submitAtMs);
  }
  const t0 = clock.now();
  await clock.runUntil(() => scenario.jobs.every((j) => settled.has(j.id)), scenario.maxRunMs);
  // Let duplicates, if the client would send any, arrive before judging.
  await clock.advanceBy(5_000);
  client.close();
  await sim.close();
  const trace = sim.trace;
  const { verdict, findings } = checkTrace(trace, scenario);
  return {
    scenario: { id: scenario.id, name: scenario.name, purpose: scenario.purpose },
    client: 'reference',
    transport: 'memory',
    seed,
    verdict,
    findings,
    virtualMs: clock.now() - t0,
    wallMs: Date.now() - started,
    trace,
  };
}
