import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';

const root = join(import.meta.dirname, '../../..');
const naive = (file: string) => driverClient(`naive ${file}`, { command: process.execPath, args: [join(root, 'clients/naive', file)] }, { cwd: root });
const referenceDriver = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });

async function verdictOf(client: ReturnType<typeof naive>, id: string) {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, client, { transport: 'network', seed: 3, replay: `scenario ${id}` });
  return { verdict: result.verdict, invariants: result.findings.map((f) => f.invariant), findings: result.findings, trace: result.trace };
}

describe('the harness has teeth: naive drivers fail what they should, with the right invariant', () => {
  it('no reconnect at all (the canonical websocket example): passes the happy path, loses the job when the socket dies before executed', async () => {
    const [happy, dropped] = await Promise.all([verdictOf(naive('no-reconnect.mjs'), '6.1'), verdictOf(naive('no-reconnect.mjs'), '2.3')]);
    expect(happy.verdict).toBe('pass');
    expect(dropped.verdict).toBe('fail');
    expect(dropped.invariants).toContain('no-lost-completion');
    expect(dropped.invariants).toContain('no-hang');
  });

  it('reconnect without resync: survives a mid-progress drop, loses the job whose end it missed', async () => {
    const [midProgress, missedEnd] = await Promise.all([
      verdictOf(naive('reconnect-no-resync.mjs'), '2.2'),
      verdictOf(naive('reconnect-no-resync.mjs'), '2.4'),
    ]);
    expect(midProgress.verdict).toBe('pass');
    expect(missedEnd.verdict).toBe('fail');
    expect(missedEnd.invariants).toContain('no-lost-completion');
  });

  it('strict JSON.parse: crashes on a BOM, and the crash is named with its stderr', async () => {
    const bom = await verdictOf(naive('strict-json.mjs'), '1.2');
    expect(bom.verdict).toBe('fail');
    const hang = bom.findings.find((f) => f.invariant === 'no-hang');
    expect(hang?.message).toMatch(/SyntaxError|exit|code 1/);
    expect(bom.trace.some((e) => e.kind === 'client' && (e.event as { problem?: string }).problem === 'crash')).toBe(true);
  });

  it('the reference driver passes every one of those scenarios', async () => {
    const results = await Promise.all(['6.1', '2.3', '2.2', '2.4', '1.2'].map((id) => verdictOf(referenceDriver, id)));
    expect(results.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });
});
