import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import { gatewayTls } from '../../../src/simulator/profiles/index.ts';
import { disposeSharedLoopbackCertificate } from '../../../src/simulator/index.ts';

afterAll(disposeSharedLoopbackCertificate);

const root = join(import.meta.dirname, '../../..');
const noReconnect = driverClient('naive no-reconnect.mjs', { command: process.execPath, args: [join(root, 'clients/naive/no-reconnect.mjs')] }, { cwd: root });

async function onTls(id: string) {
  const [scenario] = findScenarios([id]);
  const result = await runScenario(scenario!, noReconnect, { transport: 'network', seed: 3, replay: `scenario ${id}`, comfyui: gatewayTls });
  return { verdict: result.verdict, invariants: result.findings.filter((f) => !f.informational).map((f) => f.invariant), trace: result.trace };
}

/**
 * Issue 13, gateways: the naive drivers open their socket at `base.replace(/^http/, 'ws')`, which
 * turns `https://` into `wss://` (clients/naive/no-reconnect.mjs), and Node trusts the run's CA from
 * NODE_EXTRA_CA_CERTS. So TLS changes nothing for them: the verdicts are the baseline's (6.1 pass,
 * 2.3 fail for the missing reconnect), and the socket did reach the TLS server (a ws:// one cannot).
 */
describe('a naive driver on a ComfyUI behind TLS (gateway-tls)', () => {
  it('derives wss from https: the happy path passes over wss, and the drop before executed still loses the job', async () => {
    const [happy, dropped] = await Promise.all([onTls('6.1'), onTls('2.3')]);
    expect(happy.verdict, happy.invariants.join()).toBe('pass');
    expect(happy.trace.filter((e) => e.kind === 'ws_connect').length).toBeGreaterThanOrEqual(1);
    expect(dropped.verdict).toBe('fail');
    expect(dropped.invariants).toContain('no-lost-completion');
  }, 120_000);
});
