import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverClient, type ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { acquireToxiproxy, isStrict, type AcquiredToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepJob, onMessage } from '../../../src/scenarios/catalogue/builders.ts';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { disposeSharedLoopbackCertificate } from '../../../src/simulator/index.ts';

const root = join(import.meta.dirname, '../../..');
const referenceDriver = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });

/**
 * Issue 13, gateways: a ComfyUI reached over TLS (profile gateway-tls). The reference client, given
 * `https://` URLs, must open `wss://` sockets and trust the run's test CA: as a driver process (it
 * is told in COMFY_CA_FILE, NODE_EXTRA_CA_CERTS, ...) and in-process (the runner's caFile). Three
 * jobs, the socket dropped (1006) in the middle of the second; each completes exactly once. With a
 * Toxiproxy the client talks to it, and TLS passes through its TCP proxy unchanged.
 */
let toxiproxy: AcquiredToxiproxy | undefined;
beforeAll(async () => {
  const acquired = await acquireToxiproxy({ strict: isStrict() });
  if (acquired.status === 'ready') toxiproxy = acquired;
}, 60_000);
afterAll(async () => {
  await toxiproxy?.dispose();
  await disposeSharedLoopbackCertificate();
});

const tlsScenario = scenario.parse({
  id: '99.2',
  name: 'tls-gateway',
  purpose: 'three jobs over https and wss, the socket dropped mid-job 2',
  comfyui: 'gateway-tls',
  jobs: [sleepJob('a', 500, 4), sleepJob('b', 500, 6, { submitAtMs: 100 }), sleepJob('c', 500, 4, { submitAtMs: 200 })],
  faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 2, occurrence: 3 }) }],
  latencyBoundMs: 5_000,
  recoveryBoundMs: 10_000,
  maxRunMs: 40_000,
});

const wsUpgrades = (trace: readonly TraceEvent[]) => trace.filter((e) => e.kind === 'ws_connect').length;

async function runOverTls(client: ClientUnderTest) {
  const result = await runScenario(tlsScenario, client, { transport: 'network', seed: 7, replay: 'tls-gateway', ...(toxiproxy ? { toxiproxy } : {}) });
  expect(result.comfyui).toBe('gateway-tls');
  // The client was given https:// URLs (Toxiproxy's port when there is one).
  const note = result.trace.find((e): e is Extract<TraceEvent, { kind: 'note' }> => e.kind === 'note' && e.message.startsWith('run: scenario 99.2'));
  expect(note?.message).toMatch(/servers https:\/\/127\.0\.0\.1:\d+,? /);
  expect(result.findings.filter((f) => !f.informational), JSON.stringify(result.findings, null, 1)).toEqual([]);
  expect(result.verdict).toBe('pass');
  expect(result.trace.some((e) => e.kind === 'fault')).toBe(true);
  // A socket before the drop and one after it: both wss (a ws:// socket never reaches the simulator).
  expect(wsUpgrades(result.trace)).toBeGreaterThanOrEqual(2);
  const completed = result.trace.flatMap((e) => (e.kind === 'client' && (e.event as { type: string }).type === 'completed' ? [(e.event as { id: string }).id] : []));
  expect(completed.sort()).toEqual(['a', 'b', 'c']);
  expect(result.counts).toMatchObject({ acknowledged: 3, completedOnServer: 3, reported: 3, duplicated: 0, lost: 0, phantom: 0 });
  return result;
}

describe('the reference client on a ComfyUI behind TLS (gateway-tls, network transport)', () => {
  it('as a driver process: wss derived from https, the CA from its environment, each job once across a socket drop', async () => {
    await runOverTls(referenceDriver);
  }, 90_000);

  it('in-process: the same, trusting the run CA the runner hands it', async () => {
    await runOverTls(referenceClient());
  }, 90_000);
});
