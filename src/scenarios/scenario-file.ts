import { z } from 'zod';
import { strictObject } from '../protocol/strict-object.ts';
import { parseYamlStrictly, readPlainFile } from './plain-file.ts';
import { scenario, type Scenario } from './scenario.ts';

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  constructor(readonly code: 'CC_ERR_SCENARIO_FILE', message: string) {
    super(message);
  }
}

/** The list form of a scenario file: `{ scenarios: [...] }`. */
const scenarioList = strictObject({ scenarios: z.array(scenario).min(1) });

/** A scenario file holds one scenario, or `{ scenarios: [...] }`, in YAML or JSON. */
export const scenarioFile = z.union([scenario, scenarioList]);

/** The file each loaded scenario came from, so a replay command can name the file, not an id no catalogue has. */
const sources = new WeakMap<Scenario, string>();

export function scenarioSource(s: Scenario): string | undefined {
  return sources.get(s);
}

/** True when a `--scenario` argument names a file rather than an id, group, name or glob. */
export function looksLikeScenarioFile(selector: string): boolean {
  return /\.(ya?ml|json)$/i.test(selector);
}

/**
 * Reads and validates a scenario file. Errors name the file and, for invalid content, the path of
 * every problem (`faults[0].at.type: ...`), so the fix is obvious.
 */
export function loadScenarioFile(path: string): Scenario[] {
  const text = readScenarioText(path);
  let value: unknown;
  try {
    value = /\.json$/i.test(path) ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (error) {
    throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `scenario file ${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = scenarioFile.safeParse(value);
  if (!parsed.success) {
    // The union hides which branch was meant; a file with `scenarios` meant the list form.
    const meant = typeof value === 'object' && value !== null && 'scenarios' in value ? scenarioList : scenario;
    const detail = meant.safeParse(value);
    const error = detail.success ? parsed.error : detail.error;
    throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `scenario file ${path} is invalid:\n${z.prettifyError(error)}`);
  }
  const loaded = 'scenarios' in parsed.data ? parsed.data.scenarios : [parsed.data];
  for (const s of loaded) sources.set(s, path);
  return loaded;
}

/** A scenario file's text; what is not a regular file of at most 16 MiB is refused (src/scenarios/plain-file.ts). */
function readScenarioText(path: string): string {
  try {
    return readPlainFile(path);
  } catch (error) {
    const message = (error as Error).message;
    throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', message.startsWith(path) ? `scenario file ${message}` : `cannot read scenario file ${path}: ${message}`);
  }
}
