import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { route, type Route } from '../http/comfy-routes.ts';
import { jsonResponse } from '../http/types.ts';
import { staticFileRoutes } from './static-files.ts';

/**
 * What serving a frontend adds to the simulator: `/extensions` lists the frontend's own
 * `extensions/**\/*.js` as ComfyUI lists its web root's (the frontend skips its `extensions/core`
 * ones itself), and the static files answer every GET no API route took.
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

export function frontendRoutes(staticDir: string): FrontendRoutes {
  return {
    routes: [route.get('/extensions', () => jsonResponse(scriptsUnder(join(staticDir, 'extensions')).map((name) => `/extensions/${name}`)))],
    fallbackRoutes: staticFileRoutes(staticDir),
  };
}
