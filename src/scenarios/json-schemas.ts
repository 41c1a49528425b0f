import { z } from 'zod';
import { nodeFile } from '../protocol/node-file.ts';
import { relayProfile } from '../protocol/relay-profile.ts';
import { scenarioFile } from './scenario-file.ts';

/**
 * JSON Schemas of the files users write, generated from the zod schemas that validate them
 * (issue 12, point 10), so an editor can complete and check a scenario file or a relay profile as
 * it is typed, and a node file (`serve --nodes`) likewise. `comfy-chaos schema <name>` prints one; docs/schemas/ holds the published copies
 * (test/unit/scenarios/json-schemas.test.ts keeps them equal to these).
 * Checks zod can run but JSON Schema cannot say (a job id used twice, a submission after
 * `maxRunMs`) are still made when the file is loaded.
 */
export const jsonSchemaNames = ['scenario', 'relay-profile', 'nodes'] as const;
export type JsonSchemaName = (typeof jsonSchemaNames)[number];

const sources: Record<JsonSchemaName, { schema: z.ZodType; title: string; description: string }> = {
  scenario: {
    schema: scenarioFile,
    title: 'comfy-chaos scenario file',
    description: 'One scenario (workload x fault schedule x oracle), or { scenarios: [...] }, as `comfy-chaos run --scenario <file>` reads it.',
  },
  'relay-profile': {
    schema: relayProfile,
    title: 'comfy-chaos relay profile',
    description: 'How comfy-chaos starts a relay under test, submits through it and reads what it sends downstream (`comfy-chaos run --relay <file>`).',
  },
  nodes: {
    schema: nodeFile,
    title: 'comfy-chaos node file',
    description: 'Node classes added to the simulator: their /object_info entries and how the simulator runs them (`comfy-chaos serve --nodes <file>`).',
  },
};

/** The JSON Schema (draft 2020-12) of a file kind: the input form, so defaulted fields are optional. */
export function jsonSchemaOf(name: JsonSchemaName): Record<string, unknown> {
  const { schema, title, description } = sources[name];
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12', reused: 'ref' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: `urn:comfy-chaos:schema:${name}`, title, description, ...rest };
}
