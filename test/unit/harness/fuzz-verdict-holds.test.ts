import { describe, expect, it } from 'vitest';
import { verdictHolds } from '../../../src/harness/fuzz/property.ts';
import { verdictNames } from '../../../src/harness/result.ts';

describe("the search's property and the verdicts", () => {
  it('a generated case fails the property only on fail or harness-error; an unfired fault (inconclusive) or a non-strict give-up does not', () => {
    expect(verdictNames.filter((verdict) => !verdictHolds({ verdict }))).toEqual(['fail', 'harness-error']);
  });
});
