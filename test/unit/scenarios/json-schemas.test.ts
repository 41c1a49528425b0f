import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { builtInRelayProfiles } from '../../../src/harness/relay/profile-file.ts';
import { catalogueInputs } from '../../../src/scenarios/catalogue/index.ts';
import { jsonSchemaNames, jsonSchemaOf } from '../../../src/scenarios/json-schemas.ts';
import { cli } from '../../integration/cli/cli.ts';

const root = new URL('../../../', import.meta.url);
const published = (name: string) => JSON.parse(readFileSync(new URL(`docs/schemas/${name}.schema.json`, root), 'utf8')) as Record<string, unknown>;
const validator = (name: (typeof jsonSchemaNames)[number]) => new Ajv2020({ strict: false, allErrors: true }).compile(jsonSchemaOf(name));

describe('JSON Schemas of scenario files and relay profiles (issue 12, point 10)', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(jsonSchemaNames)('docs/schemas/%s.schema.json is what the zod schemas generate (regenerate: comfy-chaos schema <kind> --out <file>)', (name) => {
    expect(published(name)).toEqual(jsonSchemaOf(name));
  });

  it('accepts every catalogue scenario and refuses a typo, as an editor would', () => {
    const validate = validator('scenario');
    for (const input of catalogueInputs) {
      const json: unknown = JSON.parse(JSON.stringify(input));
      expect(validate(json), `${input.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const typo = { ...(JSON.parse(JSON.stringify(catalogueInputs[0])) as object), fualts: [] };
    expect(validate(typo)).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/"additionalProperty":"fualts"/);
  });

  it('accepts every bundled relay profile', () => {
    const validate = validator('relay-profile');
    for (const { file } of builtInRelayProfiles(new URL('.', root).pathname)) {
      expect(validate(parseYaml(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('accepts the example node file and refuses a typo in it', () => {
    const validate = validator('nodes');
    const example = parseYaml(readFileSync(new URL('examples/custom-nodes.yaml', root), 'utf8')) as { nodes: Record<string, Record<string, unknown>> };
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    example.nodes['MyPack.Blur']!.behavior = {};
    expect(validate(example)).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/"additionalProperty":"behavior"/);
  });

  it('comfy-chaos schema prints one, and names the kinds when given another', async () => {
    const ok = await cli(['schema', 'relay-profile']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ title: 'comfy-chaos relay profile', additionalProperties: false });
    const bad = await cli(['schema', 'scenarios']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('comfy-chaos: unknown schema "scenarios": give scenario or relay-profile or nodes, e.g. comfy-chaos schema scenario > scenario.schema.json\n');
  });
});
