import { describe, expect, it } from 'vitest';
import { pairScenarios, replayCommand } from '../../../../src/harness/run-plan.ts';
import { scenario } from '../../../../src/scenarios/scenario.ts';

const make = (id: string) =>
  scenario.parse({ id, name: `s-${id.replace('.', '-')}`, purpose: 'pairing test', jobs: [{ id: 'j1', prompt: { '1': { class_type: 'SimSleep', inputs: {} } } }] });

const s11 = make('1.1');
const s23 = make('2.3');
const s81 = make('8.1');
const s82 = make('8.2');
interface Client {
  name: string;
  relay?: boolean;
}
const reference: Client = { name: 'reference' };
const spring: Client = { name: 'spring-stomp', relay: true };
const flask: Client = { name: 'flask-socketio', relay: true };
const pairs = (list: { scenario: { id: string }; client: Client }[]) => list.map((p) => `${p.scenario.id}:${p.client.name}`);

describe('pairScenarios', () => {
  it('gives relay scenarios (group 8) to every relay and the other scenarios to every other client', () => {
    expect(pairs(pairScenarios([s11, s81, s23, s82], [reference, spring, flask]))).toEqual([
      '1.1:reference',
      '8.1:spring-stomp',
      '8.1:flask-socketio',
      '2.3:reference',
      '8.2:spring-stomp',
      '8.2:flask-socketio',
    ]);
  });

  it('gives a scenario no client fits to the first client, once, so it is reported skipped', () => {
    expect(pairs(pairScenarios([s81, s11], [reference, { name: 'other' } as Client]))).toEqual(['8.1:reference', '1.1:reference', '1.1:other']);
    expect(pairs(pairScenarios([s11, s81], [spring, flask]))).toEqual(['1.1:spring-stomp', '8.1:spring-stomp', '8.1:flask-socketio']);
  });

  it('treats relay: false like a client that is no relay', () => {
    expect(pairs(pairScenarios([s11, s81], [{ name: 'driver', relay: false } as Client, spring]))).toEqual(['1.1:driver', '8.1:spring-stomp']);
  });

  it('pairs nothing without scenarios', () => {
    expect(pairScenarios([], [reference, spring])).toEqual([]);
  });
});

describe('replayCommand', () => {
  it('replays a client run with --client, quoting a command line', () => {
    expect(replayCommand({ client: 'python driver.py', scenario: { id: '2.3' }, transport: 'memory', seed: 7 })).toBe(
      "comfy-chaos run --client 'python driver.py' --scenario 2.3 --transport memory --seed 7",
    );
  });

  it('replays a relay run with --relay and the profile name, not the client name', () => {
    expect(replayCommand({ client: 'spring-stomp', scenario: { id: '8.1' }, transport: 'network', seed: 1, relay: 'spring-stomp' })).toBe(
      'comfy-chaos run --relay spring-stomp --scenario 8.1 --transport network --seed 1',
    );
  });

  it('replays a relay run from a profile file and a scenario file, quoting paths with spaces', () => {
    expect(replayCommand({ client: 'mine', scenario: { id: '8.4' }, transport: 'network', seed: 3, relay: '/tmp/my relays/mine.profile.yaml', source: '/tmp/s 1.yaml' })).toBe(
      "comfy-chaos run --relay '/tmp/my relays/mine.profile.yaml' --scenario '/tmp/s 1.yaml' --transport network --seed 3",
    );
  });
});
