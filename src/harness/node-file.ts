import { NodeFileError, nodeFileLimits, parseNodeFile, type NodeFile } from '../protocol/index.ts';
import { nodeCatalogue, replacedClasses, withNodeFile, type NodeCatalogue } from '../simulator/index.ts';
import { parseYamlStrictly, readPlainFile } from '../scenarios/plain-file.ts';

/** A node file read from disk and made into the catalogue the simulator serves. */
export interface LoadedNodeFile {
  file: NodeFile;
  /** The built-in classes plus the file's: the simulator's `catalogue` option. */
  catalogue: NodeCatalogue;
  /** The file's classes, in file order. */
  added: string[];
  /** The core classes the file replaces (`replaces: true`). */
  replaced: string[];
}

/**
 * Reads a node file (`serve --nodes`): `.json` as JSON, anything else as YAML (which JSON also
 * is), as untrusted input like every file a user gives (src/scenarios/plain-file.ts: a regular
 * file of at most 4 MiB, YAML without tags or duplicate keys), validates it and builds the catalogue.
 * @throws NodeFileError whose message starts with the file's path and names each bad path in it.
 */
export function loadNodeFile(path: string, base: NodeCatalogue = nodeCatalogue): LoadedNodeFile {
  let text: string;
  try {
    text = readPlainFile(path, nodeFileLimits.fileBytes);
  } catch (error) {
    throw new NodeFileError(`cannot read node file ${path}: ${(error as Error).message}`);
  }
  const json = path.endsWith('.json');
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYamlStrictly(text);
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
