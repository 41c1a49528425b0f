import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fault as faultSchema, trigger as triggerSchema } from '../../src/protocol/index.ts';
import {
  ArbitraryConstraintError,
  fault,
  faultSchedule,
  generatedScenario,
  trigger,
  workload,
} from '../../src/scenarios/arbitraries/index.ts';
import { scenario, scenarioTransports } from '../../src/scenarios/scenario.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

const params = { numRuns: fuzzRuns(300), seed: fuzzSeed(20251123) };

describe('arbitraries yield only schema-valid data', () => {
  it('every generated scenario is accepted by scenario.parse, so it saves as a scenario file', () => {
    fc.assert(
      fc.property(generatedScenario(), (input) => {
        const parsed = scenario.parse(input);
        expect(parsed.jobs.length).toBeGreaterThan(0);
        // Plain data: survives a JSON round trip unchanged (what a YAML or JSON file holds).
        expect(JSON.parse(JSON.stringify(input))).toEqual(input);
      }),
      params,
    );
  });

  it('network faults appear only when asked for, and then the scenario needs the network transport', () => {
    fc.assert(
      fc.property(generatedScenario(), (input) => {
        expect(scenarioTransports(scenario.parse(input))).toContain('memory');
      }),
      params,
    );
    fc.assert(
      fc.property(generatedScenario({ faults: { layers: ['network'], minFaults: 1 } }), (input) => {
        expect(scenarioTransports(scenario.parse(input))).toEqual(['network']);
      }),
      { ...params, numRuns: Math.min(params.numRuns, 100) },
    );
  });

  it('a fault is fully spelled out: parsing it changes nothing', () => {
    fc.assert(
      fc.property(fault({ layers: ['frame', 'connection', 'http', 'network'] }), (f) => {
        expect(faultSchema.parse(f)).toEqual(f);
      }),
      params,
    );
  });

  it('a trigger is fully spelled out and names prompts within maxPrompt', () => {
    fc.assert(
      fc.property(trigger({ maxPrompt: 2 }), (t) => {
        expect(triggerSchema.parse(t)).toEqual(t);
        if (t.on === 'message' && t.prompt !== undefined) expect(t.prompt).toBeLessThanOrEqual(2);
      }),
      params,
    );
  });

  it('expectations follow the workload: failing graphs fail, cancels are interrupted', () => {
    fc.assert(
      fc.property(workload(), (w) => {
        for (const job of w.jobs) {
          const failing = Object.values(job.prompt).some((n) => n.class_type === 'SimFail');
          if (failing) expect(w.expect[job.id]).toBe('failed');
          if (job.cancelAtMs !== undefined) expect(w.expect[job.id]).toBe('interrupted');
          if (!failing && job.cancelAtMs === undefined) expect(w.expect[job.id]).toBeUndefined();
        }
      }),
      params,
    );
  });

  it('a schedule stays within its bounds', () => {
    fc.assert(
      fc.property(faultSchedule({ minFaults: 2, maxFaults: 4, maxDurationMs: 1_000 }), (s) => {
        expect(s.length).toBeGreaterThanOrEqual(2);
        expect(s.length).toBeLessThanOrEqual(4);
        for (const f of s) {
          for (const key of ['durationMs', 'downMs', 'delayMs'] as const) {
            if (key in f) expect((f as unknown as Record<string, number>)[key]).toBeLessThanOrEqual(1_000);
          }
        }
      }),
      params,
    );
  });
});

describe('constraints are checked when the arbitrary is built', () => {
  it('rejects an unknown layer, naming the arbitrary, the field and what is allowed', () => {
    let error: unknown;
    try {
      fault({ layers: ['disk' as never] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArbitraryConstraintError);
    expect(error).toMatchObject({ code: 'CC_ERR_ARBITRARY_CONSTRAINTS' });
    expect((error as Error).message).toBe('fault(): constraints.layers is "disk"; expected one of frame, connection, http, network');
  });

  it('rejects maxFaults below minFaults', () => {
    expect(() => faultSchedule({ minFaults: 3, maxFaults: 1 })).toThrow('faultSchedule(): constraints.maxFaults is 1; expected an integer from 3');
  });

  it('rejects types outside the chosen layers', () => {
    expect(() => fault({ layers: ['frame'], types: ['restart'] })).toThrow(/constraints\.types is \["restart"\]; expected one or more fault types of the layers frame/);
  });
});
