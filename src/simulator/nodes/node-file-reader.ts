import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { NodeFileError, nodeFileLimits, parseNodeFile, type NodeFile } from '../../protocol/index.ts';
import { nodeCatalogue, type NodeCatalogue } from './catalogue.ts';
import { replacedClasses, withNodeFile } from './custom-nodes.ts';

/** A node file read from disk and made into the catalogue the simulator serves. */
export interface LoadedNodeFile {
  file: NodeFile;
  /** The built-in classes plus the file's. */
  catalogue: NodeCatalogue;
  /** The file's classes, in file order. */
  added: string[];
  /** The core classes the file replaces (`replaces: true`). */
  replaced: string[];
}

/**
 * Reads a node file (`.json` as JSON, anything else as YAML, which JSON also is), validates it
 * and builds the catalogue: the simulator's `catalogue` option.
 * @throws NodeFileError whose message starts with the file's path and names each bad path in it.
 */
export function loadNodeFile(path: string, base: NodeCatalogue = nodeCatalogue): LoadedNodeFile {
  let text: string;
  try {
    const { size } = statSync(path);
    if (size > nodeFileLimits.fileBytes) throw new Error(`${size} bytes; a node file is at most ${nodeFileLimits.fileBytes} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new NodeFileError(`cannot read node file ${path}: ${(error as Error).message}`);
  }
  const json = path.endsWith('.json');
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new NodeFileError(`node file ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  try {
    const file = parseNodeFile(value);
    return { file, catalogue: withNodeFile(file, base), added: Object.keys(file.nodes), replaced: replacedClasses(file, base) };
  } catch (error) {
    if (error instanceof NodeFileError) throw new NodeFileError(`node file ${path} is invalid:\n${error.message}`);
    throw error;
  }
}
