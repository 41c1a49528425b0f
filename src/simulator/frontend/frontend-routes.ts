import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { route, type Route } from '../http/comfy-routes.ts';
import { jsonResponse } from '../http/types.ts';
import { decodePercentLenient } from '../http/percent-decoding.ts';
import { serveStaticFile, staticFileRoutes } from './static-files.ts';

/**
 * What serving a frontend adds to the simulator: `/extensions` lists the frontend's own
 * `extensions/**\/*.js` as ComfyUI lists its web root's (the frontend skips its `extensions/core`
 * ones itself) and every extension folder's scripts as `/extensions/<folder name>/...`, as
 * ComfyUI lists a custom node's `WEB_DIRECTORY`; the static files answer every GET no API route took.
 */
export interface FrontendRoutes {
  /** Tried before the built-in routes (they replace the empty `/extensions`). */
  routes: Route[];
  /** Tried after the built-in routes. */
  fallbackRoutes: Route[];
}

/** Every `.js` under `dir`, as `/`-separated paths relative to it, sorted; bounded in depth. */
export function scriptsUnder(dir: string, depth = 0): string[] {
  if (depth > 16) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) found.push(...scriptsUnder(join(dir, entry.name), depth + 1).map((name) => `${entry.name}/${name}`));
    else if (entry.isFile() && entry.name.endsWith('.js')) found.push(entry.name);
  }
  return found.sort();
}

/** A custom node's web folder, served at `/extensions/<name>/`. */
interface ExtensionFolder {
  name: string;
  dir: string;
}

/**
 * The routes for a frontend's `staticDir` (or none: only extensions) and extension folders
 * (`--extensions <dir>`, each named by its folder, as a custom node is by its module).
 * @throws Error when two extension folders have one name.
 */
export function frontendRoutes(staticDir: string | undefined, extensionDirs: readonly string[] = []): FrontendRoutes {
  const folders: ExtensionFolder[] = extensionDirs.map((dir) => ({ name: basename(resolve(dir)), dir: resolve(dir) }));
  const names = new Set<string>();
  for (const folder of folders) {
    if (names.has(folder.name)) throw new Error(`two extension folders are named "${folder.name}": each is served at /extensions/<folder name>/, so rename one`);
    names.add(folder.name);
  }
  const listing = () => [
    ...(staticDir ? scriptsUnder(join(staticDir, 'extensions')).map((name) => `/extensions/${name}`) : []),
    ...folders.flatMap((folder) => scriptsUnder(folder.dir).map((name) => `/extensions/${encodeURIComponent(folder.name)}/${name}`)),
  ];
  const serveExtension: Route = route.get('/extensions/*', (request) => {
    const rest = request.path.slice('/extensions/'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const name = decodePercentLenient(rest.slice(0, slash));
    const folder = folders.find((f) => f.name === name);
    return folder ? serveStaticFile(folder.dir, rest.slice(slash)) : undefined;
  });
  return {
    routes: [route.get('/extensions', () => jsonResponse(listing())), ...(folders.length ? [serveExtension] : [])],
    fallbackRoutes: staticDir ? staticFileRoutes(staticDir) : [],
  };
}
