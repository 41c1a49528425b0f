import type { TraceEvent } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import { judge } from './index.ts';

export type { Finding, Verdict } from '../result.ts';

/**
 * @deprecated The first-cut oracle's entry point, kept for src/harness/memory-runner.ts until it
 * moves to {@link judge} (which also gives counts and a reason).
 */
export function checkTrace(trace: readonly TraceEvent[], scenario: Scenario): { verdict: 'pass' | 'degraded' | 'fail'; findings: Finding[] } {
  const { verdict, findings } = judge(trace, scenario);
  return { verdict, findings };
}
