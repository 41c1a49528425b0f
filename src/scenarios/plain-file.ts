import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { scenarioLimits } from '../protocol/scenario-limits.ts';

/**
 * Reading the files users give the harness (scenario files, relay profiles, fault schedules) as
 * input we do not trust (issue 11): only regular files of a sensible size, and YAML without
 * surprises. Errors are plain `Error`s whose message says what was wrong; callers add the file's role.
 */

/**
 * A file's text, refusing what is not a regular file or is larger than `maxBytes`. The file is
 * opened non-blocking and checked on its descriptor: a FIFO named `x.yaml` would otherwise block
 * the harness for ever waiting for a writer, and a device would never end.
 */
export function readPlainFile(path: string, maxBytes: number = scenarioLimits.fileBytes): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device or special file';
      throw new Error(`${path} is ${kind}, not a regular file: give the path of a .yaml or .json file`);
    }
    if (stat.size > maxBytes) throw new Error(`${path} has ${stat.size} bytes; such a file has at most ${maxBytes} (${Math.round(maxBytes / 2 ** 20)} MiB)`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * YAML without surprises: every warning is an error (an unknown tag such as `!!js/function` would
 * otherwise be read as a plain string), keys are unique, and aliases are few (no billion laughs).
 */
export function parseYamlStrictly(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const hint = problem.code === 'TAG_RESOLVE_FAILED' ? ' (tags are not supported here: write the value as plain YAML)' : '';
    throw new Error(`${problem.message.trim()}${hint}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
