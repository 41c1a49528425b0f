import { describe, expect, it } from 'vitest';
import { hintOptions } from '../../../src/reference-client/driver.ts';

// The reference driver ignored COMFY_CHAOS_HINTS, so its health timeout stayed 30 s and it failed
// 5.3 on the network where `--client reference` (which takes the hints) passed: found by hunt.
describe('the reference driver reads the scenario hints from COMFY_CHAOS_HINTS', () => {
  it('takes the known timing hints as client options', () => {
    const logs: string[] = [];
    expect(hintOptions('{"healthTimeoutMs":2000,"pollIntervalMs":1000,"requestTimeoutMs":3000,"other":5}', (m) => logs.push(m))).toEqual({
      healthTimeoutMs: 2000,
      pollIntervalMs: 1000,
      requestTimeoutMs: 3000,
    });
    expect(logs).toEqual([]);
  });

  it('ignores hints that are not positive numbers, and says so when the JSON does not parse', () => {
    const logs: string[] = [];
    expect(hintOptions('{"healthTimeoutMs":"2000","jobTimeoutMs":-1,"reconnectCapMs":null}', (m) => logs.push(m))).toEqual({});
    expect(hintOptions('{not json', (m) => logs.push(m))).toEqual({});
    expect(hintOptions(undefined, (m) => logs.push(m))).toEqual({});
    expect(logs).toEqual([expect.stringContaining('COMFY_CHAOS_HINTS is not JSON')]);
  });
});
