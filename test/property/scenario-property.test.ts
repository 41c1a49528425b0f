import { describe, expect, it } from 'vitest';
import { verdictNames } from '../../src/harness/result.ts';
import { verdictHolds } from './scenario-property.ts';

describe("the property tests' judgement of a verdict", () => {
  it('a generated case fails the property only on fail or harness-error; an unfired fault (inconclusive) or a non-strict give-up does not', () => {
    expect(verdictNames.filter((verdict) => !verdictHolds({ verdict }))).toEqual(['fail', 'harness-error']);
  });
});
