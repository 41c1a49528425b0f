import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandTable } from '../../../src/cli/main.ts';
import { cli } from '../../integration/cli/cli.ts';

describe('the CLI command table', () => {
  it('gives each command the description its own module gives it', async () => {
    for (const [name, entry] of Object.entries(commandTable)) {
      const program = new Command('comfy-chaos');
      (await entry.load())(program);
      const command = program.commands.find((c) => c.name() === name);
      expect(command, `the module of "${name}" registers it`).toBeDefined();
      expect(command!.description(), name).toBe(entry.description);
    }
  });

  it('loads only the command that runs, and lists every command in help', async () => {
    const program = await buildProgram(['list']);
    const list = program.commands.find((c) => c.name() === 'list')!;
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    expect(list.options.map((o) => o.long)).toContain('--scenario');
    expect(serve.options).toEqual([]);
    expect(program.commands.map((c) => c.name())).toEqual(Object.keys(commandTable));
  });

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await cli(['--version']);
    expect(run).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const run = await cli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/unknown command 'frobnicate'/);
  });
});
