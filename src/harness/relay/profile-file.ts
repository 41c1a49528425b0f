import { readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { relayProfile, type RelayProfile } from '../../protocol/index.ts';
import { parseYamlStrictly, readPlainFile } from '../../scenarios/plain-file.ts';

export class RelayProfileError extends Error {
  override name = 'RelayProfileError';
  readonly code = 'CC_ERR_RELAY_PROFILE';
}

export interface LoadedRelayProfile {
  profile: RelayProfile;
  /** The file it came from. */
  file: string;
}

/** Profile files in clients/relays/<relay>/: `profile.yaml` or `<name>.profile.yaml`. */
const PROFILE_FILE = /(^|\.)profile\.(ya?ml|json)$/i;

/** Reads and validates one profile file; errors name the file and the path of every problem. */
export function loadRelayProfileFile(file: string): LoadedRelayProfile {
  let text: string;
  try {
    // Only a regular file of at most 16 MiB: a FIFO named x.profile.yaml must not hang the run.
    text = readPlainFile(file);
  } catch (error) {
    throw new RelayProfileError(`cannot read relay profile ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(file) ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (error) {
    throw new RelayProfileError(`relay profile ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = relayProfile.safeParse(value);
  if (!parsed.success) throw new RelayProfileError(`relay profile ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return { profile: parsed.data, file: resolve(file) };
}

/** Every profile shipped in `<root>/clients/relays/*`. */
export function builtInRelayProfiles(root: string): LoadedRelayProfile[] {
  const base = join(root, 'clients', 'relays');
  if (!existsSync(base)) return [];
  const out: LoadedRelayProfile[] = [];
  for (const relay of readdirSync(base, { withFileTypes: true })) {
    if (!relay.isDirectory()) continue;
    for (const f of readdirSync(join(base, relay.name)).sort()) if (PROFILE_FILE.test(f)) out.push(loadRelayProfileFile(join(base, relay.name, f)));
  }
  return out.sort((a, b) => a.profile.name.localeCompare(b.profile.name));
}

/**
 * A `--relay` argument: a profile file (ends in .yaml, .yml or .json) or the name of a built-in
 * profile (`spring-stomp`); an unknown name lists the known ones.
 */
export function findRelayProfile(selector: string, root: string): LoadedRelayProfile {
  if (/\.(ya?ml|json)$/i.test(selector)) return loadRelayProfileFile(resolve(selector));
  const all = builtInRelayProfiles(root);
  const found = all.find((p) => p.profile.name === selector);
  if (found) return found;
  throw new RelayProfileError(`no relay profile named "${selector}"; known: ${all.map((p) => p.profile.name).join(', ') || 'none'} (or give a profile file: --relay path/to/profile.yaml)`);
}

/** The folder a profile's relative `cwd` starts from. */
export function profileDir(loaded: LoadedRelayProfile): string {
  return dirname(loaded.file);
}
