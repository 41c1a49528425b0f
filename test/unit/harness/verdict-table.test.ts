import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFailOn, verdictNames } from '../../../src/harness/result.ts';

/** The README's one verdict table stays true: every verdict, and "CI fails on it by default" as `run` does. */
describe('the README verdict table', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Verdicts'));
  const rows = [...section.matchAll(/^\| `([a-z-]+)` \| (.+) \| (\*\*yes\*\*|no) \|$/gm)].map((m) => ({ verdict: m[1]!, fails: m[3] === '**yes**' }));

  it('lists every verdict once, in the order of verdictNames', () => {
    expect(rows.map((r) => r.verdict)).toEqual([...verdictNames]);
  });

  it('marks exactly the default --fail-on verdicts as failing CI', () => {
    expect(rows.filter((r) => r.fails).map((r) => r.verdict)).toEqual([...defaultFailOn]);
  });
});
