import { z } from 'zod';
import { apiPrompt, faultSchedule } from '../protocol/index.ts';

/** One job of a workload: which graph, from which window, submitted when (ms after start). */
export const workloadJob = z.object({
  id: z.string().min(1),
  prompt: apiPrompt,
  window: z.string().default('main'),
  submitAtMs: z.number().nonnegative().default(0),
});
export type WorkloadJob = z.infer<typeof workloadJob>;

/**
 * A scenario: workload x fault schedule x oracle (design.md). Data, validated here, so a scenario
 * can live in a YAML or JSON file as well as in the built-in catalogue.
 */
export const scenario = z.object({
  /** `group.number`, e.g. `2.3`. */
  id: z.string().regex(/^\d+\.\d+$/, 'a scenario id is "<group>.<number>", e.g. "2.3"'),
  name: z.string().regex(/^[a-z0-9-]+$/, 'a scenario name is kebab-case'),
  purpose: z.string().min(1),
  jobs: z.array(workloadJob).min(1),
  faults: faultSchedule.default([]),
  /** How long after the last fault ends every job must be settled, in ms. */
  recoveryBoundMs: z.number().positive().default(30_000),
  /** Longest the whole run may take (virtual or real), in ms: every wait is bounded. */
  maxRunMs: z.number().positive().default(600_000),
  /** Expected terminal outcome per job id when it is not `completed`. */
  expect: z.record(z.string(), z.enum(['completed', 'failed', 'interrupted', 'lost'])).default({}),
});
export type Scenario = z.infer<typeof scenario>;
export type ScenarioInput = z.input<typeof scenario>;
