import { describe, expect, it } from 'vitest';
import { baselineCase, searchCases, smallerCases, type HuntCase } from '../../../../src/harness/hunt/index.ts';
import { caseAtPath, parseSearchPath } from '../../../../src/harness/hunt/search-path.ts';
import { UsageError } from '../../../../src/harness/usage-error.ts';

const options = { layers: ['frame', 'connection', 'http'] as const, seed: 9 };

/** The first case of `stage` in the search of `options`, and how many of that stage came before it. */
function nth(stage: HuntCase['origin'], n: number): HuntCase {
  let seen = 0;
  for (const c of searchCases(options)) if (c.origin === stage && seen++ === n) return c;
  throw new Error('unreachable');
}

describe('search paths', () => {
  it('name every case of the search by stage and index, as the search gives it', () => {
    expect(caseAtPath('baseline-2', options)).toEqual(baselineCase(9, 2));
    expect(caseAtPath('single-5', options)).toEqual(nth('single', 5));
    expect(caseAtPath('pair-3', options)).toEqual(nth('pair', 3));
    expect(caseAtPath('random-4', options)).toEqual(nth('random', 4));
    expect(nth('random', 4).path).toBe('random-4');
  });

  it('follow shrinking steps: the k-th smaller case, then the k-th of that', () => {
    const start = nth('random', 0);
    const first = [...smallerCases(start)];
    expect(first.length).toBeGreaterThan(1);
    const second = [...smallerCases(first[1]!)];
    const path = `random-0:1:${second.length - 1}`;
    expect(second.at(-1)!.path).toBe(path);
    expect(caseAtPath(path, options)).toEqual(second.at(-1));
  });

  it('the same seed and options find the same case; another seed another one', () => {
    expect(caseAtPath('random-7', options)).toEqual(caseAtPath('random-7', { ...options }));
    expect(caseAtPath('random-7', { ...options, seed: 10 })).not.toEqual(caseAtPath('random-7', options));
  });

  it('an old fast-check path is refused with what replays it now; a malformed one with the form', () => {
    expect(() => parseSearchPath('12:3:0')).toThrow(UsageError);
    expect(() => parseSearchPath('12:3:0')).toThrow(/old fuzz .*shrunk-scenario\.yaml/);
    expect(() => parseSearchPath('random:1')).toThrow(/such as "single-12" or "random-40:3:0"/);
    expect(() => caseAtPath('random-0:99', options)).toThrow(/shrinking step 1 names smaller case 99/);
    expect(() => caseAtPath('single-0', { ...options, systematic: false })).toThrow(/has no case single-0/);
    expect(parseSearchPath(' pair-12:0:3 ')).toEqual({ stage: 'pair', index: 12, shrinks: [0, 3] });
  });
});
