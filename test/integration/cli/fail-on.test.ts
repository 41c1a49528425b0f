import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.ts';

/** `run --fail-on`: which verdicts make the run exit 1 (README, "Verdicts"). */
const root = join(import.meta.dirname, '../../..');
const giveUp = `${process.execPath} ${join(root, 'test/helpers/drivers/copied-behaviours.mjs')} give-up-on-refusal`;

describe('run --fail-on', () => {
  it('an unknown verdict is a usage error (exit 2) naming it and the known ones', async () => {
    const run = await cli(['run', '--scenario', '6.1', '--transport', 'memory', '--fail-on', 'fail,flakey']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--fail-on: unknown verdict "flakey" \(known: pass, degraded, non-strict, fail, inconclusive, skipped, harness-error\)/);
  });

  it('non-strict passes CI by default and fails it when asked', async () => {
    const report = mkdtempSync(join(tmpdir(), 'cc-fail-on-'));
    const byDefault = await cli(['run', '--client', giveUp, '--scenario', '3.4', '--report', join(report, 'a')]);
    expect(byDefault.out).toMatch(/^nstr {2}3\.4 /m);
    expect(byDefault.code).toBe(0);
    const strict = await cli(['run', '--client', giveUp, '--scenario', '3.4', '--report', join(report, 'b'), '--fail-on', 'fail,harness-error,non-strict']);
    expect(strict.out).toMatch(/^nstr {2}3\.4 /m);
    expect(strict.code).toBe(1);
  }, 60_000);
});
