import type { Trigger } from '../../protocol/index.ts';
import { failingGraph, imageGraph, sleepGraph } from '../graphs.ts';
import type { ScenarioInput } from '../scenario.ts';

/**
 * Small builders the catalogue files share, so each scenario reads as its workload and faults.
 * Durations are kept short on purpose: the whole catalogue must run on the network transport
 * (real time) in about a minute (issue 4), so only scenarios marked `transports: ['memory']`
 * may last longer than a few seconds.
 */

export type JobInput = ScenarioInput['jobs'][number];
type TriggerInput = Extract<Trigger, { on: 'message' }>;

/**
 * A model-free timed job: a SimSleep node of `durationMs` over `steps` progress steps. By default
 * it is an image job, as real ComfyUI jobs are (EmptyImage -> SimSleep -> SaveImage, a real PNG in
 * the output folder); `output: 'text'` makes it SimSleep -> PreviewAny, a text output, where a
 * scenario means to test one. The job id is the tag (and the image's file prefix), so two jobs of a
 * scenario never hit ComfyUI's cache unless `tag` says so.
 */
export function sleepJob(
  id: string,
  durationMs: number,
  steps: number,
  extra: Partial<JobInput> & { tag?: string; output?: 'image' | 'text' } = {},
): JobInput {
  const { tag, output, ...rest } = extra;
  const graph = output === 'text' ? sleepGraph : imageGraph;
  return { id, prompt: graph(durationMs, steps, tag ?? id), ...rest };
}

/** A job whose only node raises (`execution_error`). */
export function failingJob(id: string, message: string, extra: Partial<JobInput> = {}): JobInput {
  return { id, prompt: failingGraph(message), ...extra };
}

/** Just before (default) or just after the `occurrence`-th `type` message, of prompt `prompt` if given. */
export function onMessage(
  type: string,
  options: { when?: 'before' | 'after'; occurrence?: number; prompt?: number } = {},
): Partial<TriggerInput> & { on: 'message'; type: string } {
  return { on: 'message', type, ...options };
}

/**
 * A phase of prompt `prompt` (the n-th accepted) on the server: fires for every client, whether or
 * not it sent a client_id (ComfyUI sends `execution_*` only to the prompt's client). `started` is
 * just before `execution_start`, `finished` just before the terminal `execution_*` message,
 * `history_written` just before the final `status` and `executing {node: null}`.
 */
export function onPrompt(event: 'started' | 'finished' | 'history_written', prompt = 1): { on: 'prompt'; event: typeof event; prompt: number } {
  return { on: 'prompt', event, prompt };
}

/** An output node of prompt `prompt` has its output, just before its `executed` (every client). */
export function onOutput(prompt = 1): { on: 'node'; event: 'finished'; outputNode: true; prompt: number } {
  return { on: 'node', event: 'finished', outputNode: true, prompt };
}

/** The first node of prompt `prompt` starts: just after `execution_start` and `execution_cached` (every client). */
export function onFirstNode(prompt = 1): { on: 'node'; event: 'started'; prompt: number; occurrence: 1 } {
  return { on: 'node', event: 'started', prompt, occurrence: 1 };
}

export function atMs(afterMs: number): { on: 'time'; afterMs: number } {
  return { on: 'time', afterMs };
}

/**
 * Bounds of a short scenario with nothing slow in it, in ms: generous, since the network run shares
 * 2 cores. The recovery bound is well clear of 5 s, a common receive timeout after which clients
 * read /history as a backstop (comfy-toolkit): at exactly 5 s their verdict flipped on jitter;
 * they are now reliably `degraded` (late, by the latency bound), not lost.
 */
export const quick = { latencyBoundMs: 2_000, recoveryBoundMs: 8_000, maxRunMs: 20_000 } as const;
