import { z } from 'zod';

/**
 * The largest things a scenario may ask for (README, "Running scenarios").
 * A scenario file is input we do not trust: without bounds, one number (`bytes: 1e9`,
 * `submitAtMs: 1e300`, ten thousand jobs) crashes or hangs the run instead of being refused with
 * a message (issue 11). Each bound is far above what any catalogue scenario uses.
 */
export const scenarioLimits = {
  /** Jobs in one scenario (the catalogue uses at most a dozen). */
  jobs: 1_000,
  /** Nodes in one job's prompt. */
  promptNodes: 1_000,
  /** How deep a prompt's input values may nest (arrays and objects inside one input). */
  promptDepth: 32,
  /** Faults in one schedule. */
  faults: 200,
  /** Browser actions in one relay scenario. */
  browserActions: 200,
  /** Recorded prompts in a script, and frames in one recorded prompt. */
  scriptPrompts: 1_000,
  scriptFrames: 20_000,
  /** Any duration or instant in ms (24 h); a longer one is a typo or a unit mistake. */
  ms: 86_400_000,
  /** A run's `maxRunMs` (6 h): it bounds real time on the network transport. */
  maxRunMs: 21_600_000,
  /** Frames one frame fault alters. */
  frames: 1_000,
  /** One `oversized` frame, in bytes (64 MiB; ws's default `maxPayload` is 100 MiB). */
  oversizedBytes: 64 * 1024 * 1024,
  /** All `oversized` frames of a schedule together (`bytes` x `frames`), in bytes. */
  oversizedTotalBytes: 256 * 1024 * 1024,
  /** Counts in triggers and faults (`occurrence`, `times`, `count`, `prompt`). */
  count: 100_000,
  /** Text a fault sends (`garbage`, `text`) or a label, in characters. */
  text: 65_536,
  /** Ids, names, windows and users, in characters. */
  name: 200,
  /** Toxiproxy attributes are 32-bit integers in Toxiproxy's Go structs. */
  toxicAttribute: 2_147_483_647,
  /** A scenario file, in bytes. */
  fileBytes: 16 * 1024 * 1024,
} as const;

/** A duration or instant in ms: finite, not negative, at most {@link scenarioLimits.ms}. */
export function boundedMs(): z.ZodNumber {
  return z.number().nonnegative().max(scenarioLimits.ms, `at most ${scenarioLimits.ms} ms (24 h)`);
}

/** A strictly positive duration in ms, at most {@link scenarioLimits.ms}. */
export function positiveMs(): z.ZodNumber {
  return z.number().positive().max(scenarioLimits.ms, `at most ${scenarioLimits.ms} ms (24 h)`);
}

/** A 1-based count (occurrence, times, prompt index), at most {@link scenarioLimits.count}. */
export function boundedCount(): z.ZodNumber {
  return z.number().int().positive().max(scenarioLimits.count, `at most ${scenarioLimits.count}`);
}

/** A short text (a label, a reason, garbage to send). */
export function boundedText(): z.ZodString {
  return z.string().max(scenarioLimits.text, `at most ${scenarioLimits.text} characters`);
}
