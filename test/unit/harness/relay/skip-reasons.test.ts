import { describe, expect, it } from 'vitest';
import type { ClientUnderTest } from '../../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../../src/harness/runner.ts';
import { findScenarios } from '../../../../src/scenarios/catalogue/index.ts';

/** A relay that must never be started: every case here is skipped before anything runs. */
const relay: ClientUnderTest = {
  name: 'some-relay',
  transports: ['network'],
  relay: true,
  start: () => Promise.reject(new Error('started, but the run should have been skipped')),
};
const noToxiproxy = { status: 'skipped' as const, reason: 'no toxiproxy-server here', tried: [] };
const run = (id: string, client: ClientUnderTest, transport: 'memory' | 'network' = 'network') =>
  runScenario(findScenarios([id])[0]!, client, { transport, seed: 1, toxiproxy: noToxiproxy, replay: '' });

describe('which relay runs are skipped, and why', () => {
  it('skips a slow-browser scenario without Toxiproxy, naming why', async () => {
    const r = await run('8.11', relay);
    expect(r.verdict).toBe('skipped');
    expect(r.reason).toBe("slows a browser's link through Toxiproxy: no toxiproxy-server here");
  });

  it('skips a relay on the memory transport, saying a relay needs the network', async () => {
    const r = await run('8.1', relay, 'memory');
    expect(r.reason).toBe('client "some-relay" cannot run on the memory transport (a relay needs --transport network)');
  });

  it('skips a client scenario for a relay, and a relay scenario for a client', async () => {
    expect((await run('2.3', relay)).reason).toBe('relay "some-relay" runs the relay scenarios (group 8) only');
    const client: ClientUnderTest = { ...relay, name: 'some-client', relay: false };
    expect((await run('8.1', client)).reason).toBe('a relay scenario (group 8): run it with --relay <profile>');
  });

  it('skips with the reason a relay is unavailable (no STOMP broker)', async () => {
    const r = await run('8.1', { ...relay, unavailable: 'needs a STOMP broker: none here' });
    expect(r.reason).toBe('needs a STOMP broker: none here');
  });
});
