/**
 * A constraints object that cannot give any value, thrown when the arbitrary is built (not when
 * it generates): the message names the arbitrary, the field, the value and what is allowed.
 */
export class ArbitraryConstraintError extends RangeError {
  override name = 'ArbitraryConstraintError';
  readonly code = 'CC_ERR_ARBITRARY_CONSTRAINTS';
  constructor(arbitrary: string, field: string, value: unknown, allowed: string) {
    super(`${arbitrary}(): constraints.${field} is ${JSON.stringify(value)}; expected ${allowed}`);
  }
}

export function checkInteger(arbitrary: string, field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ArbitraryConstraintError(arbitrary, field, value, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
  }
}
