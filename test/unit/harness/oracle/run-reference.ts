/**
 * Runs a scenario against the reference client on the memory transport in virtual time, writing
 * the client's events into the simulator's trace by the conventions of src/harness/result.ts:
 * a real trace for the oracle's tests (not the runner: that is src/harness's business).
 */
import { VirtualClock, type FetchLike, type TraceEvent } from '../../../../src/protocol/index.ts';
import { ReferenceClient } from '../../../../src/reference-client/index.ts';
import type { Scenario } from '../../../../src/scenarios/scenario.ts';
import { Simulator } from '../../../../src/simulator/index.ts';
import { TraceRecorder } from '../../../../src/simulator/trace/trace-recorder.ts';

export async function runReference(scenario: Scenario, seed = 1): Promise<readonly TraceEvent[]> {
  const clock = new VirtualClock();
  const trace = new TraceRecorder(clock);
  const pool = scenario.servers > 1;
  const sims = Array.from({ length: scenario.servers }, (_, i) =>
    new Simulator({ clock, seed: seed + i, sharedTrace: trace, ...(pool ? { serverIndex: i + 1 } : {}), faults: i === 0 ? scenario.faults : [] }),
  );
  const mems = sims.map((sim, i) => sim.memoryTransport(`http://127.0.0.${i + 1}:8188`));
  const pick = (url: string) => mems.find((m) => new URL(url).host === new URL(m.baseUrl).host) ?? mems[0]!;
  const fetch: FetchLike = (url, init) => pick(url).fetch(url, init);
  const client = new ReferenceClient({
    servers: mems.map((m) => m.baseUrl),
    fetch,
    webSocketFactory: (url) => pick(url.replace(/^ws/, 'http')).webSocketFactory(url),
    clock,
    seed,
    ...scenario.clientHints,
  });
  const record = (event: Record<string, unknown>) => trace.record({ kind: 'client', client: 'reference', event });
  const jobOf = new Map<string, string>();
  const settled = new Set<string>();
  const watched = new Set<string>();
  const watch = (window: string) => {
    if (watched.has(window)) return;
    watched.add(window);
    const session = client.window(window);
    const id = (promptId: string) => jobOf.get(promptId) ?? '?';
    const end = (promptId: string, event: Record<string, unknown>) => {
      settled.add(id(promptId));
      record({ id: id(promptId), prompt_id: promptId, window, ...event });
    };
    session.on('submitted', (e) => record({ type: 'submitted', id: id(e.promptId), prompt_id: e.promptId, window }));
    session.on('progress', (e) => record({ type: 'progress', id: id(e.promptId), value: e.value, max: e.max, node: e.node, window }));
    session.on('completed', (e) => end(e.promptId, { type: 'completed', outputs: e.outputs }));
    session.on('failed', (e) => end(e.promptId, { type: 'failed', reason: e.reason, error: e.error }));
    session.on('interrupted', (e) => end(e.promptId, { type: 'failed', reason: 'interrupted' }));
    session.on('lost', (e) => end(e.promptId, { type: 'failed', reason: 'lost', error: e.error }));
  };
  for (const job of scenario.jobs) {
    clock.setTimeout(() => {
      watch(job.window);
      record({ type: 'harness_submit', id: job.id, window: job.window });
      const submitted = client.window(job.window).submit(job.prompt);
      jobOf.set(submitted.promptId, job.id);
      if (job.cancelAtMs !== undefined) {
        clock.setTimeout(() => {
          record({ type: 'harness_cancel', id: job.id });
          void client.window(job.window).cancel(submitted.promptId);
        }, Math.max(0, job.cancelAtMs - job.submitAtMs));
      }
    }, job.submitAtMs);
  }
  await clock.runUntil(() => scenario.jobs.every((j) => settled.has(j.id)), scenario.maxRunMs);
  await clock.advanceBy(5_000); // late duplicates, if any, land before judging
  client.close();
  await Promise.all(sims.map((s) => s.close()));
  return trace.events;
}
