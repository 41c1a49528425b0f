import { describe, expect, it } from 'vitest';
import {
  connectionFaultTypes,
  frameFaultTypes,
  httpFaultTypes,
  networkFaultTypes,
  toxicType,
} from '../../../src/protocol/index.ts';
import {
  buildCatalogue,
  catalogue,
  catalogueInputs,
  compareScenarioIds,
  findScenarios,
  ScenarioSelectionError,
} from '../../../src/scenarios/catalogue/index.ts';
import { scenario, scenarioGroup, scenarioTransports } from '../../../src/scenarios/scenario.ts';

const groupOf = (id: string) => Number(id.split('.')[0]);

describe('scenario catalogue', () => {
  it('parses every entry with the scenario schema', () => {
    for (const input of catalogueInputs) {
      const result = scenario.safeParse(input);
      expect(result.success, `${input.id} ${input.name}: ${result.success ? '' : result.error.message}`).toBe(true);
    }
  });

  it('holds at least 40 scenarios, sorted by id', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(40);
    const ids = catalogue.map((s) => s.id);
    expect([...ids].sort(compareScenarioIds)).toEqual(ids);
    expect(compareScenarioIds('1.2', '1.10')).toBeLessThan(0);
  });

  it('has unique ids and names, numbered 1..n without gaps in each group', () => {
    expect(new Set(catalogue.map((s) => s.id)).size).toBe(catalogue.length);
    expect(new Set(catalogue.map((s) => s.name)).size).toBe(catalogue.length);
    const byGroup = new Map<number, number[]>();
    for (const s of catalogue) byGroup.set(scenarioGroup(s), [...(byGroup.get(scenarioGroup(s)) ?? []), Number(s.id.split('.')[1])]);
    for (const [group, numbers] of byGroup) {
      expect(numbers, `group ${group}`).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it('has every group 1-7, each with at least 4 scenarios', () => {
    for (let group = 1; group <= 7; group++) {
      expect(catalogue.filter((s) => groupOf(s.id) === group).length, `group ${group}`).toBeGreaterThanOrEqual(4);
    }
  });

  it('cites the field report behind every group 7 scenario', () => {
    const fieldBugs = catalogue.filter((s) => groupOf(s.id) === 7);
    for (const s of fieldBugs) expect(s.cites, `${s.id} ${s.name}`).toMatch(/^[\w.-]+\/[\w.-]+#\d+$/);
  });

  it('uses every fault type and every Toxiproxy toxic of the vocabulary at least once', () => {
    const used = new Set(catalogue.flatMap((s) => s.faults.map((f) => f.type)));
    const toxics = new Set(catalogue.flatMap((s) => s.faults.flatMap((f) => (f.type === 'toxic' ? [f.toxic] : []))));
    const vocabulary = [...frameFaultTypes, ...connectionFaultTypes, ...httpFaultTypes, ...networkFaultTypes];
    expect(vocabulary.filter((t) => !used.has(t))).toEqual([]);
    expect(toxicType.options.filter((t) => !toxics.has(t))).toEqual([]);
  });

  it('gives every toxic toxicity 1, since Toxiproxy decides toxicity once per connection', () => {
    for (const s of catalogue) {
      for (const f of s.faults) if (f.type === 'toxic') expect(f.toxicity, `${s.id} ${f.toxic}`).toBe(1);
    }
  });

  it('runs Toxiproxy scenarios on the network only and keeps long ones off it', () => {
    for (const s of catalogue) {
      const transports = scenarioTransports(s);
      expect(transports.length, `${s.id} runs nowhere`).toBeGreaterThan(0);
      if (s.faults.some((f) => f.type === 'toxic' || f.type === 'partition')) expect(transports).toEqual(['network']);
      // A scenario that may take a minute or more of real time stays on the memory transport.
      if (s.maxRunMs > 60_000) expect(transports, `${s.id} ${s.name}`).toEqual(['memory']);
    }
    expect(catalogue.some((s) => s.name === 'ten-minute-outage' && s.transports.join() === 'memory')).toBe(true);
  });

  it('names an expected outcome only for jobs of the scenario, and expects a non-completion somewhere', () => {
    const outcomes = new Set(catalogue.flatMap((s) => Object.values(s.expect)));
    expect([...outcomes].sort()).toEqual(['failed', 'interrupted', 'lost']);
    for (const s of catalogue.filter((x) => x.jobs.some((j) => j.cancelAtMs !== undefined))) {
      for (const job of s.jobs.filter((j) => j.cancelAtMs !== undefined)) expect(s.expect[job.id], `${s.id} ${job.id}`).toBe('interrupted');
    }
  });

  it('rejects a catalogue with a duplicate id, naming it', () => {
    const [first] = catalogueInputs;
    expect(() => buildCatalogue([first!, { ...first!, name: 'another-name' }])).toThrow(
      expect.objectContaining({ code: 'CC_ERR_INVALID_CATALOGUE', message: expect.stringContaining(`"${first!.id}"`) }),
    );
    expect(() => buildCatalogue([{ ...first!, id: 'x' }])).toThrow(/scenario x .*is invalid: id:/);
  });
});

describe('findScenarios', () => {
  it('selects by id', () => {
    expect(findScenarios(['2.3']).map((s) => s.id)).toEqual(['2.3']);
  });

  it('selects a whole group', () => {
    const group = findScenarios(['2']);
    expect(group.length).toBe(catalogue.filter((s) => groupOf(s.id) === 2).length);
    expect(group.every((s) => s.id.startsWith('2.'))).toBe(true);
  });

  it('selects by name', () => {
    expect(findScenarios(['restart-loses-the-job']).map((s) => s.id)).toEqual(['5.1']);
  });

  it('selects by glob over "<id> <name>", case-insensitively', () => {
    expect(findScenarios(['2.*']).map((s) => s.id)).toEqual(findScenarios(['2']).map((s) => s.id));
    const restarts = findScenarios(['*RESTART*']);
    expect(restarts.length).toBeGreaterThanOrEqual(3);
    expect(restarts.every((s) => s.name.includes('restart'))).toBe(true);
    expect(findScenarios(['1.?']).map((s) => s.id)).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9']);
  });

  it('returns the union of several selectors once each, in catalogue order, and everything for none', () => {
    expect(findScenarios(['5.1', '2.3', '2.*']).map((s) => s.id)).toEqual([...findScenarios(['2']).map((s) => s.id), '5.1']);
    expect(findScenarios([])).toEqual(catalogue);
  });

  it('throws CC_ERR_UNKNOWN_SCENARIO naming the selector and close matches', () => {
    let error: unknown;
    try {
      findScenarios(['2.3', 'restart-loses-job', '99.9']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioSelectionError);
    const e = error as ScenarioSelectionError;
    expect(e.code).toBe('CC_ERR_UNKNOWN_SCENARIO');
    expect(e.selectors).toEqual(['restart-loses-job', '99.9']);
    expect(e.message).toContain('"restart-loses-job" (did you mean: 5.1 restart-loses-the-job');
    expect(e.message).toContain('"99.9"');
    expect(e.message).toMatch(/a group \(1, 2, 3, 4, 5, 6, 7, 8\)/);
  });

  it('treats a glob or group that matches nothing as unknown', () => {
    expect(() => findScenarios(['9'])).toThrow(expect.objectContaining({ code: 'CC_ERR_UNKNOWN_SCENARIO' }));
    expect(() => findScenarios(['*no-such-thing*'])).toThrow(/No scenario matches "\*no-such-thing\*"/);
  });
});
