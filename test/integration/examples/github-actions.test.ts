import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/main.ts';
import { splitCommandLine } from '../../../src/harness/adapters/command-line.ts';

// The GitHub Actions example users copy (examples/github-actions/): checked by actionlint (built
// from the Go module proxy by scripts/install-actionlint.sh; required under COMFY_CHAOS_STRICT=1),
// and for what actionlint cannot know: the shape this project promises (npx of the published
// package, Toxiproxy without Go, a sharded matrix, a merge, junit.xml published with the
// permissions a fork's pull request has) and that every comfy-chaos command and option it uses
// exists in this CLI.
const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
const DIR = join(ROOT, 'examples', 'github-actions');
const MAIN = join(DIR, 'comfy-chaos.yml');
const REPORT = join(DIR, 'comfy-chaos-report.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) => parse(readFileSync(file, 'utf8')) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

function findActionlint(): string | undefined {
  const dirs = [join(ROOT, '.tools', 'bin'), ...(process.env.PATH ?? '').split(delimiter)];
  return dirs
    .map((d) => join(d, 'actionlint'))
    .find((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** Every `comfy-chaos ...` invocation in a run script, as argument lists (`${{ }}` expressions replaced by a sample value). */
function comfyChaosCalls(script: string): string[][] {
  // `${{ ... }}` becomes a sample value and a glob its first match, so the shell-free splitter takes it.
  const lines = script.replace(/\\\n/g, ' ').replace(/\$\{\{[^}]*\}\}/g, '1').replace(/\*/g, '1').split('\n');
  return lines.filter((l) => /\bnpx comfy-chaos\b/.test(l)).map((l) => splitCommandLine(l.slice(l.indexOf('npx comfy-chaos') + 'npx comfy-chaos'.length).trim().replace(/\s+#.*$/, '')));
}

describe('examples/github-actions', () => {
  it('passes actionlint', (context) => {
    const actionlint = findActionlint();
    if (!actionlint) {
      if (process.env.COMFY_CHAOS_STRICT === '1') throw new Error('actionlint is not installed: run scripts/install-actionlint.sh (needs Go)');
      return context.skip('actionlint is not installed (scripts/install-actionlint.sh builds it with Go)');
    }
    const lint = spawnSync(actionlint, ['-no-color', MAIN, REPORT], { encoding: 'utf8', timeout: 60_000 });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('actionlint has teeth: a broken copy of the workflow is refused', (context) => {
    const actionlint = findActionlint();
    if (!actionlint) return context.skip('actionlint is not installed');
    const broken = readFileSync(MAIN, 'utf8').replace('${{ matrix.shard }}/4', '${{ matrix.shards }}/4');
    const lint = spawnSync(actionlint, ['-no-color', '-'], { input: broken, encoding: 'utf8', timeout: 60_000 });
    expect(lint.status).toBe(1);
    expect(lint.stdout).toMatch(/property "shards" is not defined/);
  });

  it('uses the published package through npx, gets Toxiproxy without Go, and never checks out comfy-chaos', () => {
    const main = load(MAIN);
    const all = steps(main);
    const scripts = all.map((s) => s.run ?? '').join('\n');
    expect(scripts).toMatch(/^npm ci$/m);
    expect(scripts).toContain('npx comfy-chaos toxiproxy install');
    expect(all.filter((s) => s.uses?.startsWith('actions/setup-go'))).toEqual([]);
    expect(all.filter((s) => s.uses?.startsWith('actions/checkout') && s.with?.repository)).toEqual([]);
    expect(scripts).not.toMatch(/scripts\/|bin\/comfy-chaos\.js|node_modules\/comfy-chaos\/src/);
    expect(all.some((s) => s.uses?.startsWith('actions/cache') && s.with?.path === '~/.cache/comfy-chaos')).toBe(true);
  });

  it('shards the catalogue over a matrix, each shard running its own slice, and merges every shard even when one failed', () => {
    const main = load(MAIN);
    const chaos = main.jobs.chaos!;
    const shards = chaos.strategy!.matrix!.shard!;
    expect(shards.length).toBeGreaterThan(1);
    const run = comfyChaosCalls(chaos.steps.map((s) => s.run ?? '').join('\n')).find((c) => c[0] === 'run')!;
    const shard = run[run.indexOf('--shard') + 1];
    expect(readFileSync(MAIN, 'utf8')).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(shard).toBe(`1/${shards.length}`);
    expect(run).toContain('--strict');
    const upload = chaos.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.if).toBe('always()');
    const merge = main.jobs.merge!;
    expect([merge.needs].flat()).toContain('chaos');
    expect(merge.if).toBe('always()');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(String(upload.with!.name)).toMatch(new RegExp(`^${String(download.with!.pattern).replace('*', '.*')}$`));
    expect(comfyChaosCalls(merge.steps.map((s) => s.run ?? '').join('\n')).map((c) => c[0])).toContain('merge');
  });

  it('publishes junit.xml with the permissions a fork pull request has: read-only where the PR runs, checks: write only in a workflow_run that never runs its code', () => {
    const main = load(MAIN);
    expect(Object.keys(main.on)).toContain('pull_request');
    expect(Object.keys(main.on)).not.toContain('pull_request_target');
    expect(main.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(main.jobs)) expect((job as { permissions?: unknown }).permissions).toBeUndefined();
    const junitUpload = steps(main).find((s) => s.uses?.startsWith('actions/upload-artifact') && String(s.with?.path).endsWith('junit.xml'))!;
    expect(junitUpload).toBeDefined();

    const report = load(REPORT);
    expect(report.on).toEqual({ workflow_run: { workflows: [main.name], types: ['completed'] } });
    expect(report.permissions).toEqual({ contents: 'read', actions: 'read', checks: 'write' });
    const all = steps(report);
    expect(all.filter((s) => s.uses?.startsWith('actions/checkout') || s.run)).toEqual([]);
    const publish = all.find((s) => s.uses?.startsWith('dorny/test-reporter'))!;
    expect(publish.with).toMatchObject({ artifact: junitUpload.with!.name, reporter: 'java-junit' });
  });

  it('uses only comfy-chaos commands and options this CLI has', async () => {
    const calls = [MAIN, REPORT].flatMap((file) => steps(load(file)).flatMap((s) => comfyChaosCalls(s.run ?? '')));
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (const call of calls) {
      const program = await buildProgram(call);
      let command: Command | undefined = program.commands.find((c) => c.name() === call[0]);
      expect(command, `comfy-chaos ${call[0]}`).toBeDefined();
      let rest = call.slice(1);
      const sub = command!.commands.find((c) => c.name() === rest[0]);
      if (sub) {
        command = sub;
        rest = rest.slice(1);
      }
      const known = new Set(command!.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
      for (const word of rest.filter((w) => w.startsWith('--'))) expect(known.has(word), `comfy-chaos ${call.join(' ')}: ${word}`).toBe(true);
    }
  });

  it('the Toxiproxy cache path of the workflow is where toxiproxy install puts the binary on a runner', () => {
    const path = execFileSync(process.execPath, [join(ROOT, 'bin', 'comfy-chaos.js'), 'toxiproxy', 'path'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: '/home/runner', XDG_CACHE_HOME: '', COMFY_CHAOS_CACHE_DIR: '' },
    }).trim();
    expect(path.startsWith('/home/runner/.cache/comfy-chaos/')).toBe(true);
  });
});
