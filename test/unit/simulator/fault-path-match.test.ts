import { afterEach, describe, expect, it } from 'vitest';
import { findComfyuiProfile } from '../../../src/simulator/index.ts';
import { pathMatches } from '../../../src/simulator/faults/fault-injector.ts';
import { startSim, type SimFixture } from '../../helpers/sim-fixture.ts';

let fixture: SimFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('which requests an HTTP fault\'s path matches', () => {
  it('matches a route at its path and at /api + its path, as ComfyUI serves both', () => {
    expect(pathMatches('/prompt', '/prompt')).toBe(true);
    expect(pathMatches('/api/prompt', '/prompt')).toBe(true);
    expect(pathMatches('/history*', '/history/abc')).toBe(true);
    expect(pathMatches('/history', '/queue')).toBe(false);
  });

  it('matches the jobs API, which keeps its /api prefix as a route (issue 17: frontend 1.58 reads its queue there)', () => {
    // Simulator.normalisePath leaves /api/jobs as it is: ComfyUI registers the jobs API at /api/jobs itself.
    expect(pathMatches('/api/jobs', '/api/jobs')).toBe(true);
    expect(pathMatches('/jobs', '/api/jobs')).toBe(true);
    expect(pathMatches('/api/jobs*', '/api/jobs/123')).toBe(true);
    expect(pathMatches('/jobs/*', '/api/jobs/123')).toBe(true);
    expect(pathMatches('/api/jobs', '/api/jobsx')).toBe(false);
  });

  it('a 503 on /api/jobs reaches a client of the current profile', async () => {
    fixture = await startSim('memory', {
      profile: findComfyuiProfile('current'),
      faults: [{ type: 'http_status', path: '/api/jobs', status: 503, at: { on: 'request', path: '/api/jobs' } }],
    });
    expect((await fixture.fetch(`${fixture.baseUrl}/api/jobs`)).status).toBe(503);
    expect((await fixture.fetch(`${fixture.baseUrl}/api/jobs`)).status).toBe(200);
  });
});
