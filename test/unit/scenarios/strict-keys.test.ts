import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { relayProfile } from '../../../src/protocol/relay-profile.ts';
import { describeUnknownKey, editDistance, suggestKey } from '../../../src/protocol/strict-object.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const base = { id: '9.1', name: 'typos', purpose: 'typos are errors', jobs: [{ id: 'j1', prompt: sleepGraph(100) }] };

function issues(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  expect(parsed.success, 'the input was accepted').toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

describe('unknown keys are errors with a suggestion (issue 12, point 10)', () => {
  it('fualts -> did you mean faults?', () => {
    expect(issues(scenario, { ...base, fualts: [] })).toEqual(['(root): unknown key "fualts": did you mean "faults"?']);
  });

  it('submitAtMS in a job -> submitAtMs, with the path of the job', () => {
    expect(issues(scenario, { ...base, jobs: [{ id: 'j1', prompt: sleepGraph(100), submitAtMS: 500 }] })).toEqual([
      'jobs.0: unknown key "submitAtMS": did you mean "submitAtMs"?',
    ]);
  });

  it('inside a fault, its trigger, the client hints and a browser action', () => {
    // The typo also leaves the real key missing: both are said.
    expect(issues(scenario, { ...base, faults: [{ type: 'silence', at: { on: 'time', afterMs: 0 }, durationMS: 5 }] }).sort()).toEqual([
      'faults.0.durationMs: Invalid input: expected number, received undefined',
      'faults.0: unknown key "durationMS": did you mean "durationMs"?',
    ]);
    expect(issues(scenario, { ...base, faults: [{ type: 'terminate', at: { on: 'message', type: 'executed', promt: 1 } }] })).toEqual([
      'faults.0.at: unknown key "promt": did you mean "prompt"?',
    ]);
    expect(issues(scenario, { ...base, clientHints: { healthTimeout: 100 } })).toEqual(['clientHints: unknown key "healthTimeout": did you mean "healthTimeoutMs"?']);
    expect(issues(scenario, { ...base, browsers: [{ atMs: 0, user: 'main', action: 'drop', fooBar: 1 }] })[0]).toMatch(
      /^browsers\.0: unknown key "fooBar" \(known here: atMs, user, action, forMs, latencyMs\)$/,
    );
  });

  it('in a relay profile, with the path', () => {
    const profile = {
      name: 'mine',
      command: 'node relay.js',
      submit: { kind: 'http', path: '/jobs', body: { prompt: '{{prompt}}' }, promptIdPth: 'id' },
      downstream: { protocol: 'ws', url: 'ws://127.0.0.1:{{port}}/ws' },
      messages: { progress: { match: { type: 'progress' } }, completed: { match: { type: 'done' } }, failed: { match: { type: 'failed' } } },
      startTimeoutMS: 1000,
    };
    expect(issues(relayProfile, profile).sort()).toEqual([
      '(root): unknown key "startTimeoutMS": did you mean "startTimeoutMs"?',
      'submit: unknown key "promptIdPth": did you mean "promptIdPath"?',
    ]);
  });
});

describe('the key suggester', () => {
  it('measures edits, with a swap of neighbours as one', () => {
    expect(editDistance('fualts', 'faults')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only a close key, ignoring case', () => {
    expect(suggestKey('submitAtMS', ['submitAtMs', 'cancelAtMs'])).toBe('submitAtMs');
    expect(suggestKey('jbos', ['jobs', 'faults'])).toBe('jobs');
    expect(suggestKey('zzzzzz', ['jobs', 'faults'])).toBeUndefined();
    expect(describeUnknownKey('x', [])).toBe('unknown key "x" (known here: none)');
  });
});
