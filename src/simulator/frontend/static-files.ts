import { readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { route, type Route } from '../http/comfy-routes.ts';
import { decodePercentLenient } from '../http/percent-decoding.ts';
import type { SimResponse } from '../http/types.ts';

/**
 * A frontend's static files served at `/`, as ComfyUI serves its `--front-end-root` (the
 * `static/` folder of `comfyui-frontend-package`): `/` is `index.html`, every other path a file
 * under the root. These routes come after the API routes, so `/prompt` is never a file; a path
 * that names no regular file under the root falls through to the simulator's 404.
 */

/** Content types by extension, as Python's `mimetypes` gives them for what a frontend ships. */
const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/x-wav',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.txt': 'text/plain; charset=utf-8',
};

export function staticContentType(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && contentTypes[name.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

/**
 * The file a request path names under `root`, or undefined: dot segments and encoded separators
 * never leave the root, and only regular files are served (a directory is a 404, as aiohttp's
 * static route answers without `show_index`).
 */
export function resolveStaticFile(root: string, path: string): string | undefined {
  const relative = path === '/' ? 'index.html' : decodePercentLenient(path.replace(/^\/+/, ''));
  if (relative.includes('\0')) return undefined;
  const absoluteRoot = resolve(root);
  const file = resolve(join(absoluteRoot, relative));
  if (file !== absoluteRoot && !file.startsWith(absoluteRoot + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The file `path` names under `root` as a 200, or undefined (falls through to the next route). */
export function serveStaticFile(root: string, path: string): SimResponse | undefined {
  const file = resolveStaticFile(root, path);
  if (!file) return undefined;
  let body: Uint8Array;
  try {
    body = readFileSync(file);
  } catch {
    return undefined;
  }
  // ComfyUI sends index.html with no-cache so a new frontend is picked up on reload.
  const headers: Record<string, string> = { 'content-type': staticContentType(file) };
  if (path === '/' || path === '/index.html') headers['cache-control'] = 'no-cache';
  return { status: 200, headers, body };
}

/** GET `/` and GET `/<file>` from `root` (a frontend's `static/` folder). */
export function staticFileRoutes(root: string): Route[] {
  return [route.get('/', (request) => serveStaticFile(root, request.path)), route.get('/*', (request) => serveStaticFile(root, request.path))];
}
