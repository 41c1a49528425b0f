import fc from 'fast-check';
import type { ApiPrompt } from '../../protocol/index.ts';
import { failingGraph, sleepGraph, txt2imgGraph } from '../graphs.ts';
import type { ScenarioInput } from '../scenario.ts';
import { ArbitraryConstraintError, checkInteger } from './_internals/constraint-error.ts';

/** Shapes of a generated job. `rerun` submits an earlier job's graph again (ComfyUI's cache). */
export type JobShape = 'sleep' | 'txt2img' | 'failing' | 'rerun';
export const jobShapes: readonly JobShape[] = ['sleep', 'txt2img', 'failing', 'rerun'];

export interface WorkloadConstraints {
  /** Fewest jobs [default 1] */
  minJobs?: number;
  /** Most jobs [default 3] */
  maxJobs?: number;
  /** Which job shapes [default all of {@link jobShapes}]; `sleep` is always allowed */
  shapes?: readonly JobShape[];
  /** Whether a job may be cancelled (queue delete or interrupt) by the harness [default true] */
  cancels?: boolean;
  /** Most windows (sessions) submitting jobs [default 2] */
  maxWindows?: number;
  /** Most simulated servers in the pool [default 2] */
  maxServers?: number;
  /** Latest submit time, in ms after the run starts [default 2000] */
  maxSubmitAtMs?: number;
  /** Longest SimSleep node, in ms [default 1200] */
  maxJobMs?: number;
}

type JobInput = ScenarioInput['jobs'][number];
type Expected = 'completed' | 'failed' | 'interrupted' | 'lost';

/** The workload part of a scenario: jobs, servers, and the outcome each job must end in. */
export interface Workload {
  jobs: JobInput[];
  servers: number;
  /** Jobs whose right outcome is not `completed` (scenario `expect`). */
  expect: Record<string, Expected>;
}

interface JobSpec {
  shape: JobShape;
  window: number;
  submitAtMs: number;
  durationMs: number;
  steps: number;
  /** Index of the earlier job a rerun repeats (taken modulo the jobs before it). */
  of: number;
  /** A cancel at this fraction (tenths) of the job's own duration after its submit, or none. */
  cancelTenths: number | undefined;
}

const windowNames = ['main', 'w2', 'w3', 'w4'];

/**
 * A workload: 1-3 jobs by default, each a SimSleep graph (progress steps, a text output), a
 * txt2img graph, a failing graph (`expect: failed`) or a cached rerun of an earlier job, from one
 * or more windows, some cancelled while surely still pending (`expect: interrupted`), against a
 * pool of servers. Step intervals stay under 400 ms, so a socket that is healthy is never silent
 * for long (generated scenarios use a 2 s health timeout).
 */
export function workload(constraints: WorkloadConstraints = {}): fc.Arbitrary<Workload> {
  const { minJobs = 1, maxJobs = 3, shapes = jobShapes, cancels = true, maxWindows = 2, maxServers = 2, maxSubmitAtMs = 2_000, maxJobMs = 1_200 } = constraints;
  checkInteger('workload', 'minJobs', minJobs, 1);
  checkInteger('workload', 'maxJobs', maxJobs, minJobs, 26);
  checkInteger('workload', 'maxWindows', maxWindows, 1, windowNames.length);
  checkInteger('workload', 'maxServers', maxServers, 1, 4);
  checkInteger('workload', 'maxSubmitAtMs', maxSubmitAtMs, 0);
  checkInteger('workload', 'maxJobMs', maxJobMs, 100);
  for (const s of shapes) {
    if (!jobShapes.includes(s)) throw new ArbitraryConstraintError('workload', 'shapes', s, `one of ${jobShapes.join(', ')}`);
  }
  const allowed = jobShapes.filter((s) => s === 'sleep' || shapes.includes(s));
  const spec: fc.Arbitrary<JobSpec> = fc.record({
    // `sleep` first: shapes shrink towards the plainest job.
    shape: fc.constantFrom(...allowed),
    window: fc.integer({ min: 0, max: maxWindows - 1 }),
    submitAtMs: fc.integer({ min: 0, max: Math.floor(maxSubmitAtMs / 50) }).map((n) => n * 50),
    durationMs: fc.integer({ min: 1, max: Math.floor(maxJobMs / 100) }).map((n) => n * 100),
    steps: fc.integer({ min: 1, max: 8 }),
    of: fc.nat({ max: 25 }),
    cancelTenths: cancels ? fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 4 }) : fc.constant(undefined),
  });
  return fc
    .tuple(fc.array(spec, { minLength: minJobs, maxLength: maxJobs }), fc.integer({ min: 1, max: maxServers }))
    .map(([specs, servers]) => buildWorkload(specs, servers));
}

function buildWorkload(specs: JobSpec[], servers: number): Workload {
  const jobs: JobInput[] = [];
  const expect: Record<string, Expected> = {};
  const shapeOf: JobShape[] = [];
  /** Jobs whose graph another job repeats: ComfyUI's cache links their outcomes, so neither is cancelled. */
  const shared = new Set<number>();
  const failing = new Set<number>();
  for (const [i, s] of specs.entries()) {
    const id = `j${i + 1}`;
    let shape = s.shape === 'rerun' && i === 0 ? 'sleep' : s.shape;
    let prompt: ApiPrompt;
    if (shape === 'rerun') {
      const k = s.of % i;
      prompt = structuredClone(jobs[k]!.prompt) as ApiPrompt;
      shared.add(k);
      // A failing graph fails again: ComfyUI does not cache errors.
      if (failing.has(k)) {
        expect[id] = 'failed';
        failing.add(i);
      }
    } else if (shape === 'failing') {
      prompt = failingGraph(`boom ${id}`);
      expect[id] = 'failed';
      failing.add(i);
    } else if (shape === 'txt2img') {
      // A 64x64 latent: the same frames and outputs as the UI's 512x512, but the saved PNG's deflate
      // (3-4 ms of CPU at 512x512, the largest cost of a memory search) is a 64th of it.
      prompt = txt2imgGraph({ steps: Math.min(4, s.steps), seed: i + 1, prefix: id, size: 64 });
    } else {
      // Steps at most every 400 ms: a healthy socket is never silent for the 2 s health timeout.
      const steps = Math.max(s.steps, Math.ceil(s.durationMs / 400));
      prompt = sleepGraph(s.durationMs, steps, id);
      shape = 'sleep';
    }
    shapeOf.push(shape);
    const job: JobInput = { id, prompt, window: windowNames[s.window]!, submitAtMs: s.submitAtMs };
    // Cancel only a sleep job of 4+ steps whose graph no other job shares, within the first half
    // of its own run time: it is then surely queued or running (a queued job is deleted, a
    // running one interrupted at its next step), never already finished.
    const steps = shape === 'sleep' ? Number((prompt['1']!.inputs as { steps: number }).steps) : 0;
    if (s.cancelTenths !== undefined && shape === 'sleep' && steps >= 4 && s.durationMs >= 400) {
      job.cancelAtMs = s.submitAtMs + Math.floor((s.durationMs * s.cancelTenths) / 10);
      expect[id] = 'interrupted';
    }
    jobs.push(job);
  }
  for (const k of shared) {
    const job = jobs[k]!;
    if (job.cancelAtMs === undefined) continue;
    delete job.cancelAtMs;
    delete expect[job.id];
  }
  return { jobs, servers, expect };
}
