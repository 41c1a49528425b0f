import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../harness/usage-error.ts';
import { jsonSchemaNames, jsonSchemaOf, type JsonSchemaName } from '../scenarios/json-schemas.ts';

export const SCHEMA_DESCRIPTION = 'Print the JSON Schema of a scenario file, a relay profile or a node file (generated from the zod schemas), for editors to validate and complete them';

/** `comfy-chaos schema scenario|relay-profile|nodes [--out file]`. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(SCHEMA_DESCRIPTION)
    .argument('<kind>', `which file: ${jsonSchemaNames.join(' or ')}`)
    .option('--out <file>', 'write it to this file instead of stdout')
    .action((kind: string, opts: { out?: string }) => {
      if (!(jsonSchemaNames as readonly string[]).includes(kind)) {
        throw new UsageError(`unknown schema "${kind}": give ${jsonSchemaNames.join(' or ')}, e.g. comfy-chaos schema scenario > scenario.schema.json`);
      }
      const text = `${JSON.stringify(jsonSchemaOf(kind as JsonSchemaName), null, 2)}\n`;
      if (opts.out) {
        try {
          writeFileSync(opts.out, text);
        } catch (error) {
          throw new UsageError(`cannot write ${opts.out}: ${(error as Error).message}`);
        }
        process.stdout.write(`wrote the ${kind} JSON Schema to ${opts.out}\n`);
      } else process.stdout.write(text);
    });
}
