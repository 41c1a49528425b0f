/**
 * The official ComfyUI frontend as a client under test (`--client frontend@<version>`, issue 17):
 * catalogue scenarios through the public run API (executePlan), on the network transport, for the
 * version ComfyUI 0.3.64 pins (1.27.10, on the 0.3.64 profile) and a current one (1.58.1, on
 * `current`). The frontend runs in headless Chromium; its jobs go through its own queue path and
 * what it shows (the node's progress, the entry in its queue store) is what the oracle judges.
 *
 * - A baseline (one image job, no fault) passes: submitted, progress, completed with the image.
 * - 2.1 (the socket is dropped without a close frame just before execution_start) passes, and must:
 *   on `close` the frontend's api opens a new socket after 300 ms (1.27.10 src/scripts/api.ts:443-447;
 *   1.58.1 src/scripts/api.ts:902-982, createSocket with isReconnect), the server greets it with
 *   `status`, and the frontend's answer to `status` is to reload its queue and history
 *   (1.27.10 src/views/GraphView.vue:189 `await queueStore.update()`; 1.58.1 the same store's
 *   update), so the finished job appears in the sidebar with its image.
 *
 * Skipped when Chromium or the frontend version is missing, unless COMFY_CHAOS_STRICT=1 (CI).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium, playwrightMissing } from '../../src/harness/adapters/frontend/browser.ts';
import { locateFrontend } from '../../src/harness/adapters/frontend/frontend-version.ts';
import { executePlan } from '../../src/harness/run-plan.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';
import { sleepJob } from '../../src/scenarios/catalogue/builders.ts';
import { scenario as scenarioSchema } from '../../src/scenarios/scenario.ts';
import { strict } from './chromium.ts';

const cases = [
  { version: '1.27.10', profile: '0.3.64' },
  { version: '1.58.1', profile: 'current' },
];

const baseline = scenarioSchema.parse({
  id: '9.70',
  name: 'frontend-baseline',
  purpose: 'one image job and no fault: the frontend shows its progress and the finished job with its image',
  jobs: [sleepJob('j1', 1_500, 5)],
  recoveryBoundMs: 8_000,
  maxRunMs: 30_000,
});

/** Why this version cannot run here, or undefined. */
function missing(version: string): string | undefined {
  const chromium = findChromium();
  if ('missing' in chromium) return chromium.missing;
  const noPlaywright = playwrightMissing();
  if (noPlaywright) return noPlaywright;
  try {
    locateFrontend(version);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the official frontend judged by the catalogue (headless Chromium)', () => {
  it.for(cases)('frontend@$version on ComfyUI $profile: the baseline and 2.1 (terminate before execution_start) pass', { timeout: 900_000 }, async (testCase, ctx) => {
    const why = missing(testCase.version);
    if (why) {
      if (strict) throw new Error(`COMFY_CHAOS_STRICT=1 and ${why}`);
      ctx.skip(why);
      return;
    }
    const reportDir = join(mkdtempSync(join(tmpdir(), 'cc-frontend-client-')), 'report');
    const out = { write: () => true } as unknown as NodeJS.WritableStream;
    const results = await executePlan(
      { scenarios: [baseline, ...findScenarios(['2.1'])], clients: [`frontend@${testCase.version}`], comfyui: [testCase.profile], transport: 'network', seed: 1, concurrency: 1, reportDir, strict: false },
      out,
    );
    const byId = new Map(results.map((r) => [r.scenario.id, r]));
    const base = byId.get('9.70')!;
    expect(base.verdict, `${base.reason} ${JSON.stringify(base.findings)}`).toBe('pass');
    expect(base.counts).toMatchObject({ acknowledged: 1, completedOnServer: 1, reported: 1, lost: 0, duplicated: 0 });
    const reported = base.trace.flatMap((e) => (e.kind === 'client' ? [e.event as { type: string }] : []));
    expect(reported.some((e) => e.type === 'progress'), 'the node progress the frontend showed was reported').toBe(true);
    const completed = reported.find((e) => e.type === 'completed') as { outputs: Record<string, { images?: { filename: string }[] }> } | undefined;
    expect(completed?.outputs['3']?.images?.[0]?.filename).toBe('j1_00001_.png');
    const terminate = byId.get('2.1')!;
    expect(terminate.verdict, `${terminate.reason} ${JSON.stringify(terminate.findings)}`).toBe('pass');
    expect(terminate.trace.some((e) => e.kind === 'fault'), 'the terminate fired').toBe(true);
  });
});
