import fc from 'fast-check';
import type { FaultSchedule } from '../../protocol/index.ts';
import { checkInteger } from './_internals/constraint-error.ts';
import { fault, type FaultConstraints } from './fault.ts';

export interface FaultScheduleConstraints extends FaultConstraints {
  /** Fewest faults [default 0] */
  minFaults?: number;
  /** Most faults [default 5] */
  maxFaults?: number;
}

/**
 * A fault schedule: a list of {@link fault}s, as a scenario file's `faults` key holds. Shrinks
 * by dropping faults first, so a shrunk schedule names only the faults that matter.
 */
export function faultSchedule(constraints: FaultScheduleConstraints = {}): fc.Arbitrary<FaultSchedule> {
  const { minFaults = 0, maxFaults = 5, ...faultConstraints } = constraints;
  checkInteger('faultSchedule', 'minFaults', minFaults, 0);
  checkInteger('faultSchedule', 'maxFaults', maxFaults, minFaults);
  return fc.array(fault(faultConstraints), { minLength: minFaults, maxLength: maxFaults });
}
