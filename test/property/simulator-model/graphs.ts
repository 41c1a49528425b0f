import type { ApiPrompt } from '../../../src/protocol/index.ts';
import { failingGraph, sleepGraph } from '../../helpers/graphs.ts';

/**
 * The few graphs the model knows how to time. Sleep graphs always have steps >= 1, so an
 * interrupt is caught on node 1 (a step check) and never leaves a half-cached graph behind.
 */
export type GraphKey = 'sleepA' | 'sleepB' | 'fail' | 'invalid';

export interface SleepSpec {
  kind: 'sleep';
  durationMs: number;
  steps: number;
  tag: string;
}

export type GraphSpec = SleepSpec | { kind: 'fail' } | { kind: 'invalid' };

export const graphSpecs: Record<GraphKey, GraphSpec> = {
  sleepA: { kind: 'sleep', durationMs: 60, steps: 3, tag: 'a' },
  sleepB: { kind: 'sleep', durationMs: 100, steps: 4, tag: 'b' },
  fail: { kind: 'fail' },
  invalid: { kind: 'invalid' },
};

/** Node ids of every runnable graph (both builders use '1' -> '2'). */
export const graphNodes = ['1', '2'];

export function graphOf(key: GraphKey): ApiPrompt {
  const spec = graphSpecs[key];
  if (spec.kind === 'sleep') return sleepGraph(spec.durationMs, spec.steps, spec.tag);
  if (spec.kind === 'fail') return failingGraph('model says boom');
  // No OUTPUT_NODE: 400 prompt_no_outputs, which still advances the counter (§7).
  return { '1': sleepGraph(10, 1, 'x')['1']! };
}
