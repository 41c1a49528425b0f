import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { scenarioLimits } from '../protocol/scenario-limits.ts';
import { strictObject } from '../protocol/strict-object.ts';
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

/**
 * Reads a scenario file's text, refusing what is not a regular file of a sensible size. The file
 * is opened non-blocking and checked on its descriptor: a FIFO named `x.yaml` would otherwise
 * block the harness for ever waiting for a writer (issue 11), and a device would never end.
 */
function readScenarioText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device or special file';
      throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `scenario file ${path} is ${kind}, not a regular file: give the path of a .yaml or .json file`);
    }
    if (stat.size > scenarioLimits.fileBytes) {
      throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `scenario file ${path} has ${stat.size} bytes; a scenario file has at most ${scenarioLimits.fileBytes} (16 MiB)`);
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof ScenarioFileError) throw error;
    throw new ScenarioFileError('CC_ERR_SCENARIO_FILE', `cannot read scenario file ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * YAML without surprises: every warning is an error (an unknown tag such as `!!js/function` would
 * otherwise be read as a plain string), keys are unique, and aliases are few (no billion laughs).
 */
function parseYamlStrictly(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const hint = problem.code === 'TAG_RESOLVE_FAILED' ? ' (tags are not supported in scenario files: write the value as plain YAML)' : '';
    throw new Error(`${problem.message.trim()}${hint}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
