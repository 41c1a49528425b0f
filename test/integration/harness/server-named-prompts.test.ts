import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import { scenario } from '../../../src/scenarios/scenario.ts';
import { sleepJob, onMessage } from '../../../src/scenarios/catalogue/builders.ts';
import { comfyui0344 } from '../../../src/simulator/profiles/index.ts';

const root = join(import.meta.dirname, '../../..');
const referenceDriver = driverClient('reference driver', { command: process.execPath, args: [join(root, 'bin/comfy-chaos.js'), 'driver', 'reference'] }, { cwd: root });

/**
 * Issue 13: on a ComfyUI from before 2025-07-14 (commit 260a5ca5) the server names every prompt
 * itself. The reference client, as a driver process on the network transport, must follow the
 * reply's id: three jobs, the socket dropped (1006) in the middle of the second, and each job
 * completed exactly once, reported under the server's id.
 */
describe('the reference driver on a server that ignores the client prompt_id (ComfyUI 0.3.44)', () => {
  it('completes several jobs exactly once, one of them across a socket drop mid-job', async () => {
    const s = scenario.parse({
      id: '99.1',
      name: 'server-named-prompts',
      purpose: 'three jobs on a server that names prompts itself, the socket dropped mid-job 2',
      comfyui: '0.3.44',
      jobs: [sleepJob('a', 600, 4), sleepJob('b', 600, 6, { submitAtMs: 100 }), sleepJob('c', 600, 4, { submitAtMs: 200 })],
      faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 2, occurrence: 3 }) }],
      latencyBoundMs: 5_000,
      recoveryBoundMs: 10_000,
      maxRunMs: 40_000,
    });
    const result = await runScenario(s, referenceDriver, { transport: 'network', seed: 7, replay: 'server-named-prompts' });
    expect(result.comfyui).toBe(comfyui0344.name);
    expect(result.findings.filter((f) => !f.informational), JSON.stringify(result.findings, null, 1)).toEqual([]);
    expect(result.verdict).toBe('pass');
    // The fault fired, and the client really was given other ids than the ones it sent.
    expect(result.trace.some((e) => e.kind === 'fault')).toBe(true);
    const posts = result.trace.filter((e): e is Extract<typeof e, { kind: 'http' }> => e.kind === 'http' && e.method === 'POST' && e.path === '/prompt' && e.status === 200);
    expect(posts).toHaveLength(3);
    const serverIds = posts.map((p) => JSON.parse(p.response!).prompt_id as string);
    const sentIds = posts.map((p) => JSON.parse(p.request!).prompt_id as string);
    for (let i = 0; i < 3; i++) expect(serverIds[i]).not.toBe(sentIds[i]);
    const completed = result.trace.flatMap((e) => (e.kind === 'client' && (e.event as { type: string }).type === 'completed' ? [e.event as { id: string; prompt_id: string }] : []));
    expect(completed.map((c) => c.id).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(completed.map((c) => c.prompt_id))).toEqual(new Set(serverIds));
    expect(result.counts).toMatchObject({ acknowledged: 3, completedOnServer: 3, reported: 3, duplicated: 0, lost: 0, phantom: 0 });
  }, 90_000);
});
