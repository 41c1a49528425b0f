import type { Trigger } from '../../protocol/index.ts';

/**
 * The phases of a job a fault is put at on purpose (issue 15), each as the trigger that fires
 * there. The baseline workload's first job is prompt 1; its output node is `3` (SaveImage).
 */
export const jobPhases = [
  { name: 'during submission', at: { on: 'request', path: '/prompt', occurrence: 1 } },
  { name: 'before execution_start', at: { on: 'prompt', event: 'started', prompt: 1, occurrence: 1 } },
  { name: 'mid-progress', at: { on: 'message', when: 'after', type: 'progress', prompt: 1, occurrence: 2 } },
  { name: 'between executing and executed', at: { on: 'node', event: 'finished', outputNode: true, prompt: 1, occurrence: 1 } },
  { name: 'between executed and execution_success', at: { on: 'prompt', event: 'finished', prompt: 1, occurrence: 1 } },
  { name: 'after success, before executing null', at: { on: 'prompt', event: 'history_written', prompt: 1, occurrence: 1 } },
  // The second job is queued behind the first (cases.ts): it starts as the first one ends.
  { name: 'between two jobs', at: { on: 'prompt', event: 'started', prompt: 2, occurrence: 1 } },
] as const satisfies readonly { name: string; at: Trigger }[];

export type JobPhase = (typeof jobPhases)[number]['name'];

/** The phase a trigger names, in words, for bug summaries (`mid-progress`, `at 1200ms`). */
export function phaseOf(at: Trigger): string {
  const known = jobPhases.find((p) => JSON.stringify(p.at) === JSON.stringify(at));
  if (known) return known.name;
  switch (at.on) {
    case 'time':
      return `at ${at.afterMs}ms`;
    case 'message':
      return `${at.when} ${at.type}`;
    case 'prompt':
      return at.event === 'started' ? 'before execution_start' : at.event === 'finished' ? 'before the terminal message' : 'after success, before executing null';
    case 'node':
      return at.event === 'started' ? 'mid-progress' : 'between executing and executed';
    case 'connect':
      return `on connect #${at.occurrence}`;
    case 'frames':
      return `after ${at.count} frames`;
    case 'request':
      return at.path === '/prompt' ? 'during submission' : `on a ${at.path} request`;
  }
}
