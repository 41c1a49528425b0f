import { afterAll, describe, expect, it } from 'vitest';
import { clientFromSpec } from '../../../src/harness/client-spec.ts';
import { UsageError } from '../../../src/harness/usage-error.ts';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import type { ScenarioResult } from '../../../src/harness/result.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { ReferenceClient } from '../../../src/reference-client/index.ts';
import { mutantNames, type MutantName } from '../../../src/reference-client/mutants.ts';
import { catalogue, findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import type { Scenario } from '../../../src/scenarios/scenario.ts';

/**
 * Issue 5, "the suite must have teeth": every named mutant of the reference client is killed by
 * the catalogue (some scenario fails with a finding), and the unmutated client passes the
 * scenarios that killed it, so the kill is the planted bug's doing. Each mutant runs its likely
 * killers first and stops at the first kill; the rest of the catalogue is the fallback.
 * bench/mutant-kill-table.ts runs every mutant over the whole catalogue for the full table.
 */

const seed = 1;

/** Likely killers first (the scenario written for that bug), so a run usually stops after one. */
const likelyKillers = {
  'no-resync-after-reconnect': ['2.13'],
  'no-backoff-cap': ['5.10'],
  'bom-not-stripped': ['1.2'],
  'no-dedupe-polling-websocket': ['5.4', '7.9'],
  'polling-never-stops': ['2.10', '3.9'],
  'lock-never-released': ['6.11'],
  'lock-released-while-pending': ['6.12'],
  'deaf-socket-detection-off': ['5.3', '7.2'],
  'lost-reported-as-completed': ['5.1', '7.7'],
  'progress-to-wrong-window': ['6.4', '6.10'],
  'no-history-retry-after-success-race': ['3.6', '3.10'],
  'no-last-check-before-timeout': ['1.14'],
} satisfies Record<MutantName, string[]>;

interface Kill {
  mutant: MutantName;
  scenario: string;
  invariants: string[];
  runsNeeded: number;
  replay: string;
}

const kills: Kill[] = [];

function run(scenario: Scenario, client: string, mutation?: MutantName): Promise<ScenarioResult> {
  const replay = `comfy-chaos run --client ${client} --scenario ${scenario.id} --transport memory --seed ${seed}`;
  return runScenario(scenario, referenceClient(client, mutation ? { mutation } : {}), { transport: 'memory', seed, replay });
}

/** Likely killers, then the rest of the catalogue in order; stops at the first scenario that fails. */
async function firstKill(mutant: MutantName): Promise<{ result: ScenarioResult; runs: number } | undefined> {
  const first = findScenarios(likelyKillers[mutant]);
  const order = [...first, ...catalogue.filter((s) => !first.includes(s))];
  let runs = 0;
  for (const scenario of order) {
    const result = await run(scenario, `reference:${mutant}`, mutant);
    if (result.verdict === 'skipped') continue;
    runs++;
    if (result.verdict === 'fail') return { result, runs };
  }
  return undefined;
}

describe('named mutants of the reference client', () => {
  it('has at least 12 mutants, each with likely killers that exist in the catalogue', () => {
    expect(mutantNames.length).toBeGreaterThanOrEqual(12);
    for (const mutant of mutantNames) expect(findScenarios(likelyKillers[mutant]).length).toBeGreaterThan(0);
  });

  it('rejects an unknown mutation with CC_ERR_INVALID_OPTION, naming the known ones', () => {
    const make = () => new ReferenceClient({ servers: 'http://127.0.0.1:8188', fetch: async () => new Response(), webSocketFactory: () => ({}) as never, mutation: 'no-such-bug' as MutantName });
    expect(make).toThrow(expect.objectContaining({ code: 'CC_ERR_INVALID_OPTION' }));
    expect(make).toThrow(/option mutation must be one of no-resync-after-reconnect, .*no-last-check-before-timeout; got "no-such-bug"/);
  });

  it('makes reference:<mutant> clients from the CLI spec and refuses unknown names with a usage error', () => {
    expect(clientFromSpec('reference:bom-not-stripped').name).toBe('reference:bom-not-stripped');
    expect(clientFromSpec('reference').name).toBe('reference');
    expect(() => clientFromSpec('reference:no-such-bug')).toThrow(UsageError);
    expect(() => clientFromSpec('reference:no-such-bug')).toThrow(/unknown mutant "no-such-bug" .*known: reference:no-resync-after-reconnect, /);
  });

  it.each(mutantNames)('%s is killed by the catalogue, and the unmutated client passes the scenario that killed it', async (mutant) => {
    const kill = await firstKill(mutant);
    expect(kill, `mutant ${mutant} survived the whole catalogue`).toBeDefined();
    const { result, runs } = kill!;
    const findings = result.findings.filter((f) => !f.informational);
    expect(findings.length).toBeGreaterThan(0);
    kills.push({ mutant, scenario: `${result.scenario.id} ${result.scenario.name}`, invariants: [...new Set(findings.map((f) => f.invariant))], runsNeeded: runs, replay: result.replay });

    const scenario = catalogue.find((s) => s.id === result.scenario.id)!;
    const baseline = await run(scenario, 'reference');
    expect(baseline.verdict, `the unmutated client fails ${scenario.id} too: ${baseline.reason ?? ''}`).toBe('pass');
  });

  afterAll(() => {
    if (kills.length === 0) return;
    const rows = kills.map((k) => `${k.mutant.padEnd(38)} ${k.scenario.padEnd(42)} ${k.invariants.join(', ')} (after ${k.runsNeeded} run${k.runsNeeded > 1 ? 's' : ''})`);
    console.log(`kill table (first kill per mutant, memory transport, seed ${seed}):\n${rows.join('\n')}`);
  });
});
