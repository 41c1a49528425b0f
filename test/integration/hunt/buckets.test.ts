import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import type { ClientUnderTest } from '../../../src/harness/adapters/client-under-test.ts';
import { hunt } from '../../../src/harness/hunt/index.ts';
import { main } from '../../../src/cli/main.ts';
import { route } from '../../../src/simulator/http/comfy-routes.ts';

/** Buckets (issue 15): two bugs of one client are two, two faces of one bug are one; a clean client exits 0. */
const out = mkdtempSync(join(tmpdir(), 'cc-hunt-buckets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The BOM mutant with a second, unrelated bug planted around it: the completion of job `j2` is
 * reported twice, with or without a fault. Two bugs: one with no fault at all, one after a BOM.
 */
function twoBugs(): ClientUnderTest {
  const inner = referenceClient('two-bugs', { mutation: 'bom-not-stripped' });
  return {
    ...inner,
    name: 'two-bugs',
    start: (context) =>
      inner.start({
        ...context,
        events: {
          ...context.events,
          onEvent: (e) => {
            context.events.onEvent(e);
            if (e.type === 'completed' && e.id === 'j2') context.events.onEvent(e);
          },
        },
      }),
  };
}

describe('hunt buckets', () => {
  it('two different bugs of one client come out as two buckets, the fault-free one first', { timeout: 300_000 }, async () => {
    const report = await hunt({ client: twoBugs(), seed: 1, concurrency: 1, maxTimeMs: 240_000, maxScenarios: 60 });
    expect(report.harnessErrors).toEqual([]);
    const [baseline, bom] = report.bugs;
    expect(report.bugs).toHaveLength(2);
    expect(baseline!.signature.families).toEqual([]);
    expect(baseline!.signature.invariants).toEqual(['exactly-once']);
    expect(baseline!.summary).toMatch(/with no fault at all/);
    expect(bom!.signature.families).toEqual(['undecodable frame']);
    // What the baseline explains (the double report) is not part of the second bug's signature.
    expect(bom!.signature.invariants).not.toContain('exactly-once');
    expect(bom!.signature.invariants).toContain('no-lost-completion');
  });

  it('one bug shown by several faults and invariants is one bucket (polling-never-stops)', { timeout: 300_000 }, async () => {
    const report = await hunt({ client: referenceClient('reference:polling-never-stops', { mutation: 'polling-never-stops' }), seed: 1, concurrency: 1, maxTimeMs: 240_000, maxScenarios: 150 });
    expect(report.bugs).toHaveLength(1);
    const bug = report.bugs[0]!;
    expect(bug.signature.invariants).toContain('exactly-once');
    expect(bug.seen).toBeGreaterThan(1);
    // Seen after different fault kinds (a restart, a terminate, refused upgrades...): still one bug.
    expect(bug.kinds.length).toBeGreaterThan(1);
  });

  it('two symptoms of one bug are one bucket: a deaf socket trusted for ever hangs a completed job or a failed one (deaf-socket-detection-off)', { timeout: 300_000 }, async () => {
    // Random workloads (failing graphs among them) make the same bug break different invariants.
    const deaf = referenceClient('reference:deaf-socket-detection-off', { mutation: 'deaf-socket-detection-off' });
    const report = await hunt({ client: deaf, seed: 1, concurrency: 1, maxTimeMs: 240_000, maxScenarios: 150, systematic: false });
    expect(report.bugs).toHaveLength(1);
    const bug = report.bugs[0]!;
    expect(bug.signature.invariants).toContain('no-hang');
    // Seen as a lost completion and as a lost failure: two sets of broken invariants, one bucket.
    expect(bug.variants.length).toBeGreaterThan(1);
    expect(bug.variants.some((v) => v.includes('failures-are-failures'))).toBe(true);
    expect(bug.variants.some((v) => v.includes('no-lost-completion'))).toBe(true);
    expect(bug.variants.every((v) => v.split('+').includes('no-hang'))).toBe(true);
  });

  it('a client with no bug: exit 0 and "no bug found in N scenarios (coverage: ...)"', { timeout: 120_000 }, async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['hunt', '--client', 'reference', '--max-time', '4', '--seed', '1', '--out', join(out, 'clean')]);
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
    const text = written.join('');
    expect(code, text).toBe(0);
    expect(text).toMatch(/no bug found in \d+ scenarios \(coverage: \d+ baseline, \d+ single-fault/);
  });

  it('a harness error is ours: kept apart, never a bug of the client', { timeout: 120_000 }, async () => {
    // Every GET /queue throws inside the simulator: the runs that read it end harness-error.
    const exploding = route.get('/queue', () => {
      throw new Error('forced simulator bug (test)');
    });
    const report = await hunt({ client: referenceClient(), seed: 1, concurrency: 1, maxTimeMs: 100_000, maxScenarios: 40, simulatorRoutes: [exploding] });
    expect(report.harnessErrors.length).toBeGreaterThan(0);
    expect(report.harnessErrors[0]!.result.harnessError?.message).toMatch(/forced simulator bug/);
    expect(report.bugs).toEqual([]);
  });

  it('usage errors exit 2 with the fix', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['hunt', '--client', 'reference', '--max-time', 'soon'])).toBe(2);
      expect(await main(['hunt', '--client', 'reference', '--comfyui', '9.9'])).toBe(2);
      expect(await main(['hunt', '--client', 'reference:no-such-bug'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('')).toMatch(/--max-time must be a number of seconds/);
    expect(errors.join('')).toMatch(/unknown ComfyUI profile "9.9"/);
    expect(errors.join('')).toMatch(/unknown mutant "no-such-bug"/);
  });
});
