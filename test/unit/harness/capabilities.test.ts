import { describe, expect, it } from 'vitest';
import { driverEvent, minimalCapabilities } from '../../../src/protocol/index.ts';
import { missingCapability, requiredCapabilities } from '../../../src/harness/adapters/capabilities.ts';
import { findScenarios } from '../../../src/scenarios/catalogue/index.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

const byId = (id: string) => findScenarios([id])[0]!;

describe('client capabilities (issue 12, point 8)', () => {
  it('a driver may declare capabilities in ready; nonsense is refused', () => {
    expect(driverEvent.parse({ type: 'ready', capabilities: { servers: 2, windows: 3, cancel: true, uploads: true } })).toEqual({
      type: 'ready',
      capabilities: { servers: 2, windows: 3, cancel: true, uploads: true },
    });
    expect(driverEvent.parse({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(driverEvent.safeParse({ type: 'ready', capabilities: { windows: 0 } }).success).toBe(false);
    expect(minimalCapabilities).toEqual({ servers: 1, windows: 1, cancel: false });
  });

  it('derives what a scenario needs from its servers, windows and cancels, plus what it requires', () => {
    expect(requiredCapabilities(byId('2.3'))).toEqual({});
    expect(requiredCapabilities(byId('6.8'))).toEqual({ servers: 2, windows: 2 });
    expect(requiredCapabilities(byId('6.10'))).toEqual({ windows: 3, cancel: true });
    const custom = scenario.parse({ id: '9.1', name: 'uploads', purpose: 'x', jobs: [{ id: 'j1', prompt: sleepGraph(10) }], requires: { uploads: true } });
    expect(requiredCapabilities(custom)).toEqual({ uploads: true });
  });

  it('says what is missing, against the minimal driver when nothing is declared', () => {
    expect(missingCapability({}, undefined)).toBeUndefined();
    expect(missingCapability({ servers: 2, windows: 2 }, undefined)).toBe(
      'needs 2 servers (a pool, in COMFY_URLS) (it declares servers: 1) and 2 windows (separate sessions) (it declares windows: 1); a client that can declares it in its ready event, e.g. {"type":"ready","capabilities":{"servers":2,"windows":2}} (docs/write-a-driver.md, "Capabilities")',
    );
    expect(missingCapability({ cancel: true }, { windows: 4 })).toMatch(/^needs cancel \(it declares cancel: false\)/);
    expect(missingCapability({ windows: 3, cancel: true }, { windows: 3, cancel: true })).toBeUndefined();
    expect(missingCapability({ windows: 3 }, { windows: 2 })).toMatch(/needs 3 windows .*it declares windows: 2/);
    expect(missingCapability({ uploads: true }, { uploads: true })).toBeUndefined();
    expect(missingCapability({ uploads: true }, {})).toMatch(/^needs uploads: true \(it declares uploads: null\)/);
  });
});
