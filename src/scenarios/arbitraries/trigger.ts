import fc from 'fast-check';
import type { Trigger } from '../../protocol/index.ts';
import { ArbitraryConstraintError, checkInteger } from './_internals/constraint-error.ts';

/** The ways a fault can fire (src/protocol/fault-schedule.ts). */
export type TriggerKind = Trigger['on'];
export const triggerKinds: readonly TriggerKind[] = ['time', 'message', 'connect', 'frames', 'request', 'prompt', 'node'];
/**
 * The kinds drawn when `kinds` is not given: the server-phase kinds (`prompt`, `node`) are opt-in,
 * so that the seeds of schedules shrunk and saved before they existed still replay the same.
 */
export const defaultTriggerKinds: readonly TriggerKind[] = ['time', 'message', 'connect', 'frames', 'request'];

/** Server messages worth firing on: every phase of a job, and the idle `status`. */
export const triggerMessageTypes = [
  'status',
  'execution_start',
  'execution_cached',
  'executing',
  'progress',
  'progress_state',
  'executed',
  'execution_success',
] as const;

/** HTTP paths a `request` trigger (and an HTTP fault) can name; `/history/*` is a prefix. */
export const triggerRequestPaths = ['/prompt', '/history/*', '/queue'] as const;

export interface TriggerConstraints {
  /** Which kinds of trigger [default {@link defaultTriggerKinds}] */
  kinds?: readonly TriggerKind[];
  /** Latest `afterMs` of a time trigger, in ms [default 4000] */
  maxAfterMs?: number;
  /** Highest prompt index (1-based, acceptance order) a message trigger names; usually the number of jobs [default 3] */
  maxPrompt?: number;
  /** Highest `occurrence` of a message, connect or request trigger [default 4] */
  maxOccurrence?: number;
  /** Highest frame count of a `frames` trigger [default 40] */
  maxFrames?: number;
}

/**
 * A trigger: a time offset or a protocol event ("just before `executed` of prompt 2", "on the
 * 3rd connect", "on the 2nd `/history/*` request"). Shrinks towards `at 0ms`.
 */
export function trigger(constraints: TriggerConstraints = {}): fc.Arbitrary<Trigger> {
  const kinds = constraints.kinds ?? defaultTriggerKinds;
  const maxAfterMs = constraints.maxAfterMs ?? 4_000;
  const maxPrompt = constraints.maxPrompt ?? 3;
  const maxOccurrence = constraints.maxOccurrence ?? 4;
  const maxFrames = constraints.maxFrames ?? 40;
  if (kinds.length === 0) throw new ArbitraryConstraintError('trigger', 'kinds', kinds, `one or more of ${triggerKinds.join(', ')}`);
  for (const k of kinds) {
    if (!triggerKinds.includes(k)) throw new ArbitraryConstraintError('trigger', 'kinds', k, `one of ${triggerKinds.join(', ')}`);
  }
  checkInteger('trigger', 'maxAfterMs', maxAfterMs, 0);
  checkInteger('trigger', 'maxPrompt', maxPrompt, 1);
  checkInteger('trigger', 'maxOccurrence', maxOccurrence, 1);
  checkInteger('trigger', 'maxFrames', maxFrames, 0);

  const occurrence = fc.integer({ min: 1, max: maxOccurrence });
  const byKind: Record<TriggerKind, fc.Arbitrary<Trigger>> = {
    // Multiples of 50 ms: shrunk schedules read better, and nothing is lost at that grain.
    time: fc.integer({ min: 0, max: Math.floor(maxAfterMs / 50) }).map((n) => ({ on: 'time' as const, afterMs: n * 50 })),
    message: fc
      .record({
        when: fc.constantFrom('before' as const, 'after' as const),
        type: fc.constantFrom(...triggerMessageTypes),
        prompt: fc.option(fc.integer({ min: 1, max: maxPrompt }), { nil: undefined }),
        occurrence,
      })
      .map(({ prompt, ...t }) => ({ on: 'message' as const, ...t, ...(prompt === undefined ? {} : { prompt }) })),
    connect: occurrence.map((n) => ({ on: 'connect' as const, occurrence: n })),
    frames: fc.integer({ min: 0, max: maxFrames }).map((count) => ({ on: 'frames' as const, count })),
    request: fc.record({ path: fc.constantFrom(...triggerRequestPaths), occurrence }).map((t) => ({ on: 'request' as const, ...t })),
    prompt: fc
      .record({
        event: fc.constantFrom('started' as const, 'finished' as const, 'history_written' as const),
        prompt: fc.option(fc.integer({ min: 1, max: maxPrompt }), { nil: undefined }),
        occurrence,
      })
      .map(({ prompt, ...t }) => ({ on: 'prompt' as const, ...t, ...(prompt === undefined ? {} : { prompt }) })),
    node: fc
      .record({
        event: fc.constantFrom('started' as const, 'finished' as const),
        outputNode: fc.option(fc.boolean(), { nil: undefined }),
        prompt: fc.option(fc.integer({ min: 1, max: maxPrompt }), { nil: undefined }),
        occurrence,
      })
      .map(({ prompt, outputNode, ...t }) => ({
        on: 'node' as const,
        ...t,
        ...(outputNode === undefined ? {} : { outputNode }),
        ...(prompt === undefined ? {} : { prompt }),
      })),
  };
  // `time` first, so that fast-check's oneof shrinks a trigger towards a plain offset; protocol
  // events weigh most: "just before `executed`" is where clients break.
  const weights: Record<TriggerKind, number> = { time: 2, message: 4, connect: 1, frames: 1, request: 1, prompt: 2, node: 2 };
  const ordered = triggerKinds.filter((k) => kinds.includes(k)).map((k) => ({ arbitrary: byKind[k], weight: weights[k] }));
  return ordered.length === 1 ? ordered[0]!.arbitrary : fc.oneof(...ordered);
}
